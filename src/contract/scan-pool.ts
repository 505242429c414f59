import { availableParallelism } from 'node:os';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { scanFile, type FileScan } from './check-file.js';
import { parseContract, type Contract, type TableContract } from './contract.js';

/**
 * Files checked at once, one per core, each in a worker thread: a file's check is one core's work
 * (its gunzip runs on libuv's threads, beside it), so on 2 cores 7 monthly files take about half
 * the time they take one after another. The worker is this very module, loaded again in the
 * thread (in the bundle it is a chunk of its own, imported only by check.ts when it is needed),
 * which reads the contract from its descriptor, as the thread cannot be handed compiled checks.
 */

/** One file to check, and what its foreign keys may refer to. */
export interface ScanJob {
  readonly path: string;
  readonly table: string;
  readonly examples: number;
  readonly known: ReadonlyMap<string, ReadonlySet<string>>;
}

type Answer = { readonly id: number; readonly scan: FileScan } | { readonly id: number; readonly error: string };

/** workerData of this module's threads. */
interface Seed {
  readonly role: typeof ROLE;
  readonly descriptor: unknown;
  readonly file: string;
}

const ROLE = 'contract-scan';

export interface PoolOptions {
  /** Threads at most; by default one per core. */
  readonly threads?: number;
  /** The worker's script: this module, built (a TypeScript source cannot run in a thread on Node 20). */
  readonly script?: URL;
  readonly signal?: AbortSignal;
}

/** The scans of the jobs, in their order: in threads where there are several jobs and cores, else here. */
export async function scanAll(contract: Contract, jobs: readonly ScanJob[], options: PoolOptions = {}): Promise<FileScan[]> {
  const script = options.script ?? new URL(import.meta.url);
  const threads = Math.min(options.threads ?? availableParallelism(), jobs.length);
  if (threads < 2 || !/\.m?js$/.test(script.pathname)) return scanHere(contract.tables, jobs, options.signal);
  const seed: Seed = { role: ROLE, descriptor: contract.descriptor, file: contract.file };
  const workers = Array.from({ length: threads }, () => new Worker(script, { workerData: seed }));
  try {
    return await share(workers, jobs, options.signal);
  } finally {
    await Promise.all(workers.map((worker) => worker.terminate()));
  }
}

async function scanHere(tables: readonly TableContract[], jobs: readonly ScanJob[], signal?: AbortSignal): Promise<FileScan[]> {
  const scans: FileScan[] = [];
  for (const job of jobs) scans.push(await scanJob(tables, job, signal));
  return scans;
}

function scanJob(tables: readonly TableContract[], job: ScanJob, signal?: AbortSignal): Promise<FileScan> {
  const table = tables.find((t) => t.name === job.table);
  if (!table) throw new Error(`no table ${job.table} in the contract`);
  return scanFile(job.path, table, { examples: job.examples, known: job.known, collect: new Map(), ...(signal ? { signal } : {}) });
}

/** Hands each idle worker the next job until all are done; the first failure, or an abort, ends it. */
function share(workers: readonly Worker[], jobs: readonly ScanJob[], signal?: AbortSignal): Promise<FileScan[]> {
  return new Promise((resolve, reject) => {
    const scans = new Array<FileScan>(jobs.length);
    let next = 0;
    let done = 0;
    let failed = false;
    const fail = (error: unknown) => {
      if (failed) return;
      failed = true;
      signal?.removeEventListener('abort', aborted);
      reject(error);
    };
    // As a stream's pipeline rejects on an interrupt, so that it reads the same as one file's check.
    const aborted = () => fail(Object.assign(new Error('The operation was aborted', { cause: signal!.reason }), { name: 'AbortError', code: 'ABORT_ERR' }));
    if (signal?.aborted) return aborted();
    signal?.addEventListener('abort', aborted, { once: true });
    const give = (worker: Worker) => {
      if (next < jobs.length) {
        worker.postMessage({ id: next, job: jobs[next] });
        next += 1;
      }
    };
    for (const worker of workers) {
      worker.on('message', (answer: Answer) => {
        if ('error' in answer) return fail(new Error(`checking ${jobs[answer.id]!.path}: ${answer.error}`));
        scans[answer.id] = answer.scan;
        done += 1;
        if (done === jobs.length) {
          signal?.removeEventListener('abort', aborted);
          resolve(scans);
        } else {
          give(worker);
        }
      });
      worker.on('error', fail);
      worker.on('exit', (code) => {
        if (done < jobs.length) fail(new Error(`a contract check thread stopped (exit ${code}) with ${jobs.length - done} files unchecked`));
      });
      give(worker);
    }
  });
}

/** In a thread started by scanAll: check each job sent, and send back its scan. */
function serve(seed: Seed): void {
  const tables = parseContract(seed.descriptor, seed.file);
  parentPort!.on('message', ({ id, job }: { id: number; job: ScanJob }) => {
    scanJob(tables, job).then(
      (scan) => parentPort!.postMessage({ id, scan } satisfies Answer),
      (error: unknown) => parentPort!.postMessage({ id, error: error instanceof Error ? error.message : String(error) } satisfies Answer),
    );
  });
}

if (!isMainThread && (workerData as Partial<Seed> | null)?.role === ROLE) serve(workerData as Seed);
