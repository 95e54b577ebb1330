import { DescribeChannelBanCommand } from '@aws-sdk/client-chime-sdk-messaging';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalStack } from '../../src/local/stack.js';
import { APP_INSTANCE, channelArn, userArn } from '../support/factories.js';
import { api, startReviewStack, tokenFor } from '../support/review.js';
import { chimeClient, sendMessage, waitForItem, waitForStatus } from '../support/stack.js';
import { AdjustableClock, waitFor } from '../support/wait.js';

/**
 * Escalation through the whole local stack (README "Strikes, escalation and restrictions"): a
 * ladder set through the policy API, strikes from the worker's automatic DENYs and from a
 * moderator's DENY, the HOLD that sends a sender's next message to review, a short BAN applied in
 * Chime and lifted by the sweeper, a long one that waits for a second moderator, and the
 * sender's record that shows it all.
 */

const REFRESH_SECONDS = 0.5;
const BEARER = `${APP_INSTANCE}/bot/review-api`;
const sender = (arn: string) => `/senders/${encodeURIComponent(arn)}`;

describe('strikes, escalation and restrictions end to end', () => {
  const clock = new AdjustableClock();
  let stack: LocalStack;
  let chime: ReturnType<typeof chimeClient>;
  let admin: string;
  let ada: string;
  let bea: string;
  let cy: string;
  const mallory = userArn('mallory-escalates');
  const channel = channelArn();

  beforeAll(async () => {
    stack = await startReviewStack({ clock, env: { POLICY_REFRESH_SECONDS: String(REFRESH_SECONDS) } });
    chime = chimeClient(stack);
    admin = await tokenFor(stack, 'root', ['admins']);
    ada = await tokenFor(stack, 'ada', ['moderators']);
    bea = await tokenFor(stack, 'bea', ['moderators']);
    cy = await tokenFor(stack, 'cy', ['moderators']);
    // The ladder, in the global policy (the bundled file's rules kept): 3 strikes → hold, 4 → a
    // short ban, 5 → a long one (which needs a second moderator: over approvals.banLongerThan).
    const seed = await api(stack, 'GET', '/policies/global/versions/0', { token: admin });
    expect(seed.status, seed.text).toBe(200);
    const document = {
      ...seed.body.document,
      escalation: [
        { strikes: 3, within: '1d', action: 'HOLD', for: '1h' },
        { strikes: 4, within: '1d', action: 'BAN', for: '2m' },
        { strikes: 5, within: '1d', action: 'BAN', for: '7d' },
      ],
      cannedReasons: { ban: ['Ban evasion (e2e)'] },
    };
    const put = await api(stack, 'PUT', '/policies/global', { token: admin, json: { document, comment: 'escalation ladder' } });
    expect(put.status, put.text).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, REFRESH_SECONDS * 1000 + 100));
  });
  afterAll(async () => {
    chime?.destroy();
    await stack?.stop();
  });

  const record = async (token = ada) => {
    const response = await api(stack, 'GET', `${sender(mallory)}?messages=all&limit=50`, { token });
    expect(response.status, response.text).toBe(200);
    return response.body;
  };
  const isBanned = (member: string) =>
    chime.send(new DescribeChannelBanCommand({ ChannelArn: channel, MemberArn: member, ChimeBearer: BEARER })).then(
      () => true,
      (error: { name?: string }) => (error.name === 'NotFoundException' ? false : Promise.reject(error)),
    );
  const denyHeld = async (content: string) => {
    const sent = await sendMessage(chime, content, { channel, sender: mallory });
    const held = await waitForItem(stack, sent, (i) => i.status === 'PENDING_REVIEW', 'held for review');
    expect(held.policy).toMatchObject({ action: 'REVIEW', ruleIds: ['escalation.hold'] });
    const decided = await api(stack, 'POST', `/reviews/${held.callbackId}/decision`, { token: ada, json: { action: 'DENY', reason: 'still spamming' } });
    expect(decided.status, decided.text).toBe(200);
    await waitForStatus(chime, sent, 'DENIED');
    return held;
  };

  it('three blocked messages, then a clean one: it is held for review', async () => {
    for (let i = 0; i < 3; i += 1) await waitForStatus(chime, await sendMessage(chime, `buy scamcoin now ${i}`, { channel, sender: mallory }), 'DENIED');
    await waitFor(async () => ((await record()).summary.countingStrikes === 3 ? true : undefined), { what: 'three strikes' });
    const clean = await sendMessage(chime, 'hello everyone, sorry about that', { channel, sender: mallory });
    const held = await waitForItem(stack, clean, (i) => i.status === 'PENDING_REVIEW', 'held for review');
    expect(held.policy).toMatchObject({ action: 'REVIEW', ruleIds: ['escalation.hold'] });

    const body = await record();
    expect(body.strikes).toHaveLength(3);
    expect(body.strikes.every((s: { standing: string; source: { kind: string; ruleIds: string[] } }) => s.standing === 'counts' && s.source.kind === 'rule' && s.source.ruleIds.includes('terms.block'))).toBe(true);
    expect(body.restrictions.active).toMatchObject([
      {
        action: 'HOLD',
        status: 'ACTIVE',
        scope: 'channel',
        channelArn: channel,
        requestedBy: { id: 'escalation' },
        cause: { kind: 'escalation', step: 0, ruleIds: ['terms.block'] },
        step: { strikes: 3, action: 'HOLD', forSeconds: 3600 },
      },
    ]);
    expect(body.restrictions.active[0].cause.strikeIds).toHaveLength(3);
    // Held and denied messages, newest first.
    expect(body.messages.items.map((m: { held: boolean; denied: boolean }) => [m.held, m.denied])).toEqual([[true, false], [false, true], [false, true], [false, true]]);
    // A moderator lets the clean one through: no strike.
    const allowed = await api(stack, 'POST', `/reviews/${held.callbackId}/decision`, { token: ada, json: { action: 'ALLOW' } });
    expect(allowed.status, allowed.text).toBe(200);
    await waitForStatus(chime, clean, 'SENT');
  });

  it('the ban step bans in Chime, and the sweeper lifts a short ban when its time is up', async () => {
    await denyHeld('buy my followers pack'); // strike 4 (a moderator's DENY)
    await waitFor(() => isBanned(mallory), { what: 'the ban in Chime' });
    let body = await record();
    expect(body.summary.countingStrikes).toBe(4);
    const ban = body.restrictions.active.find((r: { action: string }) => r.action === 'BAN');
    expect(ban).toMatchObject({ status: 'ACTIVE', forSeconds: 120, cause: { kind: 'escalation', step: 1 }, chime: { bans: [{ channelArn: channel, outcome: 'DONE' }] } });
    // Banned in Chime: a send is refused there.
    await expect(sendMessage(chime, 'let me back in', { channel, sender: mallory })).rejects.toMatchObject({ name: 'ForbiddenException' });

    clock.advance(3 * 60 * 1000);
    const report = await stack.sweepNow();
    expect(report.tasks?.Restrictions).toMatchObject({ ended: expect.any(Number) });
    expect(report.tasks!.Restrictions!.ended).toBeGreaterThanOrEqual(1);
    expect(await isBanned(mallory)).toBe(false);
    body = await record();
    const ended = body.restrictions.past.find((r: { id: string }) => r.id === ban.id);
    expect(ended).toMatchObject({ status: 'ENDED', chime: { unbans: [{ channelArn: channel, outcome: 'DONE' }] } });
    // The hold still runs (1 h).
    expect(body.restrictions.active).toMatchObject([{ action: 'HOLD', status: 'ACTIVE' }]);
  });

  it('a long ban waits for a second moderator; one whose decisions gave its strikes may not approve it; it is applied then', async () => {
    await denyHeld('still selling scam coins, dm me'); // strike 5
    const pending = await waitFor(async () => (await api(stack, 'GET', '/approvals', { token: bea })).body.items.find((r: { memberArn: string }) => r.memberArn === mallory), { what: 'the pending ban' });
    expect(pending).toMatchObject({ action: 'BAN', status: 'PENDING_APPROVAL', forSeconds: 7 * 86_400, requestedBy: { id: 'escalation' }, cause: { kind: 'escalation', step: 2 } });
    // Never unrestricted while it waits: the strongest step reached that needs no approval (the 2-minute ban) is in force now.
    const waiting = await record();
    expect(waiting.summary.pendingApprovals).toBe(1);
    const interim = waiting.restrictions.active.find((r: { action: string; status: string }) => r.action === 'BAN' && r.status === 'ACTIVE');
    expect(interim).toMatchObject({ forSeconds: 120, cause: { kind: 'escalation', step: 2 }, reason: expect.stringMatching(/until a second moderator approves that/) });
    expect(await isBanned(mallory)).toBe(true);

    // ada denied the messages that gave the strikes: the step they reached needs someone else (four-eyes).
    const own = await api(stack, 'POST', `/approvals/${pending.id}/decision`, { token: ada, json: { approve: true, reason: 'five strikes in a day' } });
    expect(own.status, own.text).toBe(403);
    expect(own.body.type).toMatch(/four-eyes$/);
    const approved = await api(stack, 'POST', `/approvals/${pending.id}/decision`, { token: bea, json: { approve: true, reason: 'five strikes in a day' } });
    expect(approved.status, approved.text).toBe(200);
    expect(approved.body).toMatchObject({ status: 'ACTIVE', approval: { approved: true, by: { id: expect.any(String), name: 'bea' } }, chime: { bans: [{ outcome: 'DONE' }] } });
    // Its `for` counts from the approval.
    expect(Date.parse(approved.body.endsAt) - Date.parse(approved.body.startsAt)).toBe(7 * 86_400 * 1000);
    expect(await isBanned(mallory)).toBe(true);
    const again = await api(stack, 'POST', `/approvals/${pending.id}/decision`, { token: admin, json: { approve: false, reason: 'too harsh' } });
    expect(again.status, again.text).toBe(409);
    expect(again.body).toMatchObject({ type: expect.stringMatching(/approval-conflict$/), decidedBy: { name: 'bea' }, approved: true });
    expect((await api(stack, 'GET', '/approvals', { token: bea })).body.items.find((r: { id: string }) => r.id === pending.id)).toBeUndefined();

    // Only an admin lifts it early; the ban is gone from Chime.
    const byModerator = await api(stack, 'DELETE', `${sender(mallory)}/restrictions/${pending.id}?reason=appeal`, { token: bea });
    expect(byModerator.status).toBe(403);
    expect(byModerator.body.type).toMatch(/admins-only$/);
    const lifted = await api(stack, 'DELETE', `${sender(mallory)}/restrictions/${pending.id}?reason=appeal%20upheld`, { token: admin });
    expect(lifted.status, lifted.text).toBe(200);
    // The interim 2-minute ban still holds in this channel: the lift keeps Chime's ban for it, and its end unbans.
    expect(lifted.body).toMatchObject({ status: 'LIFTED', lifted: { reason: 'appeal upheld' }, chime: { unbans: [{ outcome: 'DONE', keptFor: interim.id }] } });
    expect(await isBanned(mallory)).toBe(true);
    clock.advance(3 * 60 * 1000);
    await stack.sweepNow();
    expect(await isBanned(mallory)).toBe(false);
  });

  it('a moderator’s long ban: the requester gets 403 four-eyes, a second moderator applies it', async () => {
    const trudy = userArn('trudy-escalates');
    await waitForStatus(chime, await sendMessage(chime, 'hi', { channel, sender: trudy }), 'SENT');
    const asked = await api(stack, 'POST', `${sender(trudy)}/restrictions`, {
      token: ada,
      headers: { 'idempotency-key': 'ban-trudy-1' },
      json: { action: 'BAN', channelArn: channel, for: '30d', reason: 'Harassment after a warning' },
    });
    expect(asked.status, asked.text).toBe(200);
    expect(asked.body).toMatchObject({ status: 'PENDING_APPROVAL', requestedBy: { name: 'ada' }, cause: { kind: 'moderator' } });
    // The same request again: the same restriction; the key with another request: 409.
    const replay = await api(stack, 'POST', `${sender(trudy)}/restrictions`, { token: ada, headers: { 'idempotency-key': 'ban-trudy-1' }, json: { action: 'BAN', channelArn: channel, for: '30d', reason: 'Harassment after a warning' } });
    expect(replay.body.id).toBe(asked.body.id);
    const reused = await api(stack, 'POST', `${sender(trudy)}/restrictions`, { token: ada, headers: { 'idempotency-key': 'ban-trudy-1' }, json: { action: 'HOLD', channelArn: channel, reason: 'x' } });
    expect(reused.status).toBe(409);
    expect(reused.body.type).toMatch(/idempotency-key-reused$/);

    const own = await api(stack, 'POST', `/approvals/${asked.body.id}/decision`, { token: ada, json: { approve: true, reason: 'mine' } });
    expect(own.status).toBe(403);
    expect(own.body.type).toMatch(/four-eyes$/);
    expect(await isBanned(trudy)).toBe(false);
    const [b, c] = await Promise.all([
      api(stack, 'POST', `/approvals/${asked.body.id}/decision`, { token: bea, json: { approve: true, reason: 'agreed' } }),
      api(stack, 'POST', `/approvals/${asked.body.id}/decision`, { token: cy, json: { approve: false, reason: 'not enough' } }),
    ]);
    expect([b.status, c.status].sort()).toEqual([200, 409]);
    const [winner, loser] = b.status === 200 ? [b, c] : [c, b];
    expect(loser.body).toMatchObject({ type: expect.stringMatching(/approval-conflict$/), decidedBy: winner.body.approval.by });
    expect(await isBanned(trudy)).toBe(winner.body.status === 'ACTIVE');
  });

  it('GET /senders/{memberArn} shows it all, with notes; canned reasons come from the channel’s policy', async () => {
    const note = await api(stack, 'POST', `${sender(mallory)}/notes`, { token: bea, json: { text: '  Repeat spammer; watch the crypto channels.  ' } });
    expect(note.status, note.text).toBe(200);
    expect(note.body).toMatchObject({ text: 'Repeat spammer; watch the crypto channels.', by: { name: 'bea' } });
    const body = await record();
    expect(body).toMatchObject({ memberArn: mallory, appInstanceArn: APP_INSTANCE, summary: { countingStrikes: 5, activeRestrictions: 1, pendingApprovals: 0 } });
    expect(body.strikes.map((s: { source: { kind: string } }) => s.source.kind).sort()).toEqual(['moderator', 'moderator', 'rule', 'rule', 'rule']);
    expect(body.restrictions.past.map((r: { status: string }) => r.status).sort()).toEqual(['ENDED', 'ENDED', 'LIFTED']);
    expect(body.notes).toMatchObject([{ text: 'Repeat spammer; watch the crypto channels.' }]);
    expect(body.messages.items.filter((m: { denied: boolean }) => m.denied)).toHaveLength(5);
    const heldOrDenied = await api(stack, 'GET', `${sender(mallory)}?limit=2`, { token: ada });
    expect(heldOrDenied.body.messages.scanned).toBe(2);
    const older = await api(stack, 'GET', `${sender(mallory)}?limit=2&cursor=${heldOrDenied.body.messages.next}`, { token: ada });
    expect(older.status, older.text).toBe(200);
    expect(older.body.messages.items[0].callbackId).not.toBe(heldOrDenied.body.messages.items[0]?.callbackId);
    const forged = await api(stack, 'GET', `${sender(mallory)}?limit=3&cursor=${heldOrDenied.body.messages.next}`, { token: ada });
    expect(forged.status).toBe(400);

    const reasons = await api(stack, 'GET', `/canned-reasons?channelArn=${encodeURIComponent(channel)}`, { token: cy });
    expect(reasons.status, reasons.text).toBe(200);
    expect(reasons.body.ban).toContain('Ban evasion (e2e)');
    expect(reasons.body.deny.length).toBeGreaterThan(0);
  });

  it('refuses bad input in every field with 400 problem+json, and stores nothing', async () => {
    const victim = userArn('nobody-restricted');
    const before = JSON.stringify((await api(stack, 'GET', sender(victim), { token: ada })).body.restrictions);
    const good = { action: 'HOLD', channelArn: channel, for: '1h', scope: 'channel', reason: 'why' };
    const bad: Array<[string, unknown]> = [
      ['action', { ...good, action: 'MUTE' }],
      ['channelArn', { ...good, channelArn: 'general' }],
      ['channelArn', { ...good, channelArn: 'arn:aws:chime:us-east-1:123456789012:app-instance/99999999-2222-3333-4444-555555555555/channel/x' }],
      ['for', { ...good, for: '2w' }],
      ['for', { ...good, for: '30s' }],
      ['for', { ...good, for: '400d' }],
      ['for', { ...good, for: 3600 }],
      ['scope', { ...good, scope: 'world' }],
      ['reason', { ...good, reason: '   ' }],
      ['reason', { ...good, reason: 'x'.repeat(1001) }],
      ['reason', { action: 'HOLD', channelArn: channel }],
      ['extra', { ...good, until: 'forever' }],
    ];
    for (const [field, json] of bad) {
      const response = await api(stack, 'POST', `${sender(victim)}/restrictions`, { token: ada, json });
      expect(response.status, `${field}: ${response.text}`).toBe(400);
      expect(response.headers.get('content-type')).toMatch(/application\/problem\+json/);
      expect(response.body.errors?.length, field).toBeGreaterThan(0);
    }
    for (const path of [`/senders/not-an-arn`, `/senders/${encodeURIComponent(channel)}`]) {
      expect((await api(stack, 'GET', path, { token: ada })).status).toBe(400);
      expect((await api(stack, 'POST', `${path}/restrictions`, { token: ada, json: good })).status).toBe(400);
    }
    for (const json of [{ text: '' }, { text: 'x'.repeat(2001) }, { text: 7 }, {}, { text: 'ok', pinned: true }]) {
      const response = await api(stack, 'POST', `${sender(victim)}/notes`, { token: ada, json });
      expect(response.status, JSON.stringify(json)).toBe(400);
    }
    for (const json of [{ approve: 'yes', reason: 'r' }, { approve: true }, { approve: true, reason: '' }, { approve: true, reason: 'r', extra: 1 }]) {
      const response = await api(stack, 'POST', '/approvals/FuzzRestriction0000000/decision', { token: ada, json });
      expect(response.status, JSON.stringify(json)).toBe(400);
    }
    expect((await api(stack, 'POST', '/approvals/short/decision', { token: ada, json: { approve: true, reason: 'r' } })).status).toBe(400);
    expect((await api(stack, 'POST', '/approvals/FuzzRestriction0000000/decision', { token: ada, json: { approve: true, reason: 'r' } })).status).toBe(404);
    expect((await api(stack, 'DELETE', `${sender(victim)}/restrictions/FuzzRestriction0000000`, { token: admin })).status).toBe(404);
    expect((await api(stack, 'GET', '/canned-reasons', { token: ada })).status).toBe(400);
    expect((await api(stack, 'GET', '/canned-reasons?channelArn=x', { token: ada })).status).toBe(400);
    expect((await api(stack, 'GET', `${sender(victim)}?limit=0`, { token: ada })).status).toBe(400);
    expect((await api(stack, 'GET', `${sender(victim)}?messages=some`, { token: ada })).status).toBe(400);

    const after = await api(stack, 'GET', sender(victim), { token: ada });
    expect(JSON.stringify(after.body.restrictions)).toBe(before);
    expect(after.body.notes).toEqual([]);
    // Members may not read or restrict senders.
    expect((await api(stack, 'GET', sender(victim))).status).toBe(401);
  });
});
