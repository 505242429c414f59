#!/usr/bin/env node
// Prints the graph of src/'s folders (which layer imports which) as a Mermaid flowchart, read from
// dependency-cruiser's view of the import lines, types included. docs/architecture.md shows it;
// `node scripts/layers-graph.mjs --write` redraws it there, and a unit test checks it is current.
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import process from 'node:process';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const DOC = path.join(root, 'docs/architecture.md');
const BEGIN = '<!-- layers-graph: begin (node scripts/layers-graph.mjs --write) -->';
const END = '<!-- layers-graph: end -->';

/** The folder of src/ a file is in, or the file itself for src/cli.ts. */
function layerOf(file) {
  const parts = path.relative('src', file).split(path.sep);
  return parts.length > 1 ? `${parts[0]}/` : parts[0];
}

export function layersGraph() {
  const depcruise = path.join(root, 'node_modules/.bin/depcruise');
  const json = execFileSync(depcruise, ['src', '--config', '.dependency-cruiser.mjs', '--output-type', 'json'], { cwd: root, maxBuffer: 64 * 1024 * 1024 });
  const edges = new Set();
  for (const module of JSON.parse(json.toString()).modules) {
    for (const dependency of module.dependencies) {
      if (!dependency.resolved.startsWith('src/')) continue;
      const from = layerOf(module.source);
      const to = layerOf(dependency.resolved);
      if (from !== to) edges.add(`${from} --> ${to}`);
    }
  }
  const id = (layer) => layer.replace(/[/.]/g, '_');
  const lines = [...edges].sort().map((edge) => {
    const [from, to] = edge.split(' --> ');
    return `  ${id(from)}["${from}"] --> ${id(to)}["${to}"]`;
  });
  return ['```mermaid', 'flowchart TD', ...lines, '```'].join('\n');
}

/** The document with its graph section replaced by `graph`. */
export function withGraph(doc, graph) {
  const begin = doc.indexOf(BEGIN);
  const end = doc.indexOf(END);
  if (begin < 0 || end < begin) throw new Error(`${DOC} has no ${BEGIN} ... ${END} section`);
  return `${doc.slice(0, begin + BEGIN.length)}\n${graph}\n${doc.slice(end)}`;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const graph = layersGraph();
  if (process.argv.includes('--write')) writeFileSync(DOC, withGraph(readFileSync(DOC, 'utf8'), graph));
  else process.stdout.write(`${graph}\n`);
}
