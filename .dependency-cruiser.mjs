/**
 * The layers of src/ (docs/architecture.md), enforced: each folder imports only the folders below
 * it, and no file imports itself round a circle. Type-only imports count: a type is a dependency too.
 *
 * From the top: the executable (cli.ts), the terminal (cli/), commands/, stack/, then the domain
 * layers run/ > resources/ > transfer/ (report/ beside them, importing none of them), contract/ (the
 * data contract, below them all), util/, aws/, config/, and core/ (errors, the ports, names, tags, Glue's words, the settings and context types).
 */
const LAYERS = ['core', 'config', 'aws', 'util', 'contract', 'report', 'transfer', 'resources', 'run', 'stack', 'commands', 'cli'];

/** What a layer may import: every layer below it, except that report/ and transfer/ are siblings. */
function below(layer) {
  const lower = LAYERS.slice(0, LAYERS.indexOf(layer));
  return layer === 'transfer' ? lower.filter((name) => name !== 'report') : lower;
}

const upward = LAYERS.map((layer) => ({
  name: `${layer}-imports-only-down`,
  comment: `src/${layer}/ may import only ${below(layer).map((name) => `src/${name}/`).join(', ') || 'nothing of src/'} (docs/architecture.md)`,
  severity: 'error',
  from: { path: `^src/${layer}/` },
  to: {
    path: '^src/',
    pathNot: [`^src/${layer}/`, ...below(layer).map((name) => `^src/${name}/`)],
  },
}));

export default {
  forbidden: [
    ...upward,
    {
      name: 'no-circular',
      comment: 'A file that reaches itself through its imports: split it, or move what both need down a layer',
      severity: 'error',
      from: { path: '^src/' },
      to: { circular: true },
    },
    {
      name: 'not-to-unlisted-folder',
      comment: 'Every folder of src/ is a layer with a place in LAYERS (.dependency-cruiser.cjs)',
      severity: 'error',
      from: { path: '^src/' },
      to: { path: '^src/[^/]+/', pathNot: [`^src/(${LAYERS.join('|')})/`] },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(node_modules|dist)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    // Only our own files are judged; a package is a leaf.
    includeOnly: '^src/',
  },
};
