import { describe, expect, it } from 'vitest';
import { availableActions, consequence, doneText, outcomeText, wasSent, type FollowUpTarget } from '../../../console/src/lib/follow-ups.js';
import { explainProblem } from '../../../console/src/lib/problems.js';

const clock = { nowMs: Date.parse('2026-01-31T12:00:00Z'), timeZone: 'UTC' };
const base = 'https://chime-flow-moderation.dev/problems/';
const target: FollowUpTarget = { channelArn: 'arn:ch', channelLabel: '#support', messageId: 'm1', callbackId: 'cb', senderArn: 'arn:u/dana', senderName: 'dana', sent: false };

describe('follow-up actions: which, and their outcomes in words', () => {
  it('offers Ban sender on a review item, and Redact and Delete only once Chime delivered the message', () => {
    expect(availableActions(target)).toEqual(['BAN_SENDER']);
    expect(availableActions({ ...target, sent: true })).toEqual(['BAN_SENDER', 'REDACT_MESSAGE', 'DELETE_MESSAGE']);
    expect(availableActions({ ...target, callbackId: undefined, sent: true })).toEqual(['REDACT_MESSAGE', 'DELETE_MESSAGE']);
    expect(wasSent('DELIVERED', 'ALLOW')).toBe(true);
    expect(wasSent('DELIVERED', 'UPDATE')).toBe(true);
    expect(wasSent('DELIVERED', 'DENY')).toBe(false);
    expect(wasSent('DECIDED', 'ALLOW')).toBe(false);
    expect(wasSent('PENDING_REVIEW', undefined)).toBe(false);
  });

  it('says what Confirm will do before it is done', () => {
    expect(consequence('BAN_SENDER', target)).toMatch(/^Ban dana from #support: Chime refuses their messages there/);
    expect(consequence('DELETE_MESSAGE', target)).toMatch(/cannot be undone/);
  });

  it('says what Chime did, including a ban of someone banned already', () => {
    const ban = { action: 'BAN_SENDER', status: 'DONE', sender: { arn: 'arn:u/dana', name: 'dana' } };
    expect(doneText(ban, '#support')).toBe('Banned dana from #support. Chime now refuses their messages there.');
    expect(doneText({ ...ban, alreadyBanned: true }, '#support')).toMatch(/^dana was already banned from #support; nothing changed in Chime/);
    expect(doneText({ action: 'REDACT_MESSAGE', status: 'DONE', sender: { arn: '' } }, '#support')).toMatch(/^Redacted/);
  });

  it('reads an audited action’s outcome: done, failed with Chime’s answer, or unknown', () => {
    const ban = { action: 'BAN_SENDER', sender: { arn: '' } };
    expect(outcomeText({ ...ban, status: 'DONE', alreadyBanned: true })).toBe('Done (already banned)');
    expect(outcomeText({ ...ban, status: 'FAILED', chimeError: { type: 'NotFoundException', message: 'no such message' } })).toBe('Failed: Chime answered NotFoundException: no such message');
    expect(outcomeText({ ...ban, status: 'REQUESTED' })).toMatch(/not known \(check in Chime\)/);
  });

  it('explains each refusal of the follow-up routes in plain words', () => {
    expect(explainProblem({ type: `${base}chime-bearer-not-configured`, status: 503, operation: 'CreateChannelBan' }, clock)).toMatchObject({
      kind: 'chime-bearer-not-configured',
      title: 'Chime actions are not set up',
      message: expect.stringMatching(/Nothing was done and nothing was recorded/),
    });
    expect(explainProblem({ type: `${base}chime-bearer-forbidden`, status: 502, detail: 'Chime refused CreateChannelBan for the API’s bearer b.' }, clock)).toMatchObject({
      kind: 'chime-bearer-forbidden',
      message: 'Chime refused CreateChannelBan for the API’s bearer b. Ask an operator to check its rights.',
    });
    expect(explainProblem({ type: `${base}chime-conflict`, status: 409, detail: 'A message still in the channel flow cannot be redacted.' }, clock)).toMatchObject({ kind: 'chime-conflict', title: 'Chime refused: conflict' });
    expect(explainProblem({ type: `${base}not-found`, status: 404, chimeErrorType: 'NotFoundException', detail: 'Chime has no message m1 in channel c.' }, clock)).toEqual({
      kind: 'not-found',
      title: 'Chime has no such message',
      message: 'Chime has no message m1 in channel c.',
    });
    expect(explainProblem({ type: `${base}admins-only`, status: 403, detail: 'Only admins may redact or delete sent messages.' }, clock)).toMatchObject({
      kind: 'admins-only',
      message: 'Only admins may redact or delete sent messages. Ask an admin, or sign in as one.',
    });
    expect(explainProblem({ type: `${base}action-not-recorded`, status: 500, detail: 'Chime banned x, but…', requestId: 'r-1' }, clock).message).toBe('Chime banned x, but… (request id r-1)');
    expect(explainProblem({ type: `${base}chime-unavailable`, status: 503 }, clock).title).toBe('Chime did not answer');
  });

  it('explains a stale policy save: who saved which version, when and why, and that the draft is kept', () => {
    const e = explainProblem(
      { type: `${base}policy-version-conflict`, status: 409, expectedVersion: 2, currentVersion: 3, updatedBy: { id: 's', name: 'grace' }, updatedAt: '2026-01-31T11:59:00Z', comment: 'block zorblax' },
      clock,
    );
    expect(e.kind).toBe('policy-version-conflict');
    expect(e.message).toBe(
      'grace saved version 3 at 11:59:00 (2026-01-31 11:59:00) (“block zorblax”); you started from version 2. Nothing was saved. Your draft is still here: compare it with theirs, then save again.',
    );
  });
});
