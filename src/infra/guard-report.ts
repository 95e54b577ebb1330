/**
 * Reads what cfn-guard says about the packaged template against the AWS Control Tower proactive
 * rules, and holds it against our written waivers (.ci/cfn-guard-waivers.yml).
 *
 *   cfn-guard --structured JSON ──failuresFromGuardOutput──▶ (rule, resource) failures
 *   waivers YAML ───────────────parseWaivers───────────────▶ (rule, resources, reason) waivers
 *                                      └──────applyWaivers──▶ waived | unwaived | stale
 *
 * The check passes only when nothing is unwaived AND nothing is stale: a waiver that no longer
 * matches a failure (the resource was fixed, renamed or removed) must be deleted, so the list
 * only ever says what is really exempt today, and why. Pure: the CLI (scripts/check-template.ts)
 * runs the binary and prints.
 */
import { parse } from 'yaml';

/** One resource that fails one rule. */
export interface GuardFailure {
  /** The guard rule's name, e.g. `lambda_inside_vpc_check`. */
  rule: string;
  /** The Control Tower control id from the rule's message, e.g. `CT.LAMBDA.PR.3`, when it has one. */
  control?: string;
  /** Logical id in the template. */
  resource: string;
  /** The rule's own explanation and [FIX] hint, whitespace-collapsed. */
  message?: string;
}

export interface GuardResult {
  failures: GuardFailure[];
  /** Names of rules that passed, and of rules that did not apply to anything in the template. */
  passed: string[];
  notApplicable: string[];
}

export interface Waiver {
  rule: string;
  control?: string;
  resources: string[];
  reason: string;
}

export interface WaiverOutcome {
  waived: Array<GuardFailure & { reason: string }>;
  unwaived: GuardFailure[];
  /** Waived (rule, resource) pairs that match no failure any more. */
  stale: Array<{ rule: string; resource: string }>;
}

/** A waiver file that cannot be trusted: unreadable, incomplete, or contradicting the rules. */
export class GuardWaiverError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'GuardWaiverError';
  }
}

type Obj = Record<string, unknown>;
const isObj = (value: unknown): value is Obj => typeof value === 'object' && value !== null && !Array.isArray(value);

const RESOURCE_PATH = /^\/Resources\/([^/]+)/;
const CONTROL_ID = /\[(CT\.[A-Z0-9]+\.PR\.\d+)\]/;

/**
 * Walks one non-compliant rule's clause tree. cfn-guard reports only the clauses that failed, and
 * each names the template path it traversed to, so the resources are the `/Resources/<id>` heads
 * of those paths.
 */
function collect(node: unknown, into: { resources: Set<string>; messages: Set<string> }): void {
  if (Array.isArray(node)) {
    for (const child of node) collect(child, into);
    return;
  }
  if (!isObj(node)) return;
  for (const [key, value] of Object.entries(node)) {
    if (key === 'path' && typeof value === 'string') {
      const match = RESOURCE_PATH.exec(value);
      if (match) into.resources.add(match[1]!);
    } else if (key === 'custom_message' && typeof value === 'string' && CONTROL_ID.test(value)) {
      into.messages.add(value.replace(/\s+/g, ' ').trim());
    } else {
      collect(value, into);
    }
  }
}

/** Parses `cfn-guard validate --output-format json --structured --show-summary none` for one template. */
export function failuresFromGuardOutput(output: unknown): GuardResult {
  const files = Array.isArray(output) ? output : [output];
  if (files.length !== 1 || !isObj(files[0])) {
    throw new Error(`Expected cfn-guard's structured report for exactly one template, got ${files.length} entries`);
  }
  const report = files[0];
  const names = (list: unknown): string[] => (Array.isArray(list) ? list.filter((x): x is string => typeof x === 'string') : []);
  const failures: GuardFailure[] = [];
  for (const entry of Array.isArray(report.not_compliant) ? report.not_compliant : []) {
    const rule = isObj(entry) && isObj(entry.Rule) ? entry.Rule : undefined;
    if (!rule || typeof rule.name !== 'string') throw new Error(`Unrecognised cfn-guard failure entry: ${JSON.stringify(entry).slice(0, 200)}`);
    const found = { resources: new Set<string>(), messages: new Set<string>() };
    collect(rule.checks, found);
    const message = [...found.messages][0];
    const control = message ? CONTROL_ID.exec(message)?.[1] : undefined;
    // A failure that names no resource still fails the check: it is reported against the template.
    const resources = found.resources.size > 0 ? [...found.resources] : ['(template)'];
    for (const resource of resources.sort()) {
      failures.push({ rule: rule.name, ...(control ? { control } : {}), resource, ...(message ? { message } : {}) });
    }
  }
  // A rule name can appear in several lists: its template and its CloudFormation-hook variants
  // share the name, and the hook variant never applies to a template. Count each name once, by
  // its worst result.
  const failing = new Set(failures.map((f) => f.rule));
  const passed = [...new Set(names(report.compliant))].filter((name) => !failing.has(name));
  const notApplicable = [...new Set(names(report.not_applicable))].filter((name) => !failing.has(name) && !passed.includes(name));
  return { failures, passed, notApplicable };
}

