import { chmod, mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { execFileSync } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { UsageError } from '../../../src/core/errors.js';
import { scanDataDir, scanJobDir } from '../../../src/transfer/local-files.js';
import { hashFile } from '../../../src/transfer/upload.js';

const runsAsRoot = process.getuid?.() === 0;

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'local-files-test-'));
});
afterEach(async () => {
  await chmod(dir, 0o700).catch(() => {});
  await rm(dir, { recursive: true, force: true });
});

async function tree(files: Record<string, string>, root = dir): Promise<void> {
  for (const [name, content] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(root, name)), { recursive: true });
    await writeFile(path.join(root, name), content);
  }
}

async function usageErrorOf(promise: Promise<unknown>): Promise<UsageError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(UsageError);
  expect((error as UsageError).exitCode).toBe(2);
  return error as UsageError;
}

describe('scanDataDir', () => {
  it('describes every file under the directory, keyed under the prefix with forward slashes', async () => {
    await tree({
      'flights/year=2001/month=02/flights.csv.gz': 'february',
      'flights/year=2001/month=01/flights.csv.gz': 'january!',
      'airports/airports.csv': 'iata,name\n',
    });
    const files = await scanDataDir(dir, 'raw/');
    expect(files.map((f) => f.key)).toEqual([
      'raw/airports/airports.csv',
      'raw/flights/year=2001/month=01/flights.csv.gz',
      'raw/flights/year=2001/month=02/flights.csv.gz',
    ]);
    expect(files[1]).toEqual({
      path: path.join(dir, 'flights/year=2001/month=01/flights.csv.gz'),
      key: 'raw/flights/year=2001/month=01/flights.csv.gz',
      size: 8,
    });
  });

  it('stamps a settled file, and a write at the same size gives it another stamp', async () => {
    await tree({ 'a.csv': 'one' });
    const later = { now: () => Date.now() + 60_000 };
    const [first] = await scanDataDir(dir, 'raw/', later);
    expect(first?.stamp).toMatch(/^\d+:3:\d+:\d+$/);
    expect((await scanDataDir(dir, 'raw/', later))[0]?.stamp).toBe(first?.stamp);
    await writeFile(path.join(dir, 'a.csv'), 'two');
    const [rewritten] = await scanDataDir(dir, 'raw/', later);
    expect(rewritten?.size).toBe(3);
    expect(rewritten?.stamp).toBeDefined();
    expect(rewritten?.stamp).not.toBe(first?.stamp);
  });

  it('gives no stamp to a file changed moments before the scan, whose times may not show a write after it', async () => {
    await tree({ 'a.csv': 'one' });
    expect((await scanDataDir(dir, 'raw/'))[0]?.stamp).toBeUndefined();
  });

  it('skips hidden files and folders', async () => {
    await tree({ 'a.csv': 'a', '.DS_Store': 'x', '.git/config': 'y', 'sub/.gitkeep': '' });
    expect((await scanDataDir(dir, 'raw/')).map((f) => f.key)).toEqual(['raw/a.csv']);
  });

  it('rejects a directory that does not exist, naming it', async () => {
    const missing = path.join(dir, 'nope');
    const error = await usageErrorOf(scanDataDir(missing, 'raw/'));
    expect(error.message).toBe(`invalid --data-dir "${missing}": it does not exist; valid: an existing directory`);
  });

  it('rejects a file given as the directory', async () => {
    await tree({ 'file.csv': 'x' });
    const error = await usageErrorOf(scanDataDir(path.join(dir, 'file.csv'), 'raw/'));
    expect(error.message).toMatch(/file\.csv": it is not a directory/);
  });

  it('rejects a directory without files, even with empty subfolders or hidden files', async () => {
    await mkdir(path.join(dir, 'empty/sub'), { recursive: true });
    await tree({ '.gitkeep': '' });
    const error = await usageErrorOf(scanDataDir(dir, 'raw/'));
    expect(error.message).toContain(`invalid --data-dir "${dir}": it holds no files`);
  });

  it('uploads a linked file under the name of the link', async () => {
    await tree({ 'elsewhere/real.csv': 'linked content' }, path.join(dir, '..', path.basename(dir) + '-outside'));
    const outside = path.join(dir, '..', path.basename(dir) + '-outside');
    try {
      await mkdir(path.join(dir, 'data'));
      await symlink(path.join(outside, 'elsewhere/real.csv'), path.join(dir, 'data/linked.csv'));
      const files = await scanDataDir(path.join(dir, 'data'), 'raw/');
      expect(files).toEqual([expect.objectContaining({ key: 'raw/linked.csv', size: 14 })]);
    } finally {
      await rm(outside, { recursive: true, force: true });
    }
  });

  it('follows a linked folder, but not a link back up the tree', async () => {
    await tree({ 'data/2001/jan.csv': 'j', 'shared/airports.csv': 'a' });
    await symlink(path.join(dir, 'shared'), path.join(dir, 'data/airports'));
    await symlink(path.join(dir, 'data'), path.join(dir, 'data/2001/loop'));
    const files = await scanDataDir(path.join(dir, 'data'), 'raw/');
    expect(files.map((f) => f.key)).toEqual(['raw/2001/jan.csv', 'raw/airports/airports.csv']);
  });

  it('reports a file it cannot read (a dangling link) instead of skipping it', async () => {
    await tree({ 'good.csv': 'ok' });
    await symlink(path.join(dir, 'was-deleted.csv'), path.join(dir, 'broken.csv'));
    const error = await usageErrorOf(scanDataDir(dir, 'raw/'));
    expect(error.message).toBe(`cannot read file "${path.join(dir, 'broken.csv')}": ENOENT; every file to upload must be readable`);
  });

  it('refuses a named pipe under the data folder, naming it, instead of skipping it', async () => {
    await tree({ 'good.csv': 'ok', 'q3/x.csv': 'ok' });
    execFileSync('mkfifo', [path.join(dir, 'q3', 'incoming.csv')]);
    const error = await usageErrorOf(scanDataDir(dir, 'raw/'));
    expect(error.message).toBe(
      `cannot upload "${path.join(dir, 'q3', 'incoming.csv')}": it is a named pipe (FIFO); valid: regular files and folders (move it out of the folder to go on)`,
    );
  });

  it('refuses a socket under the data folder, naming it', async () => {
    await tree({ 'good.csv': 'ok' });
    const socket = path.join(dir, 'feed.sock');
    const server = createServer().listen(socket);
    await once(server, 'listening');
    try {
      const error = await usageErrorOf(scanDataDir(dir, 'raw/'));
      expect(error.message).toContain(`cannot upload "${socket}": it is a socket`);
    } finally {
      server.close();
    }
  });

  it('refuses a link to a named pipe, naming the link', async () => {
    await tree({ 'good.csv': 'ok' });
    execFileSync('mkfifo', [path.join(dir, '.pipe')]);
    await symlink(path.join(dir, '.pipe'), path.join(dir, 'linked.csv'));
    const error = await usageErrorOf(scanDataDir(dir, 'raw/'));
    expect(error.message).toContain(`cannot upload "${path.join(dir, 'linked.csv')}": it is a link to something that is neither a file nor a folder`);
  });

  // root reads a mode-000 file anyway, so this case can only be seen as another user.
  it.skipIf(runsAsRoot)('reports a file without read permission', async () => {
    await tree({ 'secret.csv': 'x' });
    await chmod(path.join(dir, 'secret.csv'), 0o000);
    const error = await usageErrorOf(scanDataDir(dir, 'raw/'));
    expect(error.message).toContain(`cannot read file "${path.join(dir, 'secret.csv')}": EACCES`);
  });

  it.skipIf(runsAsRoot)('reports a folder without read permission', async () => {
    await tree({ 'ok.csv': 'x', 'locked/inside.csv': 'y' });
    await chmod(path.join(dir, 'locked'), 0o000);
    try {
      const error = await usageErrorOf(scanDataDir(dir, 'raw/'));
      expect(error.message).toContain(`cannot read directory "${path.join(dir, 'locked')}"`);
    } finally {
      await chmod(path.join(dir, 'locked'), 0o700);
    }
  });
});

describe('scanJobDir', () => {
  it('takes job.py and the top-level modules, not tests, caches or other files', async () => {
    await tree({
      'job.py': 'main',
      'features.py': 'f',
      'options.py': 'o',
      'test_features.py': 't',
      'features_test.py': 't',
      'conftest.py': 'c',
      'tests/test_job.py': 't',
      '__pycache__/features.cpython-311.pyc': 'c',
      '__pycache__/cached.py': 'c',
      'pkg/inner.py': 'i',
      'README.md': 'r',
      'requirements.txt': 'pyspark',
      '.hidden.py': 'h',
    });
    const files = await scanJobDir(dir, 'scripts/');
    expect(files.map((f) => f.key)).toEqual(['scripts/features.py', 'scripts/job.py', 'scripts/options.py']);
    expect(files.find((f) => f.key === 'scripts/job.py')).toMatchObject({ size: 4 });
  });

  it('rejects a job directory without job.py', async () => {
    await tree({ 'features.py': 'f', 'tests/job.py': 'not the entry script' });
    const error = await usageErrorOf(scanJobDir(dir, 'scripts/'));
    expect(error.message).toBe(`invalid --job-dir "${dir}": it has no job.py; valid: a directory with the Glue entry script job.py`);
  });

  it('rejects a job directory that does not exist', async () => {
    const error = await usageErrorOf(scanJobDir(path.join(dir, 'glue-job'), 'scripts/'));
    expect(error.message).toContain('invalid --job-dir');
    expect(error.message).toContain('does not exist');
  });

  it('takes a linked job.py, and reports a dangling one as unreadable', async () => {
    await tree({ 'src/job.py': 'entry' });
    await mkdir(path.join(dir, 'job'));
    await symlink(path.join(dir, 'src/job.py'), path.join(dir, 'job/job.py'));
    expect((await scanJobDir(path.join(dir, 'job'), 'scripts/')).map((f) => f.key)).toEqual(['scripts/job.py']);

    await rm(path.join(dir, 'src/job.py'));
    const error = await usageErrorOf(scanJobDir(path.join(dir, 'job'), 'scripts/'));
    expect(error.message).toContain(`cannot read file "${path.join(dir, 'job/job.py')}": ENOENT`);
  });
});

describe('hashFile', () => {
  it('hashes the file content', async () => {
    await tree({ 'f.bin': 'hello world' });
    await expect(hashFile(path.join(dir, 'f.bin'))).resolves.toBe('b94d27b9934d3e08a52e52d7da7dabfac484efe37a5380ee9088f7ace2efcde9');
  });

  it('rejects for a missing file', async () => {
    await expect(hashFile(path.join(dir, 'missing'))).rejects.toMatchObject({ code: 'ENOENT' });
  });
});
