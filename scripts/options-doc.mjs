/**
 * Writes README.md's list of options from the option tables: the Markdown that
 * src/cli/options-doc.ts renders replaces what stands between its two markers. Run by `make docs`;
 * test/unit/cli/options-doc.test.ts fails while README.md's list differs from the tables.
 *
 * The TypeScript is bundled by esbuild (as scripts/build.mjs bundles the CLI) into a temporary
 * module, since Node runs no TypeScript by itself.
 */
import console from 'node:console';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';

const README = 'README.md';
const dir = await mkdtemp(path.join(tmpdir(), 'options-doc-'));
try {
  const outfile = path.join(dir, 'options-doc.mjs');
  await build({
    entryPoints: ['src/cli/options-doc.ts'],
    outfile,
    bundle: true,
    format: 'esm',
    platform: 'node',
    mainFields: ['module', 'main'],
    target: 'node20',
    // Bundled CommonJS code (the AWS SDK among it) calls require() for Node's own modules.
    banner: { js: "import { createRequire as createRequireForBundle } from 'node:module'; const require = createRequireForBundle(import.meta.url);" },
    logLevel: 'warning',
  });
  const { BEGIN_MARKER, END_MARKER, optionsDoc } = await import(pathToFileURL(outfile).href);
  const readme = await readFile(README, 'utf8');
  const begin = readme.indexOf(BEGIN_MARKER);
  const end = readme.indexOf(END_MARKER);
  if (begin < 0 || end < begin) throw new Error(`${README} has no list of options between "${BEGIN_MARKER}" and "${END_MARKER}"`);
  const written = `${readme.slice(0, begin + BEGIN_MARKER.length)}\n${optionsDoc()}\n${readme.slice(end)}`;
  if (written === readme) {
    console.log(`${README}: the list of options is up to date`);
  } else {
    await writeFile(README, written);
    console.log(`${README}: the list of options written from the option tables`);
  }
} finally {
  await rm(dir, { recursive: true, force: true });
}
