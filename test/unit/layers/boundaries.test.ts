import { execFile } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

/**
 * The layer rule of `make lint` (.dependency-cruiser.mjs), run on a small tree of its own: the
 * real config, a few files in the real folder names, and one import that breaks a rule.
 */
const run = promisify(execFile);
const DEPCRUISE = path.resolve('node_modules/.bin/depcruise');
const CONFIG = path.resolve('.dependency-cruiser.mjs');

let tree: string;

beforeEach(async () => {
  tree = await mkdtemp(path.join(tmpdir(), 'layers-'));
  await copyFile(CONFIG, path.join(tree, '.dependency-cruiser.mjs'));
  await writeFile(path.join(tree, 'tsconfig.json'), JSON.stringify({ compilerOptions: { module: 'NodeNext', moduleResolution: 'NodeNext', strict: true } }));
  await put('src/core/errors.ts', 'export class Failure extends Error {}\n');
  await put('src/aws/clients.ts', "import { Failure } from '../core/errors.js';\nexport const fail = (): Failure => new Failure();\n");
  await put('src/cli/main.ts', "import { fail } from '../aws/clients.js';\nexport const main = (): Error => fail();\n");
});
afterEach(async () => {
  await rm(tree, { recursive: true, force: true });
});

async function put(file: string, text: string): Promise<void> {
  await mkdir(path.dirname(path.join(tree, file)), { recursive: true });
  await writeFile(path.join(tree, file), text);
}

/** The exit code and report of the lint's layer check over the tree. */
async function lint(): Promise<{ code: number; output: string }> {
  try {
    const { stdout } = await run(DEPCRUISE, ['src', '--config', '.dependency-cruiser.mjs', '--output-type', 'err'], { cwd: tree });
    return { code: 0, output: stdout };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, output: failed.stdout + failed.stderr };
  }
}

// Each check starts dependency-cruiser afresh: seconds on a busy machine.
describe('the layer rule of make lint', { timeout: 60_000 }, () => {
  it('passes a tree whose imports point down', async () => {
    expect(await lint()).toMatchObject({ code: 0 });
  });

  it('fails an upward import, naming the rule and both files', async () => {
    await put('src/aws/retry.ts', "import { main } from '../cli/main.js';\nexport const again = main;\n");
    const { code, output } = await lint();
    expect(code).not.toBe(0);
    expect(output).toContain('aws-imports-only-down');
    expect(output).toContain('src/aws/retry.ts → src/cli/main.ts');
  });

  it('fails an upward import that names only a type', async () => {
    await put('src/core/context.ts', "import type { fail } from '../aws/clients.js';\nexport type Fail = typeof fail;\n");
    const { code, output } = await lint();
    expect(code).not.toBe(0);
    expect(output).toContain('core-imports-only-down');
  });

  it('fails two files of one layer that import each other', async () => {
    await put('src/aws/a.ts', "import { b } from './b.js';\nexport const a = (): number => b() + 1;\n");
    await put('src/aws/b.ts', "import { a } from './a.js';\nexport const b = (): number => a() - 1;\n");
    const { code, output } = await lint();
    expect(code).not.toBe(0);
    expect(output).toContain('no-circular');
  });

  it('fails a folder that is not a layer', async () => {
    await put('src/helpers/text.ts', 'export const text = 1;\n');
    await put('src/cli/other.ts', "import { text } from '../helpers/text.js';\nexport const other = text;\n");
    const { code, output } = await lint();
    expect(code).not.toBe(0);
    expect(output).toContain('not-to-unlisted-folder');
  });
});
