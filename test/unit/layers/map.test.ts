import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
// @ts-expect-error: a plain script without type declarations
import { layersGraph, withGraph } from '../../../scripts/layers-graph.mjs';

let graph: string;
let doc: string;

beforeAll(() => {
  graph = layersGraph();
  doc = readFileSync('docs/architecture.md', 'utf8');
}, 60_000);

describe('docs/architecture.md', () => {
  it('draws the folder graph the import lines make today', () => {
    // Redrawn from the source, the document must not change.
    expect(withGraph(doc, graph)).toBe(doc);
  });

  it('names every folder of src/ in its table of layers', () => {
    const folders = new Set([...graph.matchAll(/\["([a-z]+\/)"\]/g)].map((match) => match[1]));
    expect(folders.size).toBeGreaterThan(5);
    for (const folder of folders) expect(doc).toContain(`| \`${folder}\` |`);
  });
});
