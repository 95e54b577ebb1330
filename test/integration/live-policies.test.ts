import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DynamoDbPolicyStore } from '../../src/adapters/dynamodb-policy-store.js';
import { PolicyUnavailableError } from '../../src/errors.js';
import { LivePolicies, type LivePoliciesOptions } from '../../src/policy/live.js';
import type { PolicyLayerRef } from '../../src/policy/merge.js';
import type { ScopedPolicyDocument } from '../../src/policy/schema.js';
import type { PolicyHead, PolicyReader } from '../../src/policy/store.js';
import { aMessage, channelArn } from '../support/factories.js';
import { CuttableProxy, startPolicyBackends, type PolicyBackends } from '../support/policies.js';
import { AdjustableClock } from '../support/wait.js';

const SEED: ScopedPolicyDocument = { terms: { block: ['scamcoin'] } };
const REFRESH_SECONDS = 10;
const admin = { id: 'sub-admin', name: 'admin' };

/** The real adapter, with its calls counted (a wrapper, not a mock: every call reaches DynamoDB). */
class CountingReader implements PolicyReader {
  heads = 0;
  documents = 0;
  constructor(private readonly inner: PolicyReader) {}
  getHeads(scopes: readonly string[], options?: { timeoutMs?: number }) {
    this.heads++;
    return this.inner.getHeads(scopes, options);
  }
  loadDocument(head: PolicyHead, options?: { timeoutMs?: number }) {
    this.documents++;
    return this.inner.loadDocument(head, options);
  }
}

