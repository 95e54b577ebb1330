/**
 * The community settings of live policies, against the real policy store on a real DynamoDB
 * endpoint (dynalite, or DYNAMODB_ENDPOINT): the review API's and the sweeper's light loader
 * (LiveCommunityPolicies: nothing compiled) and the worker's (LivePolicies.community: from the
 * chains it compiles anyway). Both keep the live-policy rules: a change applies within
 * POLICY_REFRESH_SECONDS with one version check per interval, POLICY_FILE stands in for an unset
 * global, and the last good settings stay in use while the store cannot be read.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DynamoDbPolicyStore } from '../../src/adapters/dynamodb-policy-store.js';
import { PolicyUnavailableError } from '../../src/errors.js';
import { DEFAULT_COMMUNITY_POLICY } from '../../src/policy/community.js';
import { LiveCommunityPolicies } from '../../src/policy/live-community.js';
import { LivePolicies } from '../../src/policy/live.js';
import type { ScopedPolicyDocument } from '../../src/policy/schema.js';
import type { PolicyHead, PolicyReader } from '../../src/policy/store.js';
import { aMessage } from '../support/factories.js';
import { CuttableProxy, startPolicyBackends, type PolicyBackends } from '../support/policies.js';
import { AdjustableClock } from '../support/wait.js';

/** POLICY_FILE: a blocklist (the worker compiles it), and the community settings global stands for. */
const SEED: ScopedPolicyDocument = { terms: { block: ['scamcoin'] }, notices: { deny: { text: 'Seed says no: {reason}' } }, strikes: { decay: '10d' } };
const REFRESH_SECONDS = 10;
const DAY = 86_400;
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

/** An app instance of its own per test, so that no test sees another's stored scopes. */
function freshChain() {
  const app = `arn:aws:chime:us-east-1:123456789012:app-instance/${randomUUID()}`;
  return { app, channel: (name: string = randomUUID()) => `${app}/channel/${name}` };
}

