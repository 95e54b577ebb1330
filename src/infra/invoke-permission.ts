/**
 * Who may invoke the intake function: the Lambda resource policy that lets Chime messaging call
 * it (seed 000), how serverless.yml grants it, and how to tell whether a policy grants it for a
 * given AppInstance.
 *
 * Lambda stores an AddPermission (and CloudFormation's AWS::Lambda::Permission) with a
 * SourceAccount and SourceArn as one statement:
 *
 *   { Effect: Allow, Principal: { Service: messaging.chime.amazonaws.com }, Action: lambda:InvokeFunction,
 *     Resource: <function ARN>, Condition: { StringEquals: { AWS:SourceAccount: <account> },
 *     ArnLike: { AWS:SourceArn: arn:aws:chime:<region>:<account>:app-instance/<id or *> } } }
 *
 * `npm run setup-flow` reads the deployed policy with Lambda GetPolicy and checks it with
 * {@link evaluateChimeInvokeGrant}; the local stack registers {@link intakeInvokePolicy} on its
 * intake function, answers GetPolicy with it, and enforces it in strict mode.
 */
import { readFileSync } from 'node:fs';
import { DEFAULT_SERVERLESS_YML, parseCloudFormationYaml } from './definitions.js';

export const CHIME_MESSAGING_PRINCIPAL = 'messaging.chime.amazonaws.com';
/** The logical id of the permission in serverless.yml. */
export const INTAKE_PERMISSION_ID = 'IntakeChimeInvokePermission';

export interface PolicyStatement {
  Sid?: string;
  Effect: 'Allow' | 'Deny';
  Principal: string | Record<string, string | string[]>;
  Action: string | string[];
  Resource: string | string[];
  Condition?: Record<string, Record<string, string | string[]>>;
}

export interface ResourcePolicy {
  Version: string;
  Id?: string;
  Statement: PolicyStatement[];
}

export interface InvokeGrantQuestion {
  /** The function's unqualified ARN. */
  functionArn: string;
  /** The AppInstance whose channels the flow serves. */
  appInstanceArn: string;
  /** The AppInstance's account (Chime sends it as AWS:SourceAccount). */
  account: string;
}

export interface InvokeGrantVerdict {
  allowed: boolean;
  /** The statement that grants it, when one does. */
  statement?: PolicyStatement;
  /** One line: what grants it, or why nothing does. */
  reason: string;
  /** Grants wider than seed 000 recommends (no SourceAccount, no SourceArn, every AppInstance). */
  warnings: string[];
}

