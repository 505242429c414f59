import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { CreateBucketCommand, HeadBucketCommand, HeadObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { GetDatabaseCommand } from '@aws-sdk/client-glue';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createClients, destroyClients, type Clients } from '../../../src/aws/clients.js';
import { DEFAULT_RETRY_POLICY, PatientRetryStrategy, backoffDelay, type RetryToken } from '../../../src/aws/retry.js';
import { describeCause } from '../../../src/core/errors.js';

describe('backoffDelay', () => {
  it('doubles from the base, keeps at least half of each wait, and caps it', () => {
    const low = (retry: number) => backoffDelay(DEFAULT_RETRY_POLICY, 'TRANSIENT', retry, () => 0);
    const high = (retry: number) => backoffDelay(DEFAULT_RETRY_POLICY, 'TRANSIENT', retry, () => 0.999999);
    expect([0, 1, 2, 3, 4, 5, 6, 7].map(low)).toEqual([125, 250, 500, 1000, 2000, 4000, 4000, 4000]);
    expect(high(0)).toBe(249);
    expect(high(9)).toBe(7999);
    expect(backoffDelay(DEFAULT_RETRY_POLICY, 'THROTTLING', 0, () => 0)).toBe(500);
  });

  it('outlasts a 20 s outage even with the shortest waits', () => {
    let total = 0;
    for (let retry = 0; retry < DEFAULT_RETRY_POLICY.maxAttempts - 1; retry += 1) {
      total += backoffDelay(DEFAULT_RETRY_POLICY, 'TRANSIENT', retry, () => 0);
    }
    expect(total).toBeGreaterThanOrEqual(19_000);
  });
});

describe('PatientRetryStrategy', () => {
  const noSleep = vi.fn(async () => {});
  const retry = async (strategy: PatientRetryStrategy, token: RetryToken, errorType: 'TRANSIENT' | 'THROTTLING' | 'CLIENT_ERROR' | 'SERVER_ERROR') =>
    strategy.refreshRetryTokenForRetry(token, { errorType });

  it('retries transient failures and throttling up to the attempts, then lets the error through', async () => {
    const strategy = new PatientRetryStrategy({ sleep: noSleep });
    let token = await strategy.acquireInitialRetryToken('');
    for (let i = 1; i < DEFAULT_RETRY_POLICY.maxAttempts; i += 1) {
      token = await retry(strategy, token, i % 2 ? 'TRANSIENT' : 'THROTTLING');
      expect(token.getRetryCount()).toBe(i);
    }
    await expect(retry(strategy, token, 'TRANSIENT')).rejects.toThrow();
  });

  it('never retries a client error or a server error the SDK does not call transient', async () => {
    const strategy = new PatientRetryStrategy({ sleep: noSleep });
    const token = await strategy.acquireInitialRetryToken('');
    await expect(retry(strategy, token, 'CLIENT_ERROR')).rejects.toThrow();
    await expect(retry(strategy, token, 'SERVER_ERROR')).rejects.toThrow();
  });

  it('has no quota shared between requests: a thousand failing requests each keep their budget', async () => {
    const strategy = new PatientRetryStrategy({ sleep: noSleep });
    for (let i = 0; i < 1000; i += 1) {
      const token = await strategy.acquireInitialRetryToken('');
      await expect(retry(strategy, token, 'TRANSIENT')).resolves.toBeDefined();
    }
  });

  it('stops retrying once interrupted, and cuts a wait short', async () => {
    const controller = new AbortController();
    const strategy = new PatientRetryStrategy({ signal: controller.signal, policy: { ...DEFAULT_RETRY_POLICY, baseDelayMs: 60_000, maxDelayMs: 60_000 } });
    const token = await strategy.acquireInitialRetryToken('');
    const started = Date.now();
    const waiting = retry(strategy, token, 'TRANSIENT');
    setTimeout(() => controller.abort(), 50);
    await expect(waiting).rejects.toThrow();
    expect(Date.now() - started).toBeLessThan(5_000);
    await expect(retry(strategy, token, 'TRANSIENT')).rejects.toThrow();
  });

  it('waits at least as long as a Retry-After hint asks, within the cap', async () => {
    const sleep = vi.fn(async (_ms: number) => {});
    const strategy = new PatientRetryStrategy({ sleep, random: () => 0 });
    const token = await strategy.acquireInitialRetryToken('');
    await strategy.refreshRetryTokenForRetry(token, { errorType: 'THROTTLING', retryAfterHint: new Date(Date.now() + 3_000) });
    expect(sleep.mock.calls[0]?.[0]).toBeGreaterThan(2_500);
    await strategy.refreshRetryTokenForRetry(token, { errorType: 'THROTTLING', retryAfterHint: new Date(Date.now() + 600_000) });
    expect(sleep.mock.calls[1]?.[0]).toBe(DEFAULT_RETRY_POLICY.maxDelayMs);
  });
});

/**
 * The clients as the CLI builds them, against a local server that answers as a failing S3 would:
 * what the retries and the error messages are worth is only seen through the SDK itself.
 */