describe('live policies in a worker container (against a real DynamoDB endpoint)', () => {
  let backends: PolicyBackends;
  beforeAll(async () => {
    backends = await startPolicyBackends();
  });
  afterAll(() => backends?.stop());

  const put = async (store: DynamoDbPolicyStore, scope: string, document: ScopedPolicyDocument) => {
    const current = (await store.getHead(scope))?.version ?? 0;
    return store.commit({ scope, expectedVersion: current, kind: 'put', mode: document.mode ?? 'enforce', actor: admin, comment: 'test', now: Date.now(), document });
  };

  function live(reader: PolicyReader, clock: AdjustableClock, extra: Partial<LivePoliciesOptions> = {}) {
    const events = { storeErrors: [] as unknown[], compiled: [] as PolicyLayerRef[][] };
    const policies = new LivePolicies({
      reader,
      seed: SEED,
      refreshSeconds: REFRESH_SECONDS,
      clock,
      onStoreError: (error) => events.storeErrors.push(error),
      onCompiled: ({ versions }) => events.compiled.push(versions),
      ...extra,
    });
    return { policies, events };
  }

  const judge = (policies: LivePolicies, channel: string, content: string) => policies.evaluate(aMessage({ channelArn: channel, content }));

  it('judges by POLICY_FILE (global version 0) while nothing is stored, and records it', async () => {
    // A fresh table per test would be cleaner; global is shared here, so this runs first.
    const { policies } = live(backends.store, new AdjustableClock());
    const verdict = await judge(policies, channelArn(), 'buy scamcoin');
    expect(verdict.action).toBe('DENY');
    expect(verdict.versions).toEqual([{ scope: 'global', version: 0, mode: 'enforce' }]);
  });

  it('applies a stored change within POLICY_REFRESH_SECONDS, compiled once, with one version check per interval', async () => {
    const clock = new AdjustableClock();
    const reader = new CountingReader(backends.store);
    const { policies, events } = live(reader, clock);
    const kids = channelArn();
    const other = channelArn();
    expect((await judge(policies, kids, 'I dare you')).action).toBe('ALLOW');
    const headsAfterFirst = reader.heads;

    const v1 = await put(backends.store, kids, { terms: { block: ['dare'] } });
    // Inside the interval: the cached (negative) answer stands, and no call is made.
    for (let i = 0; i < 50; i++) expect((await judge(policies, kids, 'I dare you')).action).toBe('ALLOW');
    expect(reader.heads).toBe(headsAfterFirst);

    clock.advance(REFRESH_SECONDS * 1000);
    const compiledBefore = events.compiled.length;
    for (let i = 0; i < 50; i++) {
      const verdict = await judge(policies, kids, 'I dare you');
      expect(verdict.action).toBe('DENY');
      expect(verdict.versions).toEqual([
        { scope: 'global', version: 0, mode: 'enforce' },
        { scope: kids, version: v1.version, mode: 'enforce' },
      ]);
    }
    expect(reader.heads).toBe(headsAfterFirst + 1);
    expect(reader.documents).toBe(1);
    expect(events.compiled.length - compiledBefore).toBe(1);
    // The same message elsewhere: another channel is not touched by it.
    expect((await judge(policies, other, 'I dare you')).action).toBe('ALLOW');
  });

  it('does not let lookups of new channels postpone the next check of the scopes in use', async () => {
    const clock = new AdjustableClock();
    const { policies } = live(backends.store, clock);
    const busy = channelArn();
    expect((await judge(policies, busy, 'quokka')).action).toBe('ALLOW');
    await put(backends.store, busy, { terms: { block: ['quokka'] } });
    // New channels keep arriving inside the interval; each needs a lookup of its own scopes.
    for (let i = 0; i < 4; i++) {
      clock.advance((REFRESH_SECONDS * 1000) / 4);
      await judge(policies, channelArn(), 'hello');
    }
    expect((await judge(policies, busy, 'quokka')).action).toBe('DENY');
  });

  it('shares one version check between concurrent messages', async () => {
    const clock = new AdjustableClock();
    const reader = new CountingReader(backends.store);
    const { policies } = live(reader, clock);
    const channels = Array.from({ length: 5 }, () => channelArn());
    await Promise.all(channels.map((c) => judge(policies, c, 'hello')));
    clock.advance(REFRESH_SECONDS * 1000);
    const before = reader.heads;
    await Promise.all(Array.from({ length: 40 }, (_, i) => judge(policies, channels[i % channels.length]!, 'hello')));
    expect(reader.heads).toBe(before + 1);
  });

  it('keeps deciding with the last good policy while the store is unreachable, says so, and catches up when it is back', async () => {
    const target = new URL(backends.dynamodbEndpoint);
    const proxy = new CuttableProxy({ host: target.hostname, port: Number(target.port) });
    await proxy.start();
    const through = backends.storeThrough(proxy);
    try {
      const clock = new AdjustableClock();
      const { policies, events } = live(through.store, clock, { checkTimeoutMs: 1000 });
      const channel = channelArn();
      const v1 = await put(backends.store, channel, { terms: { block: ['phish'] } });
      expect((await judge(policies, channel, 'phish here')).action).toBe('DENY');

      await proxy.cut();
      await put(backends.store, channel, { terms: { block: ['other'] } });
      clock.advance(REFRESH_SECONDS * 1000);
      const during = await judge(policies, channel, 'phish here');
      expect(during.action).toBe('DENY');
      expect(during.versions.at(-1)).toEqual({ scope: channel, version: v1.version, mode: 'enforce' });
      expect(events.storeErrors.length).toBe(1);
      // Not retried per message: the next check waits for the next interval.
      for (let i = 0; i < 20; i++) await judge(policies, channel, 'phish here');
      expect(events.storeErrors.length).toBe(1);

      // A channel never seen has no last good policy: the message is retried later, not guessed.
      await expect(judge(policies, channelArn(), 'hello')).rejects.toBeInstanceOf(PolicyUnavailableError);

      await proxy.start();
      clock.advance(REFRESH_SECONDS * 1000);
      const after = await judge(policies, channel, 'phish here');
      expect(after.action).toBe('ALLOW');
      expect(after.versions.at(-1)?.version).toBe(v1.version + 1);
    } finally {
      through.destroy();
      await proxy.cut();
    }
  });

  it('records the shadow verdict beside the applied one when a scope of the chain is in shadow mode', async () => {
    const clock = new AdjustableClock();
    const { policies } = live(backends.store, clock);
    const channel = channelArn();
    const app = channel.slice(0, channel.lastIndexOf('/channel/'));
    const shadowApp = await put(backends.store, app, { mode: 'shadow', terms: { block: ['crypto'] } });
    try {
      const verdict = await judge(policies, channel, 'crypto tips');
      expect(verdict.action).toBe('ALLOW');
      expect(verdict.versions.map((v) => v.scope)).toEqual(['global']);
      expect(verdict.shadow).toMatchObject({ action: 'DENY', ruleIds: ['terms.block'] });
      expect(verdict.shadow?.versions.map((v) => `${v.scope}@${v.version}:${v.mode}`)).toEqual(['global@0:enforce', `${app}@${shadowApp.version}:shadow`]);
    } finally {
      // The app instance is shared by every channel of these tests: leave it without a policy.
      await backends.store.commit({ scope: app, expectedVersion: shadowApp.version, kind: 'delete', mode: 'enforce', actor: admin, comment: 'cleanup', now: Date.now() });
    }
  });

  it('goes back to the inherited policy when a scope is deleted', async () => {
    const clock = new AdjustableClock();
    const { policies } = live(backends.store, clock);
    const channel = channelArn();
    const v1 = await put(backends.store, channel, { terms: { block: ['gone'] } });
    expect((await judge(policies, channel, 'gone')).action).toBe('DENY');
    await backends.store.commit({ scope: channel, expectedVersion: v1.version, kind: 'delete', mode: 'enforce', actor: admin, comment: 'x', now: Date.now() });
    clock.advance(REFRESH_SECONDS * 1000);
    const verdict = await judge(policies, channel, 'gone');
    expect(verdict.action).toBe('ALLOW');
    expect(verdict.versions.map((v) => v.scope)).toEqual(['global']);
  });
});