const list = (v: string | string[] | undefined): string[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

/** IAM-style wildcard match: `*` any run of characters, `?` one character. */
function globMatch(pattern: string, value: string): boolean {
  const re = new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`);
  return re.test(value);
}

function principalMatches(principal: PolicyStatement['Principal']): boolean {
  if (principal === '*') return true;
  if (typeof principal === 'string') return false;
  if (principal.AWS === '*') return true;
  return list(principal.Service).includes(CHIME_MESSAGING_PRINCIPAL);
}

function actionMatches(action: PolicyStatement['Action']): boolean {
  return list(action).some((a) => globMatch(a.toLowerCase(), 'lambda:invokefunction'));
}

/** Chime invokes the unqualified function ARN. */
function resourceMatches(resource: PolicyStatement['Resource'], functionArn: string): boolean {
  return list(resource).some((r) => globMatch(r, functionArn));
}

type ConditionResult = { ok: true } | { ok: false; why: string };

/** The condition keys Chime sets on its invocation; anything else cannot be satisfied here. */
function conditionsHold(condition: PolicyStatement['Condition'], q: InvokeGrantQuestion): ConditionResult {
  const context: Record<string, string> = { 'aws:sourceaccount': q.account, 'aws:sourcearn': q.appInstanceArn };
  for (const [operator, entries] of Object.entries(condition ?? {})) {
    for (const [key, expected] of Object.entries(entries)) {
      const actual = context[key.toLowerCase()];
      if (actual === undefined) return { ok: false, why: `condition ${operator} ${key} is not one Chime sets` };
      const values = list(expected);
      const op = operator.replace(/IfExists$/, '');
      let hit: boolean;
      if (op === 'StringEquals' || op === 'ArnEquals') hit = values.includes(actual);
      else if (op === 'StringLike' || op === 'ArnLike') hit = values.some((v) => globMatch(v, actual));
      else if (op === 'StringEqualsIgnoreCase') hit = values.some((v) => v.toLowerCase() === actual.toLowerCase());
      else return { ok: false, why: `condition operator ${operator} is not understood here` };
      if (!hit) return { ok: false, why: `${key} ${actual} does not match ${values.join(', ')} (${operator})` };
    }
  }
  return { ok: true };
}

function conditionValues(statement: PolicyStatement, key: string): string[] {
  return Object.values(statement.Condition ?? {}).flatMap((entries) =>
    Object.entries(entries)
      .filter(([k]) => k.toLowerCase() === key)
      .flatMap(([, v]) => list(v)),
  );
}

/** Does this resource policy let Chime messaging invoke the function for this AppInstance? */
export function evaluateChimeInvokeGrant(policy: ResourcePolicy | undefined, q: InvokeGrantQuestion): InvokeGrantVerdict {
  if (!policy || policy.Statement.length === 0) {
    return { allowed: false, reason: `the function has no resource policy, so ${CHIME_MESSAGING_PRINCIPAL} may not invoke it`, warnings: [] };
  }
  const applicable = policy.Statement.filter((s) => principalMatches(s.Principal) && actionMatches(s.Action) && resourceMatches(s.Resource, q.functionArn));
  for (const s of applicable.filter((s) => s.Effect === 'Deny')) {
    if (conditionsHold(s.Condition, q).ok) return { allowed: false, statement: s, reason: `statement ${s.Sid ?? '(no Sid)'} denies it`, warnings: [] };
  }
  const misses: string[] = [];
  for (const s of applicable.filter((s) => s.Effect === 'Allow')) {
    const held = conditionsHold(s.Condition, q);
    if (!held.ok) {
      misses.push(`statement ${s.Sid ?? '(no Sid)'}: ${held.why}`);
      continue;
    }
    const warnings: string[] = [];
    const accounts = conditionValues(s, 'aws:sourceaccount');
    const sources = conditionValues(s, 'aws:sourcearn');
    if (accounts.length === 0) warnings.push('the grant is not scoped with AWS:SourceAccount (any account could use it: confused-deputy risk)');
    if (sources.length === 0) warnings.push('the grant is not scoped with AWS:SourceArn (every AppInstance may invoke the function)');
    else if (sources.some((v) => v.endsWith('app-instance/*') || v === '*')) warnings.push('the grant covers every AppInstance of the account (set appInstanceId in production)');
    const scope = [accounts.length ? `SourceAccount ${accounts.join(', ')}` : undefined, sources.length ? `SourceArn ${sources.join(', ')}` : undefined].filter(Boolean).join(', ');
    return {
      allowed: true,
      statement: s,
      reason: `statement ${s.Sid ?? '(no Sid)'} lets ${CHIME_MESSAGING_PRINCIPAL} invoke it${scope ? ` (${scope})` : ''}`,
      warnings,
    };
  }
  return {
    allowed: false,
    reason: misses.length
      ? `no statement grants ${CHIME_MESSAGING_PRINCIPAL} for ${q.appInstanceArn}: ${misses.join('; ')}`
      : `no statement lets ${CHIME_MESSAGING_PRINCIPAL} invoke ${q.functionArn}`,
    warnings: [],
  };
}

/** The aws CLI call that adds the grant seed 000 describes. */
export function addPermissionCommand(q: InvokeGrantQuestion): string {
  return [
    'aws lambda add-permission',
    `--function-name ${q.functionArn}`,
    '--statement-id chime-messaging-invoke',
    '--action lambda:InvokeFunction',
    `--principal ${CHIME_MESSAGING_PRINCIPAL}`,
    `--source-account ${q.account}`,
    `--source-arn ${q.appInstanceArn}`,
  ].join(' ');
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * The resource policy serverless.yml's IntakeChimeInvokePermission gives the intake function,
 * in the form Lambda GetPolicy returns it, for a given account and region (params from
 * `params.default`, unless overridden).
 */
export function intakeInvokePolicy(settings: {
  functionArn: string;
  region: string;
  account: string;
  partition?: string;
  params?: Record<string, string>;
  serverlessYml?: string;
}): ResourcePolicy {
  const file = settings.serverlessYml ?? DEFAULT_SERVERLESS_YML;
  const doc = parseCloudFormationYaml(readFileSync(file, 'utf8'));
  const fail = (what: string): never => {
    throw new Error(`${file}: resources.Resources.${INTAKE_PERMISSION_ID} ${what}`);
  };
  if (!isObj(doc)) return fail('cannot be read');
  const defaults = isObj(doc.params) && isObj(doc.params.default) ? (doc.params.default as Record<string, unknown>) : {};
  const params: Record<string, string> = { ...Object.fromEntries(Object.entries(defaults).map(([k, v]) => [k, String(v)])), ...settings.params };
  const resources = isObj(doc.resources) && isObj(doc.resources.Resources) ? doc.resources.Resources : {};
  const resource = resources[INTAKE_PERMISSION_ID];
  if (!isObj(resource) || resource.Type !== 'AWS::Lambda::Permission' || !isObj(resource.Properties)) return fail('is missing or is not an AWS::Lambda::Permission');
  const p = resource.Properties;
  const pseudo: Record<string, string> = { 'AWS::AccountId': settings.account, 'AWS::Region': settings.region, 'AWS::Partition': settings.partition ?? 'aws' };
  const resolve = (value: unknown, where: string): string => {
    if (typeof value === 'string') {
      return value.replace(/\$\{param:([^}]+)\}/g, (_, name: string) => params[name] ?? fail(`${where} uses \${param:${name}}, which params.default does not define`));
    }
    if (isObj(value) && typeof value.Ref === 'string' && pseudo[value.Ref] !== undefined) return pseudo[value.Ref]!;
    if (isObj(value) && typeof value['Fn::Sub'] === 'string') {
      return resolve(value['Fn::Sub'], where).replace(/\$\{([^}]+)\}/g, (whole, name: string) => pseudo[name] ?? fail(`${where} uses ${whole}, which only CloudFormation can resolve`));
    }
    return fail(`${where} must be a string, !Ref of a pseudo parameter or !Sub (found ${JSON.stringify(value)})`);
  };
  if (resolve(p.Principal, 'Principal') !== CHIME_MESSAGING_PRINCIPAL) fail(`Principal must be ${CHIME_MESSAGING_PRINCIPAL}`);
  const condition: Record<string, Record<string, string>> = {};
  if (p.SourceAccount !== undefined) condition.StringEquals = { 'AWS:SourceAccount': resolve(p.SourceAccount, 'SourceAccount') };
  if (p.SourceArn !== undefined) condition.ArnLike = { 'AWS:SourceArn': resolve(p.SourceArn, 'SourceArn') };
  return {
    Version: '2012-10-17',
    Id: 'default',
    Statement: [
      {
        Sid: INTAKE_PERMISSION_ID,
        Effect: 'Allow',
        Principal: { Service: CHIME_MESSAGING_PRINCIPAL },
        Action: resolve(p.Action, 'Action'),
        Resource: settings.functionArn,
        ...(Object.keys(condition).length ? { Condition: condition } : {}),
      },
    ],
  };
}
