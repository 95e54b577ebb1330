/**
 * AWS's own checks over ours: runs cfn-guard with the AWS Control Tower proactive rules (both
 * shipped by @cdklabs/cdk-validator-cfnguard) on the packaged template, and holds the result
 * against .ci/cfn-guard-waivers.yml. Fails on any failure that is not waived, and on any waiver
 * that no longer matches a failure.
 *
 *   npm run package && npm run check:template [-- <template.json> [<waivers.yml>]]
 */
import { existsSync, readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { guardInstall, runGuard } from '../src/infra/cfn-guard.js';
import { applyWaivers, GuardWaiverError, parseWaivers, type GuardResult, type WaiverOutcome } from '../src/infra/guard-report.js';

const template = process.argv[2] ?? '.serverless/cloudformation-template-update-stack.json';
const waiversFile = process.argv[3] ?? '.ci/cfn-guard-waivers.yml';

function fail(message: string): never {
  console.error(`check:template: ${message}`);
  process.exit(2);
}

if (!existsSync(template)) fail(`${template} not found; run \`npm run package\` first`);
if (!existsSync(waiversFile)) fail(`${waiversFile} not found`);

const install = guardInstall();
let result: GuardResult;
let outcome: WaiverOutcome;
try {
  result = runGuard(template, install);
  outcome = applyWaivers(result.failures, parseWaivers(readFileSync(waiversFile, 'utf8'), waiversFile));
} catch (error) {
  fail(error instanceof GuardWaiverError ? error.message : error instanceof Error ? error.message : String(error));
}

const rulesFailing = new Set(result.failures.map((f) => f.rule));
const label = (f: { rule: string; control?: string }) => `${f.control ?? '-'} ${f.rule}`;
console.log(
  `cfn-guard ${install.version}, AWS Control Tower proactive rules, on ${relative(process.cwd(), template)}: ` +
    `${result.passed.length} rules pass, ${result.notApplicable.length} do not apply, ${rulesFailing.size} fail ` +
    `(${result.failures.length} resource findings: ${outcome.waived.length} waived, ${outcome.unwaived.length} not waived); ` +
    `${outcome.stale.length} stale waivers`,
);

const grouped = new Map<string, { label: string; resources: string[]; reason: string }>();
for (const w of outcome.waived) {
  const key = `${w.rule}\0${w.reason}`;
  const group = grouped.get(key) ?? { label: label(w), resources: [], reason: w.reason };
  group.resources.push(w.resource);
  grouped.set(key, group);
}
for (const g of grouped.values()) console.log(`  waived   ${g.label}: ${g.resources.join(', ')}\n           ${g.reason}`);
for (const f of outcome.unwaived) console.log(`  FAILED   ${label(f)}: ${f.resource}\n           ${f.message ?? ''}`);
for (const s of outcome.stale) console.log(`  STALE    waiver for ${s.rule} on ${s.resource} matches no failure: delete it from ${waiversFile}`);

if (outcome.unwaived.length > 0 || outcome.stale.length > 0) {
  console.error(`check:template: ${outcome.unwaived.length} unwaived failures, ${outcome.stale.length} stale waivers. Fix the template (preferred) or add a waiver with its reason.`);
  process.exit(1);
}