/** Reads the waiver list; every entry needs a rule, at least one resource and a real reason. */
export function parseWaivers(source: string, file = 'waivers'): Waiver[] {
  let document: unknown;
  try {
    document = parse(source);
  } catch (error) {
    throw new GuardWaiverError(`${file}: not valid YAML (${error instanceof Error ? error.message : String(error)})`);
  }
  const list = isObj(document) ? document.waivers : undefined;
  if (!Array.isArray(list)) throw new GuardWaiverError(`${file}: expected a top-level \`waivers:\` list`);
  const seen = new Set<string>();
  return list.map((entry, index) => {
    const where = `${file}: waivers[${index}]`;
    if (!isObj(entry)) throw new GuardWaiverError(`${where} must be a map with rule, resources and reason`);
    const { rule, control, resources, reason } = entry;
    if (typeof rule !== 'string' || rule.trim() === '') throw new GuardWaiverError(`${where}.rule must name a cfn-guard rule`);
    if (control !== undefined && (typeof control !== 'string' || !/^CT\.[A-Z0-9]+\.PR\.\d+$/.test(control))) {
      throw new GuardWaiverError(`${where}.control must look like CT.SERVICE.PR.N`);
    }
    if (!Array.isArray(resources) || resources.length === 0 || !resources.every((r) => typeof r === 'string' && r.trim() !== '')) {
      throw new GuardWaiverError(`${where}.resources must list the logical ids it covers (a waiver never covers a whole rule)`);
    }
    // A reason is what the next reader needs to agree with the waiver; a few words are not one.
    if (typeof reason !== 'string' || reason.trim().length < 40) {
      throw new GuardWaiverError(`${where}.reason must say why the rule does not apply (at least 40 characters)`);
    }
    for (const resource of resources as string[]) {
      const key = `${rule}\0${resource}`;
      if (seen.has(key)) throw new GuardWaiverError(`${where}: ${rule} on ${resource} is waived twice`);
      seen.add(key);
    }
    return { rule, ...(control !== undefined ? { control: control as string } : {}), resources: resources as string[], reason: reason.replace(/\s+/g, ' ').trim() };
  });
}

/** Splits failures into waived and unwaived, and finds waivers that match nothing. */
export function applyWaivers(failures: readonly GuardFailure[], waivers: readonly Waiver[]): WaiverOutcome {
  const byKey = new Map<string, Waiver>();
  for (const waiver of waivers) for (const resource of waiver.resources) byKey.set(`${waiver.rule}\0${resource}`, waiver);
  const used = new Set<string>();
  const outcome: WaiverOutcome = { waived: [], unwaived: [], stale: [] };
  for (const failure of failures) {
    const key = `${failure.rule}\0${failure.resource}`;
    const waiver = byKey.get(key);
    if (!waiver) {
      outcome.unwaived.push(failure);
      continue;
    }
    if (waiver.control && failure.control && waiver.control !== failure.control) {
      throw new GuardWaiverError(`The waiver for ${failure.rule} says ${waiver.control}, but the rule reports ${failure.control}`);
    }
    used.add(key);
    outcome.waived.push({ ...failure, reason: waiver.reason });
  }
  for (const waiver of waivers) {
    for (const resource of waiver.resources) {
      if (!used.has(`${waiver.rule}\0${resource}`)) outcome.stale.push({ rule: waiver.rule, resource });
    }
  }
  return outcome;
}
