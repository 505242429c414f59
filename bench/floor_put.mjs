#!/usr/bin/env node
// The floor of an upload to one endpoint from this machine: every file of a directory PUT with
// nothing else done (no signature, no checksum, no listing, no retry, no bucket to make), 32
// requests in flight on kept-alive connections. No S3 tool can take less time against the same
// endpoint, so the transfer benchmark reports it next to the tools: the time between a tool and
// this is the tool's own; the rest is the endpoint's.
//
//   node bench/floor_put.mjs DIR ENDPOINT BUCKET PREFIX
import { Buffer } from 'node:buffer';
import console from 'node:console';
import { createReadStream } from 'node:fs';
import { readdir, readFile, stat } from 'node:fs/promises';
import http from 'node:http';
import path from 'node:path';
import process from 'node:process';
import { URL } from 'node:url';

const IN_FLIGHT = 32;
/** Files up to this size are read whole; larger ones are streamed from disk. */
const READ_WHOLE = 1024 * 1024;
// Never checked by the emulator; it only names the (default) account, as the tools' keys do.
const AUTHORIZATION = 'AWS4-HMAC-SHA256 Credential=testing/20260101/us-east-1/s3/aws4_request, SignedHeaders=host, Signature=0';

const [dir, endpoint, bucket, prefix] = process.argv.slice(2);
if (!dir || !endpoint || !bucket || prefix === undefined) {
  console.error('usage: node bench/floor_put.mjs DIR ENDPOINT BUCKET PREFIX');
  process.exit(2);
}
const { hostname, port } = new URL(endpoint);
const agent = new http.Agent({ keepAlive: true, maxSockets: IN_FLIGHT });

async function putFile(file) {
  const key = prefix + path.relative(dir, file).split(path.sep).join('/');
  const { size } = await stat(file);
  const body = size <= READ_WHOLE ? await readFile(file) : createReadStream(file, { highWaterMark: READ_WHOLE });
  await new Promise((resolve, reject) => {
    const headers = { 'Content-Length': size, Authorization: AUTHORIZATION };
    const request = http.request({ hostname, port, agent, method: 'PUT', path: `/${bucket}/${encodeURI(key)}`, headers }, (response) => {
      response.resume();
      response.on('end', () => (response.statusCode === 200 ? resolve() : reject(new Error(`PUT ${key}: HTTP ${response.statusCode}`))));
    });
    request.on('error', reject);
    if (Buffer.isBuffer(body)) request.end(body);
    else body.on('error', reject).pipe(request);
  });
}

try {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  const files = entries.filter((e) => e.isFile()).map((e) => path.join(e.parentPath ?? e.path, e.name));
  let next = 0;
  const worker = async () => {
    while (next < files.length) await putFile(files[next++]);
  };
  await Promise.all(Array.from({ length: Math.min(IN_FLIGHT, files.length) }, worker));
} catch (error) {
  console.error(`floor_put: ${error.message}`);
  process.exitCode = 1;
} finally {
  agent.destroy();
}
