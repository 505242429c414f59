import { createServer, request as httpRequest, type IncomingMessage, type Server } from 'node:http';

/**
 * A recording proxy between the CLI and moto: it sees every request as AWS would, so tests can
 * count mutating calls and check limits that moto does not enforce (e.g. DeleteObjects size).
 */
export interface LoggedRequest {
  readonly service: 's3' | 'glue' | 'iam' | 'sts' | 'sns' | 'events' | 'logs' | 'cloudwatch' | 'kms' | 'athena' | 'other';
  /** Operation name: the Glue target, the IAM/STS Action, or S3 method + subresource. */
  readonly operation: string;
  readonly method: string;
  readonly path: string;
  readonly mutating: boolean;
  readonly body: string;
}

const MUTATING_OPERATION =
  /^(Create|Update|Delete|Put|Tag|Untag|Start|Stop|Batch(Create|Delete|Stop|Update)|Attach|Detach|Reset|Resume|Import|Set|Subscribe|Unsubscribe|Confirm|Publish|Remove|Add|Schedule|Cancel|Enable|Disable)/;

/** The services whose requests are not told apart by their shape, by the signing name in the Authorization header. */
const SIGNED_AS: Record<string, LoggedRequest['service']> = { sns: 'sns', events: 'events', logs: 'logs', monitoring: 'cloudwatch', kms: 'kms', athena: 'athena' };

function signedService(headers: IncomingMessage['headers']): LoggedRequest['service'] | undefined {
  const scope = /Credential=[^/]+\/\d{8}\/[^/]+\/([^/]+)\/aws4_request/.exec(String(headers.authorization ?? ''));
  return scope ? SIGNED_AS[scope[1]!] : undefined;
}

export function classify(req: { method: string; url: string; headers: IncomingMessage['headers'] }, body: string): LoggedRequest {
  const target = req.headers['x-amz-target'];
  const url = new URL(req.url, 'http://proxy');
  if (typeof target === 'string') {
    const operation = target.split('.').pop() ?? target;
    const service = target.startsWith('AWSGlue') ? 'glue' : (signedService(req.headers) ?? 'other');
    return { service, operation, method: req.method, path: url.pathname, mutating: MUTATING_OPERATION.test(operation), body };
  }
  const contentType = String(req.headers['content-type'] ?? '');
  if (req.method === 'POST' && url.pathname === '/' && contentType.includes('x-www-form-urlencoded')) {
    const form = new URLSearchParams(body);
    const operation = form.get('Action') ?? 'unknown';
    const service = signedService(req.headers) ?? (/credential|caller|assume/i.test(operation) ? 'sts' : 'iam');
    return { service, operation, method: req.method, path: url.pathname, mutating: MUTATING_OPERATION.test(operation), body };
  }
  const subresource = [...url.searchParams.keys()].filter((k) => k !== 'x-id').join('&');
  const operation = url.searchParams.get('x-id') ?? `${req.method} ${subresource}`.trim();
  const mutating = req.method === 'PUT' || req.method === 'DELETE' || req.method === 'POST';
  return { service: 's3', operation, method: req.method, path: url.pathname, mutating, body };
}

export interface RequestLog {
  readonly url: string;
  readonly requests: LoggedRequest[];
  clear(): void;
  mutating(): LoggedRequest[];
  close(): Promise<void>;
}

export interface RequestLogOptions {
  /** Milliseconds to hold a request before forwarding it, e.g. to keep an upload in flight. */
  readonly delay?: (request: LoggedRequest) => number;
  /**
   * An answer to give instead of forwarding, for an operation the emulator lacks (moto has no
   * Glue UpdateJob); the request is logged all the same. Undefined forwards it.
   */
  readonly respond?: (request: LoggedRequest) => { readonly status: number; readonly body: string } | undefined;
}

export async function startRequestLog(upstream: string, options: RequestLogOptions = {}): Promise<RequestLog> {
  const requests: LoggedRequest[] = [];
  const target = new URL(upstream);
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks);
      // Keep bodies of small requests only: enough for form actions and DeleteObjects keys.
      const body = raw.length <= 1_000_000 ? raw.toString('utf8') : '';
      const logged = classify({ method: req.method ?? 'GET', url: req.url ?? '/', headers: req.headers }, body);
      requests.push(logged);
      const answer = options.respond?.(logged);
      if (answer) {
        res.writeHead(answer.status, { 'content-type': 'application/x-amz-json-1.1' });
        res.end(answer.body);
        return;
      }
      setTimeout(() => forward(raw), options.delay?.(logged) ?? 0);
    });
    const forward = (raw: Buffer): void => {
      const upstreamRequest = httpRequest(
        { hostname: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers },
        (upstreamRes) => {
          res.writeHead(upstreamRes.statusCode ?? 502, upstreamRes.headers);
          upstreamRes.pipe(res);
        },
      );
      upstreamRequest.on('error', (error) => {
        if (!res.headersSent) res.writeHead(502);
        res.end(String(error));
      });
      upstreamRequest.end(raw);
    };
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    clear: () => void requests.splice(0),
    mutating: () => requests.filter((r) => r.mutating),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Number of keys in a DeleteObjects request body. */
export function deleteObjectsKeyCount(body: string): number {
  return (body.match(/<Object>/g) ?? []).length;
}
