import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalStack } from '../../src/local/stack.js';
import { channelArn } from '../support/factories.js';
import { startReviewStack, tokenFor } from '../support/review.js';

const run = promisify(execFile);

describe('npm run policy: policy as code against the review API', () => {
  const dir = mkdtempSync(join(tmpdir(), 'policy-cli-'));
  let stack: LocalStack;
  let admin: string;

  beforeAll(async () => {
    // The issuer's key file `npm start` and `npm run token` share (.local/, git-ignored): the CLI
    // mints its own admin token from it when no --token is given.
    stack = await startReviewStack({ issuerKeyFile: undefined });
    admin = await tokenFor(stack, 'ci', ['admins']);
  });
  afterAll(async () => {
    await stack?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const cli = async (...args: string[]) => {
    const auth = args.includes('--local-token') ? [] : ['--token', admin];
    try {
      const { stdout, stderr } = await run(process.execPath, ['--import', 'tsx', 'src/local/policy-cli.ts', ...args.filter((a) => a !== '--local-token'), '--url', stack.endpoints.api, ...auth], {
        env: { ...process.env, NODE_NO_WARNINGS: '1' },
      });
      return { code: 0, stdout, stderr, json: JSON.parse(stdout) };
    } catch (error) {
      const e = error as { code: number; stdout: string; stderr: string };
      return { code: e.code, stdout: e.stdout, stderr: e.stderr, json: undefined };
    }
  };

  it('puts a YAML file, reads it back, tests it, lists its versions and rolls it back', async () => {
    const channel = channelArn();
    const file = join(dir, 'kids.yaml');
    writeFileSync(file, '# kids channel\nterms:\n  block: [zorblax]\npii:\n  action: DENY\n');
    const put = await cli('put', channel, file, '--comment', 'from git');
    expect(put.code, put.stderr).toBe(0);
    expect(put.json).toMatchObject({ scope: channel, version: 1, document: { terms: { block: ['zorblax'] }, pii: { action: 'DENY' } } });

    writeFileSync(join(dir, 'kids.json'), JSON.stringify({ terms: { block: ['zorblax', 'snorf'] } }));
    expect((await cli('put', channel, join(dir, 'kids.json'), '--comment', 'second', '--expected-version', '1')).json.version).toBe(2);

    const got = await cli('get', channel, '--effective');
    expect(got.json.effective.layers.map((l: { scope: string }) => l.scope)).toEqual(['global', channel]);

    const tested = await cli('test', channel, '--message', 'a snorf', '--message', 'hello');
    expect(tested.json.results.map((r: { action: string }) => r.action)).toEqual(['DENY', 'ALLOW']);

    expect((await cli('versions', channel, '--all', '--limit', '1')).json.items.map((v: { version: number }) => v.version)).toEqual([2, 1]);
    const rolled = await cli('rollback', channel, '1', '--comment', 'undo');
    expect(rolled.json).toMatchObject({ version: 3, document: { terms: { block: ['zorblax'] } } });
  }, 120_000);

  it('exits 1 with every invalid field on stderr, and 1 on a stale version', async () => {
    const channel = channelArn();
    const file = join(dir, 'broken.yaml');
    writeFileSync(file, 'terms:\n  blok: [x]\nlinks:\n  unknown: MAYBE\n');
    const broken = await cli('put', channel, file, '--comment', 'oops');
    expect(broken.code).toBe(1);
    expect(broken.stderr).toContain('400');
    expect(broken.stderr).toContain('body.document.terms.blok');
    expect(broken.stderr).toContain('body.document.links.unknown');

    writeFileSync(file, 'terms:\n  block: [x1]\n');
    expect((await cli('put', channel, file, '--comment', 'ok')).code).toBe(0);
    const stale = await cli('put', channel, file, '--comment', 'again', '--expected-version', '0');
    expect(stale.code).toBe(1);
    expect(stale.stderr).toContain('409');
  }, 60_000);

  it('mints a local admin token itself when none is given (npm start)', async () => {
    const listed = await cli('list', '--local-token');
    expect(listed.code, listed.stderr).toBe(0);
    expect(listed.json.items[0]).toMatchObject({ scope: 'global' });
  });

  it('explains its usage instead of guessing', async () => {
    const missing = await cli('put', channelArn());
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/put needs a policy file/);
  });
});
