import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalStack } from '../../src/local/stack.js';
import { startLocalStack } from '../../src/local/stack.js';
import { chimeClient, sendMessage, startTestStack, waitForItem, waitForStatus } from '../support/stack.js';

describe('a policy loaded through POLICY_FILE', () => {
  const dir = mkdtempSync(join(tmpdir(), 'policy-'));
  const file = join(dir, 'fruit.json');
  let stack: LocalStack;
  let chime: ReturnType<typeof chimeClient>;

  beforeAll(async () => {
    writeFileSync(file, JSON.stringify({ terms: { block: ['pineapple pizza'], review: ['durian'] } }));
    stack = await startTestStack({ env: { POLICY_FILE: file } });
    chime = chimeClient(stack);
  });
  afterAll(async () => {
    chime?.destroy();
    await stack?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('replaces the default policy', async () => {
    const denied = await sendMessage(chime, 'who orders Pineapple-Pizza anyway');
    await waitForStatus(chime, denied, 'DENIED');
    const held = await sendMessage(chime, 'durian smoothie?');
    expect((await waitForItem(stack, held, (i) => i.status === 'PENDING_REVIEW')).policy?.ruleIds).toEqual(['terms.review']);
    // The default policy's terms and PII rules are not in this file: they no longer apply.
    const allowed = await sendMessage(chime, 'scamcoin, mail me at a@example.com');
    await waitForStatus(chime, allowed, 'SENT');
  });

  it('stops the stack at start with a message naming the file when the policy is invalid', async () => {
    const broken = join(dir, 'broken.yaml');
    writeFileSync(broken, 'terms:\n  blok: [x]\n');
    await expect(startLocalStack({ chimePort: 0, lambdaPort: 0, apiPort: 0, issuerKeyFile: null, sweepIntervalSeconds: 0, logLevel: 'SILENT', env: { ...process.env, POLICY_FILE: broken } })).rejects.toThrow(
      new RegExp(`${broken.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}[\\s\\S]*terms`),
    );
  });
});
