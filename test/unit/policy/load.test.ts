import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ChannelMessage } from '../../../src/domain/message.js';
import { evaluate } from '../../../src/policy/engine.js';
import { DEFAULT_POLICY_FILE, loadPolicyFile, resolvePolicyPath } from '../../../src/policy/load.js';

function aMessage(content: string, overrides: Partial<ChannelMessage> = {}): ChannelMessage {
  return {
    messageId: 'msg-1',
    channelArn: 'arn:aws:chime:us-east-1:111122223333:app-instance/inst-1/channel/general',
    content,
    sender: { arn: 'arn:aws:chime:us-east-1:111122223333:app-instance/inst-1/user/alice' },
    ...overrides,
  };
}

let dir: string;
const write = (name: string, text: string): string => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'policy-load-'));
});

afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
  vi.unstubAllEnvs();
});

describe('the default policy file', () => {
  it('lives in policy/default.yaml at the repository root', () => {
    expect(DEFAULT_POLICY_FILE).toMatch(/[/\\]policy[/\\]default\.yaml$/);
    expect(DEFAULT_POLICY_FILE).not.toMatch(/[/\\]src[/\\]/);
  });

  it('loads and enforces every rule it documents', () => {
    const policy = loadPolicyFile(DEFAULT_POLICY_FILE);
    const judge = (content: string, extra: Partial<ChannelMessage> = {}) =>
      evaluate(policy, aMessage(content, extra));

    expect(judge('Morning all, standup in five.').action).toBe('ALLOW');
    expect(judge('get s.c.a.m.c.o.i.n now').ruleIds).toEqual(['terms.block']);
    expect(judge('I need a refund').ruleIds).toEqual(['terms.review']);
    expect(judge('docs at https://docs.github.com/x').action).toBe('ALLOW');
    expect(judge('see bit.ly/x').ruleIds).toEqual(['links.deny']);
    expect(judge('see example.org').ruleIds).toEqual(['links.unknown']);
    expect(judge('ping me on jane@example.com')).toMatchObject({
      action: 'UPDATE',
      content: 'ping me on [email redacted]',
    });
    expect(judge('x'.repeat(2001)).ruleIds).toEqual(['content.length']);
    expect(judge('hi', { metadata: '{broken' }).ruleIds).toEqual(['metadata.malformed']);
  });
});

describe('loadPolicyFile', () => {
  it('loads a YAML policy', () => {
    const path = write('p.yaml', 'terms:\n  block: [badword]\n');
    expect(evaluate(loadPolicyFile(path), aMessage('b4dw0rd')).action).toBe('DENY');
  });

  it('loads a .yml policy', () => {
    const path = write('p.yml', 'terms: { review: [refund] }\n');
    expect(evaluate(loadPolicyFile(path), aMessage('refund')).action).toBe('REVIEW');
  });

  it('loads a JSON policy', () => {
    const path = write('p.json', JSON.stringify({ links: { allow: ['github.com'] } }));
    expect(evaluate(loadPolicyFile(path), aMessage('see example.org')).ruleIds).toEqual(['links.unknown']);
  });

  it('treats an empty YAML file as an allow-everything policy', () => {
    const path = write('empty.yaml', '# nothing yet\n');
    expect(evaluate(loadPolicyFile(path), aMessage('badword bit.ly/x jane@example.com')).action).toBe('ALLOW');
  });

  it('names the file and the field of an invalid value', () => {
    const path = write('bad.yaml', 'links:\n  unknown: MAYBE\ncontent:\n  maxLength: -3\n');
    expect(() => loadPolicyFile(path)).toThrow(path);
    expect(() => loadPolicyFile(path)).toThrow(/links\.unknown/);
    expect(() => loadPolicyFile(path)).toThrow(/content\.maxLength/);
  });

  it('names the index of an invalid term', () => {
    const path = write('bad-term.yaml', 'terms:\n  block: [ok, 42, "!!!"]\n');
    const error = (() => {
      try {
        loadPolicyFile(path);
      } catch (err) {
        return (err as Error).message;
      }
      return '';
    })();
    expect(error).toContain(path);
    expect(error).toMatch(/terms\.block\.1:/);
    expect(error).toMatch(/terms\.block\.2: term must contain at least one letter or digit/);
  });

  it('rejects an unknown key so a typo does not silently disable a rule', () => {
    const path = write('typo.yaml', 'terms:\n  blok: [badword]\n');
    expect(() => loadPolicyFile(path)).toThrow(/terms: .*blok/);
  });

  it('rejects a * that is not at the end of a sender entry', () => {
    const path = write('sender.yaml', 'senders:\n  deny: ["arn:*:user/x"]\n');
    expect(() => loadPolicyFile(path)).toThrow(/senders\.deny\.0/);
  });

  it('reports a YAML syntax error with the file name', () => {
    const path = write('broken.yaml', 'terms:\n  block: [unclosed\n');
    expect(() => loadPolicyFile(path)).toThrow(new RegExp(`${path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} is not valid YAML`));
  });

  it('reports a JSON syntax error with the file name', () => {
    const path = write('broken.json', '{"terms": ');
    expect(() => loadPolicyFile(path)).toThrow(/broken\.json is not valid JSON/);
  });

  it('reports a missing file with its name', () => {
    expect(() => loadPolicyFile(join(dir, 'missing.yaml'))).toThrow(/Cannot read policy file .*missing\.yaml/);
  });

  it('rejects an unsupported extension', () => {
    const path = write('p.txt', 'terms: {}');
    expect(() => loadPolicyFile(path)).toThrow(/p\.txt: expected a \.yaml, \.yml or \.json/);
  });
});

describe('resolvePolicyPath', () => {
  it('returns the configured path when one is given', () => {
    expect(resolvePolicyPath('/etc/policy.yaml')).toBe('/etc/policy.yaml');
  });

  it('uses the Lambda task root when the file was packaged there', () => {
    mkdirSync(join(dir, 'policy'));
    writeFileSync(join(dir, 'policy', 'default.yaml'), '{}');
    vi.stubEnv('LAMBDA_TASK_ROOT', dir);
    expect(resolvePolicyPath()).toBe(join(dir, 'policy', 'default.yaml'));
  });

  it('falls back to the repository file when the task root has none', () => {
    vi.stubEnv('LAMBDA_TASK_ROOT', dir);
    expect(resolvePolicyPath()).toBe(DEFAULT_POLICY_FILE);
  });

  it('falls back to the repository file outside Lambda', () => {
    vi.stubEnv('LAMBDA_TASK_ROOT', undefined);
    expect(resolvePolicyPath(undefined)).toBe(DEFAULT_POLICY_FILE);
  });
});
