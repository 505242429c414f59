import { createServer, request as httpRequest, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { classify, type LoggedRequest } from './request-log.js';

/**
 * A proxy between the CLI and moto that does to requests what real networks and services do:
 * answers S3 requests with 503 SlowDown, Glue, IAM and the other services with throttling, anything
 * with a 500, drops connections before the request gets through, loses answers (the request is
 * carried out, the connection drops before the answer arrives), adds latency, denies a call once,
 * answers everything with 503 for a while (an outage), and SIGKILLs the CLI at a chosen request.
 *
 * Faults are drawn from a seeded generator, one draw per matching request in the order requests
 * arrive, so a cell is the same each time up to the order of requests the CLI sends at once.
 * It listens on 127.0.0.1 only.
 */
export type FaultKind = 'throttle' | 'error500' | 'drop' | 'lose' | 'latency' | 'deny' | 'outage' | 'kill';

export interface FaultRule {
  readonly kind: FaultKind;
  /** The requests it may hit; all when omitted. */
  readonly match?: (request: LoggedRequest) => boolean;
  /** The chance per matching request. */
  readonly rate?: number;
  /** Or these matching requests only, counted from 1 across the proxy's life (until reset). */
  readonly occurrences?: readonly number[];
  /** latency: the added delay is drawn between these milliseconds. */
  readonly delayMs?: readonly [number, number];
  /** outage: how long every request is answered 503, from the first hit on. */
  readonly durationMs?: number;
}

export interface FaultProxy {
  readonly url: string;
  /** Every request seen, with the fault it met, in order of arrival. */
  readonly requests: (LoggedRequest & { fault?: FaultKind })[];
  /** Faults applied so far, by kind. */
  readonly counts: Partial<Record<FaultKind, number>>;
  /** Replaces the rules (and the seed): the counts of occurrences start again. */
  configure(rules: readonly FaultRule[], seed: number): void;
  /** What a `kill` rule calls after the request was carried out and before its answer is sent. */
  onKill: (() => void) | undefined;
  clear(): void;
  mutating(): LoggedRequest[];
  close(): Promise<void>;
}

/** mulberry32: a small seeded generator, good enough to pick faults. */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Protocol = 'rest-xml' | 'json' | 'query';

function protocolOf(req: IncomingMessage): Protocol {
  if (typeof req.headers['x-amz-target'] === 'string') return 'json';
  const contentType = String(req.headers['content-type'] ?? '');
  if (req.method === 'POST' && (req.url ?? '/').split('?')[0] === '/' && contentType.includes('x-www-form-urlencoded')) return 'query';
  return 'rest-xml';
}

/** An error answer in the request's protocol, as AWS shapes it. */
function sendError(req: IncomingMessage, res: ServerResponse, status: number, code: string, message: string, requestId: string): void {
  const protocol = protocolOf(req);
  let body = '';
  let contentType = 'application/xml';
  if (protocol === 'json') {
    contentType = 'application/x-amz-json-1.1';
    body = JSON.stringify({ __type: code, message });
  } else if (protocol === 'query') {
    body = `<ErrorResponse><Error><Type>${status >= 500 ? 'Receiver' : 'Sender'}</Type><Code>${code}</Code><Message>${message}</Message></Error><RequestId>${requestId}</RequestId></ErrorResponse>`;
  } else if (req.method !== 'HEAD') {
    body = `<?xml version="1.0" encoding="UTF-8"?><Error><Code>${code}</Code><Message>${message}</Message><RequestId>${requestId}</RequestId></Error>`;
  }
  res.writeHead(status, {
    'content-type': contentType,
    'content-length': String(Buffer.byteLength(body)),
    'x-amz-request-id': requestId,
    'x-amzn-requestid': requestId,
  });
  res.end(body);
}

export async function startFaultProxy(upstream: string): Promise<FaultProxy> {
  const target = new URL(upstream);
  const requests: (LoggedRequest & { fault?: FaultKind })[] = [];
  const counts: Partial<Record<FaultKind, number>> = {};
  let rules: readonly FaultRule[] = [];
  let random = seeded(1);
  let seen = new Map<FaultRule, number>();
  let outageUntil = 0;
  const sockets = new Set<Socket>();

  const proxy: FaultProxy = {
    url: '',
    requests,
    counts,
    onKill: undefined,
    configure(next, seed) {
      rules = next;
      random = seeded(seed);
      seen = new Map();
      outageUntil = 0;
      for (const key of Object.keys(counts)) delete counts[key as FaultKind];
    },
    clear: () => void requests.splice(0),
    mutating: () => requests.filter((r) => r.mutating),
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };

  /** The fault this request meets, if any: the first rule that fires, in the order given. */
  function decide(request: LoggedRequest): { kind: FaultKind; delay: number } | undefined {
    if (Date.now() < outageUntil) return { kind: 'outage', delay: 0 };
    for (const rule of rules) {
      if (rule.match && !rule.match(request)) continue;
      const n = (seen.get(rule) ?? 0) + 1;
      seen.set(rule, n);
      // One draw per matching request whatever the rule, so every rule sees the same sequence.
      const draw = random();
      const fires = rule.occurrences ? rule.occurrences.includes(n) : draw < (rule.rate ?? 0);
      if (!fires) continue;
      if (rule.kind === 'outage') outageUntil = Date.now() + (rule.durationMs ?? 2_000);
      const [low, high] = rule.delayMs ?? [0, 0];
      return { kind: rule.kind, delay: Math.round(low + random() * (high - low)) };
    }
    return undefined;
  }

  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks);
      const body = raw.length <= 1_000_000 ? raw.toString('utf8') : '';
      const logged: LoggedRequest & { fault?: FaultKind } = classify({ method: req.method ?? 'GET', url: req.url ?? '/', headers: req.headers }, body);
      requests.push(logged);
      const requestId = `FAULT-${requests.length}`;
      const fault = decide(logged);
      if (fault) {
        logged.fault = fault.kind;
        counts[fault.kind] = (counts[fault.kind] ?? 0) + 1;
      }
      switch (fault?.kind) {
        case 'throttle':
          if (logged.service === 's3') return sendError(req, res, 503, 'SlowDown', 'Please reduce your request rate.', requestId);
          if (protocolOf(req) === 'query') return sendError(req, res, 400, 'Throttling', 'Rate exceeded', requestId);
          return sendError(req, res, 400, 'ThrottlingException', 'Rate exceeded', requestId);
        case 'error500':
          return sendError(req, res, 500, logged.service === 's3' ? 'InternalError' : 'InternalFailure', 'We encountered an internal error. Please try again.', requestId);
        case 'outage':
          return sendError(req, res, 503, 'ServiceUnavailable', 'Service is unable to handle request.', requestId);
        case 'deny':
          return sendError(req, res, 403, protocolOf(req) === 'json' ? 'AccessDeniedException' : 'AccessDenied', 'Access Denied', requestId);
        case 'drop':
          // Reset before anything reaches moto: the request never happened.
          req.socket.destroy();
          return;
        case 'latency':
          setTimeout(() => forward(req, res, raw, undefined), fault.delay);
          return;
        case 'lose':
        case 'kill':
          forward(req, res, raw, fault.kind);
          return;
        default:
          forward(req, res, raw, undefined);
      }
    });
  });

  /** Forwards to moto; a lost answer is read from moto in full (the request took effect), then dropped. */
  function forward(req: IncomingMessage, res: ServerResponse, raw: Buffer, lose: 'lose' | 'kill' | undefined): void {
    const upstreamRequest = httpRequest({ hostname: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers }, (upstreamRes) => {
      if (lose) {
        upstreamRes.resume();
        upstreamRes.on('end', () => {
          if (lose === 'kill') proxy.onKill?.();
          req.socket.destroy();
        });
        return;
      }
      res.writeHead(upstreamRes.statusCode ?? 502, upstreamRes.headers);
      upstreamRes.pipe(res);
    });
    upstreamRequest.on('error', (error) => {
      if (!res.headersSent) res.writeHead(502);
      res.end(String(error));
    });
    upstreamRequest.end(raw);
  }

  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return Object.assign(proxy, { url: `http://127.0.0.1:${port}` });
}
