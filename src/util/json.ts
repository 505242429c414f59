/** JSON with object keys sorted, so two documents that mean the same compare equal as strings. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value as Record<string, unknown>)
        .filter(([, v]) => v !== undefined)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([k, v]) => [k, sortKeys(v)]),
    );
  }
  return value;
}

export function sameJson(a: unknown, b: unknown): boolean {
  return canonicalJson(a) === canonicalJson(b);
}

/** IAM returns policy documents URL-encoded; S3 and Glue return them as plain JSON text. */
export function parsePolicyDocument(text: string | undefined): unknown {
  if (text === undefined) return undefined;
  return JSON.parse(text.trimStart().startsWith('{') ? text : decodeURIComponent(text));
}