describe('the SDK clients against a failing endpoint', () => {
  let server: Server;
  let url: string;
  let clients: Clients;
  let handler: (req: IncomingMessage, res: ServerResponse) => void;

  beforeEach(async () => {
    vi.stubEnv('AWS_ACCESS_KEY_ID', 'testing');
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'testing');
    vi.stubEnv('AWS_SESSION_TOKEN', '');
    server = createServer((req, res) => {
      req.resume();
      req.on('end', () => handler(req, res));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
    clients = createClients({ region: 'us-east-1', endpointUrl: url });
  });

  afterEach(async () => {
    destroyClients(clients);
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    vi.unstubAllEnvs();
  });

  const ok = (res: ServerResponse) => {
    res.writeHead(200, { 'x-amz-request-id': 'REQ-OK', 'content-length': '0' });
    res.end();
  };
  const fail = (res: ServerResponse, status: number, requestId = 'REQ-FAIL') => {
    res.writeHead(status, { 'x-amz-request-id': requestId, 'content-length': '0' });
    res.end();
  };

  it('outlasts a 2 s outage', async () => {
    const start = Date.now();
    handler = (_req, res) => (Date.now() - start < 2_000 ? fail(res, 503) : ok(res));
    await expect(clients.s3.send(new HeadBucketCommand({ Bucket: 'b' }))).resolves.toBeDefined();
  }, 30_000);

  it('survives 300 HEADs at once with one in five answered 500', async () => {
    let n = 0;
    // Seeded: every fifth request fails, whichever object it is for.
    handler = (_req, res) => ((n += 1) % 5 === 0 ? fail(res, 500) : ok(res));
    const heads = Array.from({ length: 300 }, (_, i) => clients.s3.send(new HeadObjectCommand({ Bucket: 'b', Key: `k${i}` })));
    const results = await Promise.allSettled(heads);
    expect(results.filter((r) => r.status === 'rejected').map((r) => describeCause((r as PromiseRejectedResult).reason))).toEqual([]);
    expect(n).toBeGreaterThanOrEqual(360);
  }, 60_000);

  it('names the operation, HTTP status and request id of a bodiless failure, never UnknownError', async () => {
    handler = (_req, res) => fail(res, 403, 'REQ-403');
    const error = await clients.s3.send(new HeadObjectCommand({ Bucket: 'b', Key: 'k' })).catch((e: unknown) => e);
    const line = describeCause(error);
    expect(line).toBe('S3 HeadObject: HTTP 403 Forbidden (request id REQ-403)');
    expect(line).not.toMatch(/Unknown/);
  });

  it('says how many attempts a call made before a 500 that did not pass', async () => {
    handler = (_req, res) => fail(res, 500, 'REQ-500');
    const clientsFast = createClients({ region: 'us-east-1', endpointUrl: url });
    // Not the CLI's 10 attempts over 20-40 s: the same strategy with short waits.
    const strategy = new PatientRetryStrategy({ policy: { ...DEFAULT_RETRY_POLICY, maxAttempts: 3, baseDelayMs: 1 } });
    clientsFast.s3.config.retryStrategy = async () => strategy;
    const error = await clientsFast.s3.send(new HeadObjectCommand({ Bucket: 'b', Key: 'k' })).catch((e: unknown) => e);
    destroyClients(clientsFast);
    expect(describeCause(error)).toBe('S3 HeadObject: HTTP 500 Internal Server Error (request id REQ-500, 3 attempts)');
  });

  it('names the operation of an error with a body as well', async () => {
    handler = (_req, res) => {
      const body = '<?xml version="1.0"?><Error><Code>BucketAlreadyExists</Code><Message>The requested bucket name is not available.</Message><RequestId>REQ-409</RequestId></Error>';
      res.writeHead(409, { 'x-amz-request-id': 'REQ-409', 'content-type': 'application/xml', 'content-length': String(Buffer.byteLength(body)) });
      res.end(body);
    };
    const error = await clients.s3.send(new CreateBucketCommand({ Bucket: 'b' })).catch((e: unknown) => e);
    expect(describeCause(error)).toBe('S3 CreateBucket: BucketAlreadyExists: The requested bucket name is not available. (HTTP 409, request id REQ-409)');
  });

  it('names the bucket S3 says does not exist', async () => {
    handler = (_req, res) => {
      const body = '<?xml version="1.0"?><Error><Code>NoSuchBucket</Code><Message>The specified bucket does not exist</Message><RequestId>REQ-404</RequestId></Error>';
      res.writeHead(404, { 'x-amz-request-id': 'REQ-404', 'content-type': 'application/xml', 'content-length': String(Buffer.byteLength(body)) });
      res.end(body);
    };
    const error = await clients.s3.send(new ListObjectsV2Command({ Bucket: 'ml-exports' })).catch((e: unknown) => e);
    expect(describeCause(error)).toBe('S3 ListObjectsV2: NoSuchBucket: The specified bucket does not exist (bucket ml-exports, HTTP 404, request id REQ-404)');
  });

  it('retries Glue throttling', async () => {
    let n = 0;
    handler = (_req, res) => {
      n += 1;
      if (n <= 2) {
        const body = JSON.stringify({ __type: 'ThrottlingException', message: 'Rate exceeded' });
        res.writeHead(400, { 'x-amzn-requestid': `REQ-${n}`, 'content-type': 'application/x-amz-json-1.1' });
        res.end(body);
        return;
      }
      res.writeHead(200, { 'content-type': 'application/x-amz-json-1.1' });
      res.end(JSON.stringify({ Database: { Name: 'd' } }));
    };
    const answer = await clients.glue.send(new GetDatabaseCommand({ Name: 'd' }));
    expect(answer.Database?.Name).toBe('d');
    expect(n).toBe(3);
  }, 30_000);
});
