/**
 * Runs AWS's cfn-guard binary with the AWS Control Tower proactive rules, both shipped by the
 * npm package @cdklabs/cdk-validator-cfnguard (a dev dependency), and parses its report.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { arch, platform } from 'node:os';
import { dirname, join } from 'node:path';
import { failuresFromGuardOutput, type GuardResult } from './guard-report.js';

export interface GuardInstall {
  binary: string;
  /** The Control Tower rules directory. */
  rules: string;
  /** cfn-guard's version, as the package records it. */
  version: string;
}

/** The package ships one binary per OS and CPU; this picks the one for this machine. */
export function guardInstall(): GuardInstall {
  const root = dirname(createRequire(import.meta.url).resolve('@cdklabs/cdk-validator-cfnguard/package.json'));
  const os = ({ linux: 'ubuntu', darwin: 'macos' } as Record<string, string>)[platform()];
  const cpu = ({ x64: 'x86_64', arm64: 'aarch64' } as Record<string, string>)[arch()];
  if (!os || !cpu) throw new Error(`@cdklabs/cdk-validator-cfnguard ships no cfn-guard binary for ${platform()}/${arch()}`);
  const { version } = JSON.parse(readFileSync(join(root, 'guard-version.json'), 'utf8')) as { version: string };
  return { binary: join(root, 'bin', os, cpu, 'cfn-guard'), rules: join(root, 'rules', 'control-tower', 'cfn-guard'), version };
}

/** Validates one template against every Control Tower rule. Throws if cfn-guard itself fails. */
export function runGuard(template: string, install: GuardInstall = guardInstall()): GuardResult {
  const run = spawnSync(install.binary, ['validate', '--data', template, '--rules', install.rules, '--output-format', 'json', '--structured', '--show-summary', 'none'], {
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
  });
  if (run.error) throw new Error(`could not run ${install.binary}: ${run.error.message}`);
  // 0: every rule passed or did not apply; 19: some rule failed. Anything else is cfn-guard's own error.
  if (run.status !== 0 && run.status !== 19) throw new Error(`cfn-guard exited with ${run.status}: ${run.stderr.trim() || run.stdout.slice(0, 500)}`);
  return failuresFromGuardOutput(JSON.parse(run.stdout));
}
