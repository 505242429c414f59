/**
 * The PROVISIONER_* environment variables: one per option, named after its flag
 * (--data-dir: PROVISIONER_DATA_DIR).
 */
const PREFIX = 'PROVISIONER_';

export function variableName(flag: string): string {
  return `${PREFIX}${flag.toUpperCase().replace(/-/g, '_')}`;
}

/**
 * The variable of `flag`, if set. Its name is matched in any letter case after the prefix
 * (PROVISIONER_data_dir too), as yargs, which read these variables before, matched it.
 */
export function variableValue(env: NodeJS.ProcessEnv, flag: string): string | undefined {
  const name = variableName(flag);
  if (env[name] !== undefined) return env[name];
  const spelt = Object.keys(env).find((key) => key.startsWith(PREFIX) && key.toUpperCase() === name);
  return spelt === undefined ? undefined : env[spelt];
}

/**
 * A warning for each PROVISIONER_* variable that no option of any command reads, naming the known
 * variable nearest to it: most are misspellings, which would otherwise leave the option at its
 * default without a word. A variable of another command's option is known, and not warned about.
 */
export function unknownVariables(env: NodeJS.ProcessEnv, knownFlags: readonly string[]): string[] {
  const known = knownFlags.map(variableName);
  return Object.keys(env)
    .filter((key) => key.startsWith(PREFIX) && env[key] !== undefined && !known.includes(key.toUpperCase()))
    .sort()
    .map((key) => `ignoring ${key}: no option of any command reads it; did you mean ${nearest(key.toUpperCase(), known)}?`);
}

/** The candidate fewest single-character edits away from `word`; the first of those tied. */
function nearest(word: string, candidates: readonly string[]): string {
  let best = candidates[0]!;
  let bestDistance = Infinity;
  for (const candidate of candidates) {
    const distance = editDistance(word, candidate);
    if (distance < bestDistance) [best, bestDistance] = [candidate, distance];
  }
  return best;
}

/** Levenshtein distance: insertions, deletions and substitutions, one row of the table at a time. */
function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i += 1) {
    const current = [i];
    for (let j = 1; j <= b.length; j += 1) {
      const substitution = previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1);
      current.push(Math.min(previous[j]! + 1, current[j - 1]! + 1, substitution));
    }
    previous = current;
  }
  return previous[b.length]!;
}
