import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalStack } from '../../src/local/stack.js';
import { APP_INSTANCE, channelArn } from '../support/factories.js';
import { manyTerms } from '../support/policies.js';
import { api, startReviewStack, tokenFor } from '../support/review.js';

const at = (scope: string, suffix = '') => `/policies/${encodeURIComponent(scope)}${suffix}`;

describe('live policies through the review API', () => {
  let stack: LocalStack;
  let admin: string;
  let otherAdmin: string;
  let moderator: string;

  beforeAll(async () => {
    stack = await startReviewStack();
    admin = await tokenFor(stack, 'ada', ['admins']);
    otherAdmin = await tokenFor(stack, 'grace', ['moderators', 'admins']);
    moderator = await tokenFor(stack, 'mo', ['moderators']);
  });
  afterAll(async () => {
    await stack?.stop();
  });

  const put = (scope: string, document: unknown, options: { token?: string; expectedVersion?: number; comment?: string } = {}) =>
    api(stack, 'PUT', at(scope), {
      token: options.token ?? admin,
      json: { document, comment: options.comment ?? 'test', ...(options.expectedVersion !== undefined ? { expectedVersion: options.expectedVersion } : {}) },
    });

  describe('reading', () => {
    it('shows global as the bundled POLICY_FILE (version 0) while nothing is stored', async () => {
      const list = await api(stack, 'GET', '/policies', { token: moderator });
      expect(list.status, list.text).toBe(200);
      expect(list.body.items[0]).toEqual({ scope: 'global', kind: 'global', version: 0, mode: 'enforce', source: 'POLICY_FILE', updatedBy: null, updatedAt: null, comment: null });
      const global = await api(stack, 'GET', at('global'), { token: moderator });
      expect(global.status).toBe(200);
      expect(global.body).toMatchObject({ version: 0, source: 'POLICY_FILE', document: { description: 'Default policy shipped with chime-flow-moderation.', terms: { block: expect.arrayContaining(['scamcoin']) } } });
    });

    it('answers 404 for a scope with no policy of its own, and its inherited policy with ?effective=true', async () => {
      const channel = channelArn();
      const missing = await api(stack, 'GET', at(channel), { token: moderator });
      expect(missing.status).toBe(404);
      expect(missing.headers.get('content-type')).toMatch(/application\/problem\+json/);
      expect(missing.body.detail).toMatch(/effective=true/);
      const effective = await api(stack, 'GET', at(channel, '?effective=true'), { token: moderator });
      expect(effective.status, effective.text).toBe(200);
      expect(effective.body).toMatchObject({ scope: channel, kind: 'channel', version: 0, source: 'none', document: null, effective: { layers: [{ scope: 'global', version: 0, mode: 'enforce' }] } });
    });

    it.each([
      ['not-a-scope', /global/],
      [`${APP_INSTANCE}/user/bob`, /app instance ARN/],
      ['arn:aws:chime:us-east-1:123456789012:app-instance/x/channel/y/extra', /channel ARN/],
    ])('refuses the scope %j with 400 naming path.scope', async (scope, message) => {
      const response = await api(stack, 'GET', at(scope), { token: moderator });
      expect(response.status).toBe(400);
      expect(response.body.errors).toEqual([{ path: 'path.scope', message: expect.stringMatching(message) }]);
    });
  });

  describe('changing (admins only)', () => {
    it('stores a version with who, when and why; lists it; merges it into the effective policy', async () => {
      // An app instance of its own: the other tests' channels (factories' APP_INSTANCE) must not inherit from it.
      const app = `arn:aws:chime:us-east-1:123456789012:app-instance/${randomUUID()}`;
      const channel = `${app}/channel/kids`;
      const appPut = await put(app, { terms: { block: ['pyramid scheme'] }, pii: { action: 'REVIEW' } }, { comment: 'app rules' });
      expect(appPut.status, appPut.text).toBe(200);
      const response = await put(channel, { terms: { block: ['dare'] }, pii: { action: 'DENY' }, remove: { terms: { review: ['refund'] } } }, { expectedVersion: 0, comment: 'kids channel' });
      expect(response.status, response.text).toBe(200);
      expect(response.body).toMatchObject({ scope: channel, kind: 'channel', version: 1, mode: 'enforce', source: 'store', updatedBy: { name: 'ada' }, comment: 'kids channel', updatedAt: expect.any(String) });

      const got = await api(stack, 'GET', at(channel, '?effective=true'), { token: moderator });
      expect(got.status).toBe(200);
      expect(got.body.document).toEqual({ terms: { block: ['dare'] }, pii: { action: 'DENY' }, remove: { terms: { review: ['refund'] } } });
      const effective = got.body.effective;
      expect(effective.layers.map((l: { scope: string; version: number }) => `${l.scope}@${l.version}`)).toEqual(['global@0', `${app}@${appPut.body.version}`, `${channel}@1`]);
      expect(effective.document.terms.block).toEqual(expect.arrayContaining(['scamcoin', 'pyramid scheme', 'dare']));
      expect(effective.document.terms.review).not.toContain('refund');
      expect(effective.document.pii).toMatchObject({ action: 'DENY', email: true });
      expect(effective.unmatchedRemovals).toEqual([]);

      const list = await api(stack, 'GET', '/policies?limit=100', { token: moderator });
      expect(list.body.items.map((i: { scope: string }) => i.scope)).toEqual(expect.arrayContaining(['global', app, channel]));
    });

    it('merges the community sections of the enforced scopes into the effective settings, defaults filled in', async () => {
      const app = `arn:aws:chime:us-east-1:123456789012:app-instance/${randomUUID()}`;
      const channel = `${app}/channel/kids`;
      const ladder = [{ strikes: 3, within: '24h', action: 'HOLD', for: '24h' }];
      expect((await put(app, { escalation: ladder, appeals: { window: '7d' }, cannedReasons: { deny: ['Spam', 'Homework answers'] } })).status).toBe(200);
      const response = await put(channel, { rules: { 'terms.block': { strike: false } }, notices: { hold: { enabled: true } }, cannedReasons: { deny: ['Spam', 'Cheating'] } });
      expect(response.status, response.text).toBe(200);

      const got = await api(stack, 'GET', at(channel, '?effective=true'), { token: moderator });
      expect(got.status, got.text).toBe(200);
      const community = got.body.effective.community;
      expect(community.escalation).toEqual([{ strikes: 3, withinSeconds: 86_400, action: 'HOLD', forSeconds: 86_400, scope: 'channel', notify: true }]);
      expect(community.appeals).toEqual({ windowSeconds: 7 * 86_400, allowanceSeconds: 86_400 });
      expect(community.rules['terms.block']).toEqual({ publicReason: 'it contains language this channel does not allow', strike: false });
      expect(community.notices.hold.enabled).toBe(true);
      // The bundled file's canned reasons, then the app instance's and the channel's, each once.
      expect(community.cannedReasons.deny).toEqual(['Spam or advertising', 'Harassment of another member', 'Hate speech', 'Personal information', 'Off-topic for this channel', 'Spam', 'Homework answers', 'Cheating']);
      expect(community.reports.categories['self-harm']).toEqual({ label: 'Self-harm', severity: 5, slaSeconds: 900 });
      // The rules' merged document stays the engine's: no community section in it.
      expect(Object.keys(got.body.effective.document)).not.toContain('escalation');
    });

    it('answers 403 to a moderator’s PUT, rollback and DELETE, and stores nothing', async () => {
      const channel = channelArn();
      const response = await put(channel, { terms: { block: ['x1'] } }, { token: moderator });
      expect(response.status).toBe(403);
      expect(response.body).toMatchObject({ type: expect.stringMatching(/admins-only$/), requiredGroups: ['admins'] });
      expect((await api(stack, 'POST', at(channel, '/rollback'), { token: moderator, json: { version: 1, comment: 'x' } })).status).toBe(403);
      expect((await api(stack, 'DELETE', at(channel, '?comment=x'), { token: moderator })).status).toBe(403);
      expect((await api(stack, 'GET', at(channel), { token: admin })).status).toBe(404);
      // Even an invalid body is refused for the role first: who may ask is settled before what they ask.
      expect((await put(channel, { terms: 'nonsense' }, { token: moderator })).status).toBe(403);
    });

    it('answers 409 to a stale expectedVersion, naming the current version and who set it', async () => {
      const channel = channelArn();
      await put(channel, { terms: { block: ['one'] } });
      await put(channel, { terms: { block: ['two'] } }, { token: otherAdmin, expectedVersion: 1 });
      const stale = await put(channel, { terms: { block: ['three'] } }, { expectedVersion: 1 });
      expect(stale.status).toBe(409);
      expect(stale.body).toMatchObject({ type: expect.stringMatching(/policy-version-conflict$/), scope: channel, expectedVersion: 1, currentVersion: 2, updatedBy: { name: 'grace' } });
      expect((await api(stack, 'GET', at(channel), { token: admin })).body.document).toEqual({ terms: { block: ['two'] } });
    });

    it('lets exactly one of two admins writing from the same version win (200 and 409), every time', async () => {
      const channel = channelArn();
      await put(channel, { terms: { block: ['base'] } });
      for (let round = 1; round <= 5; round++) {
        const [a, b] = await Promise.all([
          put(channel, { terms: { block: [`ada${round}`] } }, { expectedVersion: round }),
          put(channel, { terms: { block: [`grace${round}`] } }, { token: otherAdmin, expectedVersion: round }),
        ]);
        expect([a.status, b.status].sort()).toEqual([200, 409]);
        const winner = a.status === 200 ? a : b;
        const current = await api(stack, 'GET', at(channel), { token: admin });
        expect(current.body).toMatchObject({ version: round + 1, document: winner.body.document });
      }
    });

    it('keeps the history newest first, paged with signed cursors, and rolls back to an old version as a new one', async () => {
      const channel = channelArn();
      for (const term of ['v1term', 'v2term', 'v3term']) await put(channel, { terms: { block: [term] } }, { comment: `add ${term}` });
      const first = await api(stack, 'GET', at(channel, '/versions?limit=2'), { token: moderator });
      expect(first.status).toBe(200);
      expect(first.body.items.map((v: { version: number; comment: string }) => [v.version, v.comment])).toEqual([
        [3, 'add v3term'],
        [2, 'add v2term'],
      ]);
      const second = await api(stack, 'GET', at(channel, `/versions?limit=2&cursor=${first.body.next}`), { token: moderator });
      expect(second.body.items.map((v: { version: number }) => v.version)).toEqual([1]);
      expect(second.body.next).toBeUndefined();
      const forged = await api(stack, 'GET', at(channelArn(), `/versions?limit=2&cursor=${first.body.next}`), { token: moderator });
      expect(forged.status).toBe(400);

      const rolled = await api(stack, 'POST', at(channel, '/rollback'), { token: admin, json: { version: 1, comment: 'v2 and v3 were wrong', expectedVersion: 3 } });
      expect(rolled.status, rolled.text).toBe(200);
      expect(rolled.body).toMatchObject({ version: 4, document: { terms: { block: ['v1term'] } } });
      const history = await api(stack, 'GET', at(channel, '/versions'), { token: moderator });
      expect(history.body.items[0]).toMatchObject({ version: 4, kind: 'rollback', restoredVersion: 1, comment: 'v2 and v3 were wrong', updatedBy: { name: 'ada' } });
      expect((await api(stack, 'POST', at(channel, '/rollback'), { token: admin, json: { version: 99, comment: 'x' } })).status).toBe(404);
    });

    it('deletes any scope but global; the scope then inherits again and its history stays', async () => {
      const global = await api(stack, 'DELETE', at('global', '?comment=no'), { token: admin });
      expect(global.status).toBe(400);
      expect(global.body.errors).toEqual([{ path: 'path.scope', message: 'must not be global' }]);

      const channel = channelArn();
      await put(channel, { terms: { block: ['temporary'] } });
      const deleted = await api(stack, 'DELETE', at(channel, `?comment=${encodeURIComponent('campaign over')}&expectedVersion=1`), { token: admin });
      expect(deleted.status, deleted.text).toBe(200);
      expect(deleted.body).toMatchObject({ scope: channel, version: 2, kind: 'delete', deleted: true, comment: 'campaign over' });
      expect((await api(stack, 'GET', at(channel), { token: admin })).status).toBe(404);
      expect((await api(stack, 'DELETE', at(channel, '?comment=again'), { token: admin })).status).toBe(404);
      expect((await api(stack, 'GET', at(channel, '/versions'), { token: admin })).body.items.map((v: { version: number }) => v.version)).toEqual([2, 1]);
      const list = await api(stack, 'GET', '/policies?limit=100', { token: admin });
      expect(list.body.items.map((i: { scope: string }) => i.scope)).not.toContain(channel);
    });

    it('takes a 100,000-term policy (over the API’s usual 64 KB body limit) and refuses bodies over 4 MB with 413', async () => {
      const channel = channelArn();
      const terms = manyTerms(100_000);
      const response = await put(channel, { terms: { block: terms } }, { comment: 'the big list' });
      expect(response.status, response.text.slice(0, 500)).toBe(200);
      expect(response.body.bytes).toBeGreaterThan(1_000_000);
      const got = await api(stack, 'GET', at(channel), { token: moderator });
      expect(got.body.document.terms.block).toHaveLength(100_000);
      expect(got.body.document.terms.block[77_777]).toBe(terms[77_777]);

      const huge = await put(channelArn(), { description: 'x'.repeat(4 * 1024 * 1024 + 1) });
      expect(huge.status).toBe(413);
      expect(huge.body).toMatchObject({ type: expect.stringMatching(/payload-too-large$/), maxBytes: 4 * 1024 * 1024 });
      // Everywhere else the usual limit stands.
      expect((await api(stack, 'POST', '/reviews/decisions', { token: admin, json: { decisions: [], pad: 'x'.repeat(70 * 1024) } })).status).toBe(413);
    });
  });

  describe('invalid documents: 400 problem+json naming every field, nothing stored', () => {
    const CASES: Array<[string, unknown, string[]]> = [
      ['an unknown terms key', { terms: { blok: ['x'] } }, ['body.document.terms.blok']],
      ['a term list that is a string', { terms: { block: 'scam' } }, ['body.document.terms.block']],
      ['an empty term', { terms: { block: [''] } }, ['body.document.terms.block.0']],
      ['a term without letters or digits', { terms: { block: ['ok', '...'] } }, ['body.document.terms.block.1']],
      ['a phrase of seven words', { terms: { review: ['one two three four five six seven'] } }, ['body.document.terms.review.0']],
      ['a number as a term', { terms: { block: [42] } }, ['body.document.terms.block.0']],
      ['pii.email that is not a boolean', { pii: { email: 'yes' } }, ['body.document.pii.email']],
      ['pii.action ALLOW', { pii: { action: 'ALLOW' } }, ['body.document.pii.action']],
      ['a section set to true', { pii: true }, ['body.document.pii']],
      ['a section set to null', { links: null }, ['body.document.links']],
      ['an unknown pii key', { pii: { ssn: true } }, ['body.document.pii.ssn']],
      ['links.unknown BLOCK', { links: { unknown: 'BLOCK' } }, ['body.document.links.unknown']],
      ['an empty domain', { links: { allow: [''] } }, ['body.document.links.allow.0']],
      ['a domain list that is a string', { links: { deny: 'bit.ly' } }, ['body.document.links.deny']],
      ['content.maxLength 0', { content: { maxLength: 0 } }, ['body.document.content.maxLength']],
      ['content.maxLength 1.5', { content: { maxLength: 1.5 } }, ['body.document.content.maxLength']],
      ['content.maxLength as a string', { content: { maxLength: '100' } }, ['body.document.content.maxLength']],
      ['content.action UPDATE', { content: { action: 'UPDATE' } }, ['body.document.content.action']],
      ['metadata.requireJson as a string', { metadata: { requireJson: 'true' } }, ['body.document.metadata.requireJson']],
      ['metadata.maxBytes -1', { metadata: { maxBytes: -1 } }, ['body.document.metadata.maxBytes']],
      ['a lower-case action', { metadata: { action: 'deny' } }, ['body.document.metadata.action']],
      ['a sender with * inside', { senders: { allow: ['arn:aws:chime:*:x'] } }, ['body.document.senders.allow.0']],
      ['an empty sender', { senders: { deny: [''] } }, ['body.document.senders.deny.0']],
      ['an unknown senders key', { senders: { block: [] } }, ['body.document.senders.block']],
      ['format version 2', { version: 2 }, ['body.document.version']],
      ['a description that is a number', { description: 5 }, ['body.document.description']],
      ['mode dry-run', { mode: 'dry-run' }, ['body.document.mode']],
      ['an unknown top-level key', { terms: { block: ['x1'] }, extra: true }, ['body.document.extra']],
      ['remove with a string list', { remove: { terms: { block: 'x' } } }, ['body.document.remove.terms.block']],
      ['remove of a section without lists', { remove: { pii: {} } }, ['body.document.remove.pii']],
      ['remove of an empty domain', { remove: { links: { allow: [''] } } }, ['body.document.remove.links.allow.0']],
      ['a term both added and removed', { terms: { block: ['dare'] }, remove: { terms: { block: ['DARE'] } } }, ['body.document.remove.terms.block.0']],
      ['a document that is a list', [], ['body.document']],
      ['a document that is YAML text', 'terms: {block: [x]}', ['body.document']],
      ['a document that is null', null, ['body.document']],
      ['an unknown rule id', { rules: { 'terms.blok': { strike: true } } }, ['body.document.rules.terms.blok']],
      ['a duration without a unit', { strikes: { decay: '30' } }, ['body.document.strikes.decay']],
      ['an SLA under a minute', { reports: { categories: { 'self-harm': { sla: '30s' } } } }, ['body.document.reports.categories.self-harm.sla']],
      ['an unknown report category', { reports: { categories: { phishing: { severity: 3 } } } }, ['body.document.reports.categories.phishing']],
      ['auto-hide by one reporter', { reports: { autoHide: { reporters: 1, within: '1h' } } }, ['body.document.reports.autoHide.reporters']],
      [
        'escalation steps with a made-up action and a scope on a HOLD',
        { escalation: [{ strikes: 3, within: '1h', action: 'MUTE', for: '1h' }, { strikes: 5, within: '1h', action: 'HOLD', for: '400d', scope: 'channel' }] },
        ['body.document.escalation.0.action', 'body.document.escalation.1.for', 'body.document.escalation.1.scope'],
      ],
      ['escalation set to true', { escalation: true }, ['body.document.escalation']],
      ['an appeal URL that is not https', { notices: { appealUrl: 'http://example.com/appeal?ref={ref}' } }, ['body.document.notices.appealUrl']],
      ['a notice text of 1,001 characters', { notices: { deny: { text: 'x'.repeat(1001) } } }, ['body.document.notices.deny.text']],
      ['51 canned reasons', { cannedReasons: { ban: Array.from({ length: 51 }, (_, i) => `reason ${i}`) } }, ['body.document.cannedReasons.ban']],
      [
        'public texts that name a blocked term',
        { terms: { block: ['zorblax'] }, rules: { 'terms.block': { publicReason: 'it said z0rblax' } }, notices: { deny: { text: 'No ZORBLAX: {reason}' } } },
        ['body.document.rules.terms.block.publicReason', 'body.document.notices.deny.text'],
      ],
      [
        'three mistakes at once',
        { terms: { block: [''] }, pii: { action: 'X' }, content: { maxLength: 0 } },
        ['body.document.terms.block.0', 'body.document.pii.action', 'body.document.content.maxLength'],
      ],
    ];

    it.each(CASES)('%s', async (_name, document, paths) => {
      const channel = channelArn();
      const response = await put(channel, document);
      expect(response.status, response.text).toBe(400);
      expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(response.body.type).toMatch(/invalid-request$/);
      expect(response.body.errors.map((e: { path: string }) => e.path).sort()).toEqual([...paths].sort());
      for (const error of response.body.errors) expect(error.message).toEqual(expect.any(String));
      expect((await api(stack, 'GET', at(channel), { token: admin })).status).toBe(404);
      expect((await api(stack, 'GET', at(channel, '/versions'), { token: admin })).body.items).toEqual([]);
    });

    it.each([
      ['remove on global', { remove: { terms: { block: ['scamcoin'] } } }, 'body.document.remove'],
      ['shadow mode on global', { mode: 'shadow' }, 'body.document.mode'],
    ])('refuses %s (global inherits nothing and is always enforced)', async (_name, document, path) => {
      const response = await put('global', document);
      expect(response.status).toBe(400);
      expect(response.body.errors).toEqual([{ path, message: expect.any(String) }]);
      expect((await api(stack, 'GET', at('global'), { token: admin })).body.source).toBe('POLICY_FILE');
    });

    it('lists a document’s problems together with the rest of the body’s', async () => {
      const response = await api(stack, 'PUT', at(channelArn()), { token: admin, json: { document: { terms: { block: [''] } }, expectedVersion: -1 } });
      expect(response.status).toBe(400);
      expect(response.body.errors.map((e: { path: string }) => e.path).sort()).toEqual(['body.comment', 'body.document.terms.block.0', 'body.expectedVersion']);
    });
  });

  describe('POST /policies/test', () => {
    it('gives each message its verdict, redacted content for UPDATE and findings with offsets; sends and writes nothing', async () => {
      const channel = channelArn();
      await put(channel, { terms: { block: ['zorblax'] } });
      const callbacksBefore = stack.simulator.callbacks().length;
      const versionsBefore = (await api(stack, 'GET', at(channel, '/versions'), { token: admin })).body.items.length;
      const messages = [{ content: 'Hello, is a ZORBLAX allowed?' }, { content: 'mail me: jo@example.com' }, { content: 'see you tomorrow' }];
      const response = await api(stack, 'POST', '/policies/test', { token: moderator, json: { scope: channel, messages } });
      expect(response.status, response.text).toBe(200);
      const [blocked, masked, clean] = response.body.results;
      expect(blocked).toMatchObject({ index: 0, action: 'DENY', ruleIds: ['terms.block'], versions: [{ scope: 'global', version: 0 }, { scope: channel, version: 1 }] });
      expect(blocked.findings[0]).toMatchObject({ ruleId: 'terms.block', spans: [{ start: 12, end: 19, text: 'ZORBLAX' }] });
      expect(masked).toMatchObject({ action: 'UPDATE', ruleIds: ['pii.email'], content: expect.not.stringContaining('jo@example.com') });
      expect(masked.findings[0].spans[0]).toMatchObject({ text: 'jo@example.com' });
      expect(clean).toMatchObject({ action: 'ALLOW', findings: [] });
      expect(clean.content).toBeUndefined();
      expect(stack.simulator.callbacks().length).toBe(callbacksBefore);
      expect((await api(stack, 'GET', at(channel, '/versions'), { token: admin })).body.items.length).toBe(versionsBefore);
    });

    it('judges a candidate document merged with what its scope inherits, or alone, or each message by its channel', async () => {
      const channel = channelArn();
      const candidate = { terms: { block: ['fresh scam'] }, remove: { terms: { block: ['scamcoin'] } } };
      const merged = await api(stack, 'POST', '/policies/test', { token: moderator, json: { scope: channel, document: candidate, messages: [{ content: 'a fresh scam' }, { content: 'scamcoin' }, { content: 'refund?' }] } });
      expect(merged.body.results.map((r: { action: string }) => r.action)).toEqual(['DENY', 'ALLOW', 'REVIEW']);
      expect(merged.body.results[0].versions).toEqual([
        { scope: 'global', version: 0, mode: 'enforce' },
        { scope: channel, version: null, mode: 'enforce', candidate: true },
      ]);
      const alone = await api(stack, 'POST', '/policies/test', { token: moderator, json: { document: { terms: { block: ['fresh scam'] } }, messages: [{ content: 'a fresh scam' }, { content: 'refund?' }] } });
      expect(alone.body.results.map((r: { action: string }) => r.action)).toEqual(['DENY', 'ALLOW']);

      const other = channelArn();
      await put(other, { terms: { block: ['onlyhere'] } });
      const byChannel = await api(stack, 'POST', '/policies/test', { token: moderator, json: { messages: [{ content: 'onlyhere', channelArn: other }, { content: 'onlyhere', channelArn: channel }] } });
      expect(byChannel.body.results.map((r: { action: string }) => r.action)).toEqual(['DENY', 'ALLOW']);
      const needsChannel = await api(stack, 'POST', '/policies/test', { token: moderator, json: { messages: [{ content: 'x' }] } });
      expect(needsChannel.status).toBe(400);
      expect(needsChannel.body.errors).toEqual([{ path: 'body.messages.0.channelArn', message: expect.any(String) }]);
    });

    it('validates a candidate like a PUT, every field named', async () => {
      const response = await api(stack, 'POST', '/policies/test', { token: moderator, json: { document: { terms: { block: [''] }, links: { unknown: 'NOPE' } }, messages: [] } });
      expect(response.status).toBe(400);
      expect(response.body.errors.map((e: { path: string }) => e.path).sort()).toEqual(['body.document.links.unknown', 'body.document.terms.block.0', 'body.messages']);
    });
  });

  it('documents every policy route in the OpenAPI document, with the stored document schema', async () => {
    const document = (await api(stack, 'GET', '/openapi.json')).body;
    expect(Object.keys(document.paths)).toEqual(expect.arrayContaining(['/policies', '/policies/{scope}', '/policies/{scope}/versions', '/policies/{scope}/rollback', '/policies/test', '/policies/replay']));
    expect(Object.keys(document.paths['/policies/{scope}'])).toEqual(expect.arrayContaining(['get', 'put', 'delete']));
    expect(document.components.schemas.PolicyDocument.properties.terms.anyOf).toHaveLength(2);
    expect(document.components.schemas.PutPolicyRequest.properties.document).toMatchObject({ $ref: '#/components/schemas/PolicyDocument' });
  });
});
