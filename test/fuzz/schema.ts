import { HOSTILE_JSON, HOSTILE_KEYS, HOSTILE_STRINGS, injectChar, raw, RawJson, withKey, withoutKey, type Labelled } from './hostile.js';
import type { Rng } from './random.js';

/**
 * The oracle of the API target: the OpenAPI document's JSON Schemas (generated from the same zod
 * schemas that validate requests, src/http/openapi.ts). A value that breaks the documented
 * schema must be refused with a 400; if it is not, either the validation or the document is
 * wrong. This is a small validator for the subset of JSON Schema the document uses, and a
 * generator of values that break a schema.
 */

export type JsonSchema = Record<string, any>;

export class SchemaSet {
  constructor(private readonly document: { components?: { schemas?: Record<string, JsonSchema> } }) {}

  resolve(schema: JsonSchema): JsonSchema {
    let s = schema;
    for (let i = 0; i < 20 && typeof s?.$ref === 'string'; i++) {
      const name = s.$ref.replace('#/components/schemas/', '');
      const target = this.document.components?.schemas?.[name];
      if (!target) throw new Error(`Unresolvable $ref ${s.$ref}`);
      const { $ref: _ref, ...rest } = s;
      s = { ...target, ...rest };
    }
    return s;
  }

  /** Does `value` satisfy `schema` (the subset the document uses)? RawJson tokens are read as JSON.parse would. */
  valid(schema: JsonSchema, input: unknown): boolean {
    const s = this.resolve(schema);
    const value = input instanceof RawJson ? JSON.parse(input.text) : input;
    if (s.anyOf) return (s.anyOf as JsonSchema[]).some((branch) => this.valid(branch, value));
    if ('const' in s && !Object.is(value, s.const) && value !== s.const) return false;
    if (s.enum && !(s.enum as unknown[]).includes(value)) return false;
    switch (s.type) {
      case 'string':
        if (typeof value !== 'string') return false;
        if (s.minLength !== undefined && [...value].length < s.minLength) return false;
        if (s.maxLength !== undefined && [...value].length > s.maxLength) return false;
        if (s.pattern !== undefined && !patternOf(s.pattern).test(value)) return false;
        return true;
      case 'integer':
      case 'number':
        if (typeof value !== 'number' || !Number.isFinite(value)) return false;
        if (s.type === 'integer' && !Number.isSafeInteger(value)) return false;
        if (s.minimum !== undefined && value < s.minimum) return false;
        if (s.maximum !== undefined && value > s.maximum) return false;
        return true;
      case 'boolean':
        return typeof value === 'boolean';
      case 'array': {
        if (!Array.isArray(value)) return false;
        if (s.minItems !== undefined && value.length < s.minItems) return false;
        if (s.maxItems !== undefined && value.length > s.maxItems) return false;
        return s.items ? value.every((v) => this.valid(s.items, v)) : true;
      }
      case 'object': {
        if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
        const obj = value as Record<string, unknown>;
        for (const key of s.required ?? []) if (!Object.hasOwn(obj, key)) return false;
        const props = (s.properties ?? {}) as Record<string, JsonSchema>;
        for (const [key, v] of Object.entries(obj)) {
          if (s.propertyNames && !this.valid(s.propertyNames, key)) return false;
          if (Object.hasOwn(props, key)) {
            if (!this.valid(props[key]!, v)) return false;
          } else if (s.additionalProperties === false) return false;
          else if (typeof s.additionalProperties === 'object' && !this.valid(s.additionalProperties, v)) return false;
        }
        return true;
      }
      default:
        return true; // no type: anything (z.unknown)
    }
  }