describe('live community settings (against a real DynamoDB endpoint)', () => {
  let backends: PolicyBackends;
  beforeAll(async () => {
    backends = await startPolicyBackends();
  });
  afterAll(() => backends?.stop());

  const put = async (store: DynamoDbPolicyStore, scope: string, document: ScopedPolicyDocument) => {
    const current = (await store.getHead(scope))?.version ?? 0;
    return store.commit({ scope, expectedVersion: current, kind: 'put', mode: document.mode ?? 'enforce', actor: admin, comment: 'test', now: Date.now(), document });
  };
  const remove = (store: DynamoDbPolicyStore, scope: string, expectedVersion: number) =>
    store.commit({ scope, expectedVersion, kind: 'delete', mode: 'enforce', actor: admin, comment: 'cleanup', now: Date.now() });

  function light(reader: PolicyReader, clock: AdjustableClock, checkTimeoutMs?: number) {
    const storeErrors: unknown[] = [];
    const policies = new LiveCommunityPolicies({
      reader,
      seed: SEED,
      refreshSeconds: REFRESH_SECONDS,
      clock,
      ...(checkTimeoutMs !== undefined ? { checkTimeoutMs } : {}),
      onStoreError: (error) => storeErrors.push(error),
    });
    return { policies, storeErrors };
  }

  describe('LiveCommunityPolicies (the review API, the sweeper)', () => {
    it('answers from POLICY_FILE while nothing is stored, defaults filled in', async () => {
      const { policies } = light(backends.store, new AdjustableClock());
      const policy = await policies.forChannel(freshChain().channel());
      expect(policy.notices.deny).toEqual({ enabled: true, text: 'Seed says no: {reason}' });
      expect(policy.strikes.decaySeconds).toBe(10 * DAY);
      expect(policy.reports).toEqual(DEFAULT_COMMUNITY_POLICY.reports);
      expect(policy.escalation).toEqual([]);
    });

    it('applies a stored change within POLICY_REFRESH_SECONDS, with one version check per interval and one load per version', async () => {
      const clock = new AdjustableClock();
      const reader = new CountingReader(backends.store);
      const { policies } = light(reader, clock);
      const { app, channel } = freshChain();
      const kids = channel('kids');
      const other = channel('other');
      expect((await policies.forChannel(kids)).escalation).toEqual([]);
      await policies.forChannel(other);
      const headsBefore = reader.heads;

      await put(backends.store, app, { escalation: [{ strikes: 3, within: '24h', action: 'HOLD', for: '24h' }], appeals: { window: '7d' } });
      await put(backends.store, kids, { appeals: { allowance: '1h' }, cannedReasons: { deny: ['Homework answers'] } });
      // Inside the interval: the cached answer stands, and no call is made.
      for (let i = 0; i < 20; i++) expect((await policies.forChannel(kids)).escalation).toEqual([]);
      expect(reader.heads).toBe(headsBefore);

      clock.advance(REFRESH_SECONDS * 1000);
      const [kidsPolicy, otherPolicy] = await Promise.all([policies.forChannel(kids), policies.forChannel(other)]);
      expect(kidsPolicy.escalation).toEqual([{ strikes: 3, withinSeconds: DAY, action: 'HOLD', forSeconds: DAY, scope: 'channel', notify: true }]);
      expect(kidsPolicy.appeals).toEqual({ windowSeconds: 7 * DAY, allowanceSeconds: 3600 });
      expect(kidsPolicy.cannedReasons.deny).toEqual(['Homework answers']);
      expect(kidsPolicy.notices.deny.text).toBe('Seed says no: {reason}');
      // The app instance's change reaches its other channel too; the channel's own does not.
      expect(otherPolicy.appeals).toEqual({ windowSeconds: 7 * DAY, allowanceSeconds: DAY });
      expect(reader.heads).toBe(headsBefore + 1);
      expect(reader.documents).toBe(2);
      // Per chain of versions, built once: the same answer until a scope moves.
      expect(await policies.forChannel(kids)).toBe(kidsPolicy);
    });

    it('keeps the last good settings while the store is unreachable, says so once per interval, and catches up when it is back', async () => {
      const target = new URL(backends.dynamodbEndpoint);
      const proxy = new CuttableProxy({ host: target.hostname, port: Number(target.port) });
      await proxy.start();
      const through = backends.storeThrough(proxy);
      try {
        const clock = new AdjustableClock();
        const { policies, storeErrors } = light(through.store, clock, 1000);
        const { channel } = freshChain();
        const room = channel();
        await put(backends.store, room, { strikes: { decay: '2d' } });
        expect((await policies.forChannel(room)).strikes.decaySeconds).toBe(2 * DAY);

        await proxy.cut();
        await put(backends.store, room, { strikes: { decay: '3d' } });
        clock.advance(REFRESH_SECONDS * 1000);
        for (let i = 0; i < 10; i++) expect((await policies.forChannel(room)).strikes.decaySeconds).toBe(2 * DAY);
        expect(storeErrors).toHaveLength(1);
        // A channel never read has no last good settings: an error to retry on, never a guess.
        await expect(policies.forChannel(channel())).rejects.toBeInstanceOf(PolicyUnavailableError);

        await proxy.start();
        clock.advance(REFRESH_SECONDS * 1000);
        expect((await policies.forChannel(room)).strikes.decaySeconds).toBe(3 * DAY);
      } finally {
        through.destroy();
        await proxy.cut();
      }
    });

    it('never applies a shadow scope’s settings, and goes back to the inherited ones when a scope is deleted', async () => {
      const clock = new AdjustableClock();
      const { policies } = light(backends.store, clock);
      const { app, channel } = freshChain();
      const room = channel();
      const shadow = await put(backends.store, app, { mode: 'shadow', notices: { deny: false }, escalation: [{ strikes: 1, within: '1h', action: 'BAN', for: '1d' }] });
      const own = await put(backends.store, room, { notices: { hold: { enabled: true } } });
      const policy = await policies.forChannel(room);
      expect(policy.notices.deny.enabled).toBe(true);
      expect(policy.notices.hold.enabled).toBe(true);
      expect(policy.escalation).toEqual([]);

      await remove(backends.store, room, own.version);
      await remove(backends.store, app, shadow.version);
      clock.advance(REFRESH_SECONDS * 1000);
      expect((await policies.forChannel(room)).notices.hold.enabled).toBe(false);
    });
  });

  describe('LivePolicies.community (the worker)', () => {
    it('answers from the chain it judges messages by, with no read of its own, and moves with it', async () => {
      const clock = new AdjustableClock();
      const reader = new CountingReader(backends.store);
      const compiled: number[] = [];
      const policies = new LivePolicies({ reader, seed: SEED, refreshSeconds: REFRESH_SECONDS, clock, onCompiled: () => compiled.push(1) });
      const { app, channel } = freshChain();
      const room = channel();
      await put(backends.store, app, { terms: { block: ['zorblax'] }, rules: { 'terms.block': { publicReason: 'it uses a word this school does not allow' } } });

      const verdict = await policies.evaluate(aMessage({ channelArn: room, content: 'zorblax!' }));
      expect(verdict.action).toBe('DENY');
      const reads = { heads: reader.heads, documents: reader.documents, compiled: compiled.length };
      const policy = await policies.community(room);
      expect(policy.rules['terms.block']).toEqual({ publicReason: 'it uses a word this school does not allow', strike: true });
      expect(policy.notices.deny.text).toBe('Seed says no: {reason}');
      expect(await policies.forChannel(room)).toBe(policy);
      expect({ heads: reader.heads, documents: reader.documents, compiled: compiled.length }).toEqual(reads);
      // Another channel of the same chain of versions shares the compiled chain and its settings.
      expect(await policies.community(channel())).toBe(policy);

      await put(backends.store, room, { rules: { 'terms.block': { strike: false } } });
      clock.advance(REFRESH_SECONDS * 1000);
      expect((await policies.community(room)).rules['terms.block']).toEqual({ publicReason: 'it uses a word this school does not allow', strike: false });
      expect((await policies.evaluate(aMessage({ channelArn: room, content: 'zorblax!' }))).versions.map((v) => v.scope)).toEqual(['global', app, room]);
    });
  });
});
