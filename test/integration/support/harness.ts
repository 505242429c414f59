import { afterAll, beforeAll } from 'vitest';
import type { Aws } from '../../../src/core/aws.js';
import { awsEnv, runCli, runCliOnTerminal, startCli, type CliResult, type RunningCli } from './cli.js';
import { EmulatorClients } from './clients.js';
import { stubFakeAwsEnv, TEST_REGION } from './fake-aws.js';
import { startFaultProxy, type FaultProxy } from './fault-proxy.js';
import { startMoto, type MotoPatch, type MotoServer } from './moto.js';
import { startRequestLog, type RequestLog, type RequestLogOptions } from './request-log.js';
import { TempFolders } from './temp-folders.js';

/**
 * One test file's world: a moto server, what stands between it and the CLI, the tool's own clients
 * to look at moto with, temporary folders, and the CLI run with the environment that points it
 * there. `useEmulator` builds it in a beforeAll and takes it all down in an afterAll, so the hooks
 * a file adds after calling it see it ready, and its own afterAll hooks run before it goes.
 */
export interface Emulator {
  readonly moto: MotoServer;
  /** Where the CLI sends its requests: the proxy when there is one, else moto. */
  readonly endpoint: string;
  /** The tool's clients (aws/clients.ts), straight to moto, in the file's region. */
  readonly aws: Aws;
  /** The same in another region named in `regions`. */
  awsIn(region: string): Aws;
  /** Temporary folders, removed when the file is done. */
  readonly temp: TempFolders;
  /** Runs the CLI to its end; `env` adds to (or, with undefined, removes from) the environment. */
  cli(args: string[], options?: CliOptions): Promise<CliResult>;
  /** Starts the CLI, to signal or kill it while it works. */
  startCli(args: string[], options?: CliOptions): RunningCli;
  /** Runs the CLI on a pseudo-terminal. */
  cliOnTerminal(args: string[], options?: CliOptions): Promise<CliResult>;
}

export interface CliOptions {
  readonly env?: Record<string, string | undefined>;
}

interface CommonOptions {
  /** The region of the CLI and of `aws`; us-east-1 unless given. */
  readonly region?: string;
  /** More regions to have clients in (`awsIn`). */
  readonly regions?: readonly string[];
  /** Moto's start-up patches (support/moto.ts), for the file whose tests need them. */
  readonly motoPatches?: readonly MotoPatch[];
}

/** The request log (support/request-log.ts) between the CLI and moto: the default. */
export interface LoggedOptions extends CommonOptions {
  readonly proxy?: 'request-log';
  readonly requestLog?: RequestLogOptions;
}

/** The fault proxy (support/fault-proxy.ts) between the CLI and moto. */
export interface FaultOptions extends CommonOptions {
  readonly proxy: 'faults';
}

/** The CLI talks to moto itself. */
export interface DirectOptions extends CommonOptions {
  readonly proxy: 'none';
}

export function useEmulator(options?: LoggedOptions): Emulator & { readonly log: RequestLog };
export function useEmulator(options: FaultOptions): Emulator & { readonly faults: FaultProxy };
export function useEmulator(options: DirectOptions): Emulator;
export function useEmulator(options: LoggedOptions | FaultOptions | DirectOptions = {}): Emulator {
  const harness = new Harness(options);
  beforeAll(() => harness.start());
  afterAll(() => harness.stop());
  return harness;
}

/** Temporary folders alone, for a file whose emulator another program starts (the demo). */
export function useTempFolders(): TempFolders {
  const temp = new TempFolders();
  afterAll(() => temp.removeAll());
  return temp;
}

class Harness implements Emulator {
  readonly temp = new TempFolders();
  private readonly region: string;
  // Each part is kept as soon as it exists, so a start that fails half-way is still taken down.
  private motoServer: MotoServer | undefined;
  private requestLog: RequestLog | undefined;
  private faultProxy: FaultProxy | undefined;
  private clients: EmulatorClients | undefined;
  private unstubEnv: (() => void) | undefined;

  constructor(private readonly options: LoggedOptions | FaultOptions | DirectOptions) {
    this.region = options.region ?? TEST_REGION;
  }

  async start(): Promise<void> {
    this.unstubEnv = stubFakeAwsEnv();
    this.motoServer = await startMoto(this.options.motoPatches);
    if (this.options.proxy === 'faults') this.faultProxy = await startFaultProxy(this.motoServer.url);
    else if (this.options.proxy !== 'none') this.requestLog = await startRequestLog(this.motoServer.url, this.options.requestLog);
    this.clients = new EmulatorClients(this.motoServer.url);
    for (const region of new Set([this.region, ...(this.options.regions ?? [])])) await this.clients.connect(region);
  }

  async stop(): Promise<void> {
    this.clients?.destroy();
    await this.requestLog?.close();
    await this.faultProxy?.close();
    await this.motoServer?.stop();
    this.temp.removeAll();
    this.unstubEnv?.();
    this.clients = this.requestLog = this.faultProxy = this.motoServer = this.unstubEnv = undefined;
  }

  get moto(): MotoServer {
    return up(this.motoServer);
  }

  get endpoint(): string {
    return (this.requestLog ?? this.faultProxy ?? this.moto).url;
  }

  get aws(): Aws {
    return this.awsIn(this.region);
  }

  awsIn(region: string): Aws {
    return up(this.clients).in(region);
  }

  get log(): RequestLog {
    if (this.options.proxy === 'faults' || this.options.proxy === 'none') throw new Error('this file has no request log: useEmulator() without another proxy');
    return up(this.requestLog);
  }

  get faults(): FaultProxy {
    if (this.options.proxy !== 'faults') throw new Error("this file has no fault proxy: useEmulator({ proxy: 'faults' })");
    return up(this.faultProxy);
  }

  cli(args: string[], options: CliOptions = {}): Promise<CliResult> {
    return runCli(args, this.envWith(options.env));
  }

  startCli(args: string[], options: CliOptions = {}): RunningCli {
    return startCli(args, this.envWith(options.env));
  }

  cliOnTerminal(args: string[], options: CliOptions = {}): Promise<CliResult> {
    return runCliOnTerminal(args, this.envWith(options.env));
  }

  private envWith(extra: Record<string, string | undefined> = {}): Record<string, string> {
    return awsEnv(this.endpoint, { AWS_REGION: this.region, ...extra });
  }
}

/** A part of the harness, which exists from the harness's beforeAll to its afterAll. */
function up<T>(part: T | undefined): T {
  if (part === undefined) throw new Error('the emulator is not up: use it inside tests and hooks, after useEmulator()');
  return part;
}
