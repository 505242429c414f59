import { readFileSync } from 'node:fs';

/**
 * Checks a request body against an AWS service model's shapes (botocore's service-2.json format):
 * member names, required members, types, enums, string lengths, number ranges and patterns. Moto
 * takes members AWS would refuse and ignores many it does not know; this says what AWS would see.
 */
interface Shape {
  readonly type: 'structure' | 'list' | 'map' | 'string' | 'integer' | 'long' | 'double' | 'float' | 'boolean' | 'timestamp' | 'blob';
  readonly members?: Readonly<Record<string, { readonly shape: string }>>;
  readonly required?: readonly string[];
  readonly member?: { readonly shape: string };
  readonly key?: { readonly shape: string };
  readonly value?: { readonly shape: string };
  readonly enum?: readonly string[];
  readonly min?: number;
  readonly max?: number;
  readonly pattern?: string;
}

export interface ServiceShapes {
  readonly source: string;
  /** Members left out of the fixture because the tool never sends them. */
  readonly notSent: readonly string[];
  /** Operation name to the name of its input shape. */
  readonly operations: Readonly<Record<string, string>>;
  readonly shapes: Readonly<Record<string, Shape>>;
}

export function loadShapes(file: string): ServiceShapes {
  return JSON.parse(readFileSync(file, 'utf8')) as ServiceShapes;
}

/** Every way `value` breaks the shape, each as "path: problem"; empty when it conforms. */
export function shapeProblems(model: ServiceShapes, shapeName: string, value: unknown, path = '$'): string[] {
  const shape = model.shapes[shapeName];
  if (!shape) return [`${path}: shape ${shapeName} is not in the fixture`];
  const problems: string[] = [];
  const bounds = (size: number, what: string) => {
    if (shape.min !== undefined && size < shape.min) problems.push(`${path}: ${what} ${size} is below the minimum ${shape.min}`);
    if (shape.max !== undefined && size > shape.max) problems.push(`${path}: ${what} ${size} is above the maximum ${shape.max}`);
  };
  switch (shape.type) {
    case 'structure': {
      if (value === null || typeof value !== 'object' || Array.isArray(value)) return [`${path}: expected an object (${shapeName})`];
      const record = value as Record<string, unknown>;
      for (const name of shape.required ?? []) if (!(name in record)) problems.push(`${path}: required member ${name} is missing`);
      for (const [name, member] of Object.entries(record)) {
        const spec = shape.members?.[name];
        if (!spec) {
          problems.push(`${path}: ${shapeName} has no member ${name}${model.notSent.includes(name) ? ' in the fixture (never sent)' : ''}`);
          continue;
        }
        problems.push(...shapeProblems(model, spec.shape, member, `${path}.${name}`));
      }
      return problems;
    }
    case 'list':
      if (!Array.isArray(value)) return [`${path}: expected a list (${shapeName})`];
      bounds(value.length, 'length');
      value.forEach((item, index) => problems.push(...shapeProblems(model, shape.member!.shape, item, `${path}[${index}]`)));
      return problems;
    case 'map': {
      if (value === null || typeof value !== 'object' || Array.isArray(value)) return [`${path}: expected a map (${shapeName})`];
      const entries = Object.entries(value as Record<string, unknown>);
      bounds(entries.length, 'size');
      for (const [key, item] of entries) {
        problems.push(...shapeProblems(model, shape.key!.shape, key, `${path}{key ${JSON.stringify(key)}}`));
        problems.push(...shapeProblems(model, shape.value!.shape, item, `${path}[${JSON.stringify(key)}]`));
      }
      return problems;
    }
    case 'string':
      if (typeof value !== 'string') return [`${path}: expected a string (${shapeName}), got ${JSON.stringify(value)}`];
      if (shape.enum && !shape.enum.includes(value)) problems.push(`${path}: ${JSON.stringify(value)} is not one of ${shape.enum.join(', ')}`);
      bounds(value.length, 'length');
      // Matched whole, as Glue applies them ("a single-line string"), though the model leaves some unanchored.
      if (shape.pattern && !modelPattern(shape.pattern).test(value)) {
        problems.push(`${path}: ${JSON.stringify(value)} does not match ${shape.pattern}`);
      }
      return problems;
    case 'integer':
    case 'long':
      if (typeof value !== 'number' || !Number.isInteger(value)) return [`${path}: expected a whole number (${shapeName}), got ${JSON.stringify(value)}`];
      bounds(value, 'value');
      return problems;
    case 'double':
    case 'float':
      if (typeof value !== 'number') return [`${path}: expected a number (${shapeName}), got ${JSON.stringify(value)}`];
      bounds(value, 'value');
      return problems;
    case 'boolean':
      return typeof value === 'boolean' ? [] : [`${path}: expected true or false (${shapeName}), got ${JSON.stringify(value)}`];
    case 'timestamp':
      return typeof value === 'number' || typeof value === 'string' ? [] : [`${path}: expected a timestamp (${shapeName})`];
    case 'blob':
      return typeof value === 'string' ? [] : [`${path}: expected base64 text (${shapeName})`];
  }
}

/** The problems of one request of a JSON-protocol service (Glue): its body against its input shape. */
export function requestProblems(model: ServiceShapes, operation: string, body: string): string[] {
  const input = model.operations[operation];
  if (!input) return [`${operation}: not in the fixture`];
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return [`${operation}: the body is not JSON`];
  }
  return shapeProblems(model, input, parsed).map((problem) => `${operation} ${problem}`);
}

/**
 * A model's pattern as a whole-string RegExp. The models' patterns are Java's, which allow escapes
 * JavaScript's unicode mode refuses (EventBridge's InputPathsMap keys: `[A-Za-z0-9\_\-]+`): such
 * a pattern is read without that mode, where `\_` is `_`, as Java reads it.
 */
function modelPattern(pattern: string): RegExp {
  try {
    return new RegExp(`^(?:${pattern})$`, 'u');
  } catch {
    return new RegExp(`^(?:${pattern})$`);
  }
}
