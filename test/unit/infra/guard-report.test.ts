import { describe, expect, it } from 'vitest';
import { applyWaivers, failuresFromGuardOutput, GuardWaiverError, parseWaivers, type GuardFailure } from '../../../src/infra/guard-report.js';

const REASON = 'This rule does not apply here because of a reason long enough to read.';
const failure = (rule: string, resource: string, control = 'CT.X.PR.1'): GuardFailure => ({ rule, control, resource });

describe('parseWaivers', () => {
  it('reads rule, control, resources and a whitespace-collapsed reason', () => {
    const waivers = parseWaivers(`waivers:\n  - rule: lambda_inside_vpc_check\n    control: CT.LAMBDA.PR.3\n    resources: [A, B]\n    reason: >\n      ${REASON}\n      Second line.\n`);
    expect(waivers).toEqual([{ rule: 'lambda_inside_vpc_check', control: 'CT.LAMBDA.PR.3', resources: ['A', 'B'], reason: `${REASON} Second line.` }]);
  });

  it.each([
    ['no waivers list', 'rules: []', /top-level `waivers:` list/],
    ['a missing rule', `waivers:\n  - resources: [A]\n    reason: ${REASON}`, /\.rule must name/],
    ['no resources (a whole rule)', `waivers:\n  - rule: r\n    resources: []\n    reason: ${REASON}`, /never covers a whole rule/],
    ['a reason of a few words', 'waivers:\n  - rule: r\n    resources: [A]\n    reason: not needed', /must say why/],
    ['a malformed control id', `waivers:\n  - rule: r\n    control: LAMBDA3\n    resources: [A]\n    reason: ${REASON}`, /CT\.SERVICE\.PR\.N/],
    ['the same resource waived twice', `waivers:\n  - rule: r\n    resources: [A, A]\n    reason: ${REASON}`, /waived twice/],
    ['invalid YAML', 'waivers: [', /not valid YAML/],
  ])('refuses %s', (_name, source, message) => {
    expect(() => parseWaivers(source, 'w.yml')).toThrow(GuardWaiverError);
    expect(() => parseWaivers(source, 'w.yml')).toThrow(message);
  });
});

describe('applyWaivers', () => {
  const waiver = { rule: 'r1', control: 'CT.X.PR.1', resources: ['A', 'B'], reason: REASON };

  it('waives exactly the listed resources of the listed rule', () => {
    const outcome = applyWaivers([failure('r1', 'A'), failure('r1', 'B'), failure('r1', 'C'), failure('r2', 'A')], [waiver]);
    expect(outcome.waived.map((w) => [w.rule, w.resource, w.reason])).toEqual([['r1', 'A', REASON], ['r1', 'B', REASON]]);
    expect(outcome.unwaived).toEqual([failure('r1', 'C'), failure('r2', 'A')]);
    expect(outcome.stale).toEqual([]);
  });

  it('reports a waiver whose resource no longer fails as stale', () => {
    const outcome = applyWaivers([failure('r1', 'A')], [waiver]);
    expect(outcome.stale).toEqual([{ rule: 'r1', resource: 'B' }]);
    expect(outcome.unwaived).toEqual([]);
  });

  it('reports every resource of a waiver for a rule that passes now as stale', () => {
    expect(applyWaivers([], [waiver]).stale).toEqual([{ rule: 'r1', resource: 'A' }, { rule: 'r1', resource: 'B' }]);
  });

  it('refuses a waiver that names another control than the rule reports', () => {
    expect(() => applyWaivers([failure('r1', 'A', 'CT.Y.PR.2')], [waiver])).toThrow(/says CT\.X\.PR\.1, but the rule reports CT\.Y\.PR\.2/);
  });
});

describe('failuresFromGuardOutput', () => {
  // The shape of `cfn-guard validate --output-format json --structured`, cut down to what is read.
  const report = (notCompliant: unknown[], compliant: string[] = [], notApplicable: string[] = []) => [
    { name: 't.json', status: notCompliant.length ? 'FAIL' : 'PASS', not_compliant: notCompliant, compliant, not_applicable: notApplicable },
  ];
  const clause = (path: string) => ({ Clause: { Unary: { check: { UnResolved: { value: { traversed_to: { path, value: {} } } } } } } });
  const rule = (name: string, message: string, ...paths: string[]) => ({
    Rule: { name, checks: [{ Rule: { name: 'check', messages: { custom_message: message }, checks: paths.map(clause) } }] },
  });

  it('names each failing resource once per rule, with the control id and message', () => {
    const result = failuresFromGuardOutput(
      report([rule('cloudwatch_log_group_encrypted_check', '\n  [CT.CLOUDWATCH.PR.3]: Require   encryption\n', '/Resources/B/Properties', '/Resources/A/Properties', '/Resources/A/Properties/KmsKeyId')]),
    );
    expect(result.failures).toEqual([
      { rule: 'cloudwatch_log_group_encrypted_check', control: 'CT.CLOUDWATCH.PR.3', resource: 'A', message: '[CT.CLOUDWATCH.PR.3]: Require encryption' },
      { rule: 'cloudwatch_log_group_encrypted_check', control: 'CT.CLOUDWATCH.PR.3', resource: 'B', message: '[CT.CLOUDWATCH.PR.3]: Require encryption' },
    ]);
  });

  it('reports a failure that names no resource against the template, so it is never lost', () => {
    expect(failuresFromGuardOutput(report([rule('odd_rule', '[CT.X.PR.9]: x', '')])).failures).toEqual([
      { rule: 'odd_rule', control: 'CT.X.PR.9', resource: '(template)', message: '[CT.X.PR.9]: x' },
    ]);
  });

  it('counts a rule name once, by its worst result (hook variants share the name and never apply)', () => {
    const result = failuresFromGuardOutput(report([rule('r_fail', '[CT.X.PR.1]: x', '/Resources/A')], ['r_pass', 'r_pass'], ['r_fail', 'r_pass', 'r_na']));
    expect(result.passed).toEqual(['r_pass']);
    expect(result.notApplicable).toEqual(['r_na']);
  });

  it('refuses a report for more than one template', () => {
    expect(() => failuresFromGuardOutput([...report([]), ...report([])])).toThrow(/exactly one template/);
  });
});