  /**
   * Values that break `schema`, built around `example` (a valid value, when there is one). Every
   * candidate is checked against the schema, so none is valid by accident.
   */
  violations(rng: Rng, schema: JsonSchema, example?: unknown): Array<Labelled<unknown>> {
    const s = this.resolve(schema);
    const candidates: Array<Labelled<unknown>> = [];
    const add = (label: string, value: unknown) => candidates.push({ label, value });
    // Another type, whatever the schema.
    for (const v of HOSTILE_JSON) add(`wrong type: ${v.label}`, v.value);
    const type = s.type ?? (s.anyOf ? 'anyOf' : undefined);
    if (type === 'string' || s.enum) {
      for (const v of HOSTILE_STRINGS) add(`string: ${v.label}`, v.value);
      if (typeof example === 'string' && example.length > 0) {
        for (let i = 0; i < 4; i++) {
          const injected = injectChar(rng, example);
          add(`valid length, ${injected.label}`, injected.value);
        }
        add('upper-cased', example.toUpperCase());
        add('lower-cased', example.toLowerCase());
        add('trailing space', `${example} `);
        add('zero-width suffix', `${example}\u200b`);
        add('fullwidth', [...example].map((c) => (c >= '!' && c <= '~' ? String.fromCharCode(c.charCodeAt(0) + 0xfee0) : c)).join(''));
        add('NUL suffix', `${example}\u0000`);
      }
      if (s.maxLength !== undefined) add(`${s.maxLength + 1} characters`, (typeof example === 'string' && example.length > 0 ? example[0]! : 'a').repeat(s.maxLength + 1));
      if (s.minLength !== undefined && s.minLength > 0) add('empty', '');
    }
    if (type === 'integer' || type === 'number') {
      const min = s.minimum as number | undefined;
      const max = s.maximum as number | undefined;
      if (min !== undefined) add(`below minimum (${min - 1})`, min - 1);
      if (max !== undefined && max < Number.MAX_SAFE_INTEGER) add(`above maximum (${max + 1})`, max + 1);
      add('fraction', (min ?? 0) + 0.5);
      add('minus zero', raw('-0'));
      add('1e308', 1e308);
      add('-1e20', -1e20);
      add('2^53 + 2', raw('9007199254740994'));
      add('number as string', String(example ?? min ?? 1));
      add('exponent 1e1', raw('1e1'));
      add('NaN word', 'NaN');
    }
    if (type === 'object' && typeof example === 'object' && example !== null && !Array.isArray(example)) {
      const obj = example as Record<string, unknown>;
      if (s.additionalProperties === false) {
        for (const key of HOSTILE_KEYS) if (!Object.hasOwn(s.properties ?? {}, key)) add(`unknown key ${JSON.stringify(key.slice(0, 20))}`, withKey(obj, key, rng.pick(HOSTILE_JSON).value));
      }
      for (const key of s.required ?? []) add(`without required ${key}`, withoutKey(obj, key));
      if (s.propertyNames) {
        const first = Object.entries(obj)[0];
        if (first) {
          add('empty property name', withKey(withoutKey(obj, first[0]), '', first[1]));
          add('property name too long', withKey(withoutKey(obj, first[0]), 'n'.repeat(200), first[1]));
        }
      }
    }
    if (type === 'array') {
      if (s.minItems !== undefined && s.minItems > 0) add('empty array', []);
      if (s.maxItems !== undefined && Array.isArray(example) && example.length > 0) {
        add(`${s.maxItems + 1} items`, Array.from({ length: s.maxItems + 1 }, (_, i) => example[i % example.length]));
      }
    }
    if (type === 'anyOf' && typeof example === 'object' && example !== null && !Array.isArray(example)) {
      for (const key of HOSTILE_KEYS.slice(0, 6)) add(`unknown key ${key}`, withKey(example as Record<string, unknown>, key, 1));
    }
    return candidates.filter((c) => !this.valid(s, c.value));
  }
}

const patterns = new Map<string, RegExp>();
function patternOf(source: string): RegExp {
  let re = patterns.get(source);
  if (!re) {
    try {
      re = new RegExp(source, 'u');
    } catch {
      re = new RegExp(source);
    }
    patterns.set(source, re);
  }
  return re;
}

/** Every path into `value` (objects and arrays), with the value there: where a violation can be put. */
export function pathsOf(value: unknown, prefix: Array<string | number> = []): Array<{ path: Array<string | number>; value: unknown }> {
  const out = [{ path: prefix, value }];
  if (Array.isArray(value)) value.forEach((v, i) => out.push(...pathsOf(v, [...prefix, i])));
  else if (typeof value === 'object' && value !== null && !(value instanceof RawJson)) {
    for (const [k, v] of Object.entries(value)) out.push(...pathsOf(v, [...prefix, k]));
  }
  return out;
}

/** The schema that governs `path` inside a value of `schema`, or undefined when the document does not say. */
export function schemaAt(set: SchemaSet, schema: JsonSchema, path: Array<string | number>, value: unknown): JsonSchema | undefined {
  let s: JsonSchema | undefined = set.resolve(schema);
  let v = value;
  for (const step of path) {
    if (!s) return undefined;
    if (s.anyOf) s = (s.anyOf as JsonSchema[]).map((b) => set.resolve(b)).find((b) => b.type === (Array.isArray(v) ? 'array' : typeof v === 'object' ? 'object' : typeof v));
    if (!s) return undefined;
    if (typeof step === 'number') s = s.items ? set.resolve(s.items) : undefined;
    else if (s.properties && Object.hasOwn(s.properties, step)) s = set.resolve(s.properties[step]);
    else if (typeof s.additionalProperties === 'object') s = set.resolve(s.additionalProperties);
    else return undefined;
    v = (v as Record<string | number, unknown>)?.[step];
  }
  return s;
}

/** A copy of `root` with the value at `path` replaced. */
export function replaceAt(root: unknown, path: Array<string | number>, value: unknown): unknown {
  if (path.length === 0) return value;
  const [head, ...rest] = path;
  if (Array.isArray(root)) return root.map((v, i) => (i === head ? replaceAt(v, rest, value) : v));
  const obj = root as Record<string, unknown>;
  return withKey(obj, String(head), replaceAt(obj[String(head)], rest, value));
}
