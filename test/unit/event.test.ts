import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { CHANNEL_ARN_PATTERN, CONTENT_MAX_BYTES, METADATA_MAX_BYTES, parseChannelFlowEvent, SENDER_NAME_MAX_LENGTH } from '../../src/intake/event.js';
import { APP_INSTANCE, aChannelFlowEvent } from '../support/factories.js';

/** The issues parseChannelFlowEvent answers for `event` changed by `mutate` (none: accepted). */
function issuesOf(mutate: (event: any) => void): string[] {
  const event = aChannelFlowEvent();
  mutate(event);
  const parsed = parseChannelFlowEvent(event);
  return parsed.ok ? [] : parsed.issues;
}

describe('parseChannelFlowEvent', () => {
  it('accepts the documented event and maps it to our message', () => {
    const event = aChannelFlowEvent({ message: { content: 'hi', metadata: '{}' } });
    const parsed = parseChannelFlowEvent(event);
    expect(parsed).toMatchObject({
      ok: true,
      callbackId: event.CallbackId,
      message: { messageId: event.ChannelMessage.MessageId, channelArn: event.ChannelMessage.ChannelArn, content: 'hi', metadata: '{}', sender: { arn: event.ChannelMessage.Sender.Arn } },
    });
  });

  it('tolerates fields Chime may add later', () => {
    const event = { ...aChannelFlowEvent(), Future: 1, ChannelMessage: { ...aChannelFlowEvent().ChannelMessage, SubChannelId: 'x' } };
    expect(parseChannelFlowEvent(event).ok).toBe(true);
  });

  it('treats a message without content as empty content', () => {
    const event = aChannelFlowEvent();
    delete (event.ChannelMessage as { Content?: string }).Content;
    expect(parseChannelFlowEvent(event)).toMatchObject({ ok: true, message: { content: '' } });
  });

  it.each([
    ['a wrong EventType', (e: any) => (e.EventType = 'CHANNEL_MEMBERSHIP_EVENT'), 'EventType must be CHANNEL_MESSAGE_EVENT'],
    ['a missing CallbackId', (e: any) => delete e.CallbackId, 'CallbackId is required'],
    ['a short CallbackId', (e: any) => (e.CallbackId = 'abc'), 'CallbackId must be 32-64 characters'],
    ['a missing MessageId', (e: any) => delete e.ChannelMessage.MessageId, 'ChannelMessage.MessageId is required'],
    ['a bad ChannelArn', (e: any) => (e.ChannelMessage.ChannelArn = 'arn:aws:sns:x'), 'ChannelMessage.ChannelArn must be a channel ARN'],
    ['no ChannelMessage', (e: any) => delete e.ChannelMessage, 'ChannelMessage is required'],
  ])('rejects %s with a reason a person can act on', (_name, mutate, issue) => {
    const event = aChannelFlowEvent();
    mutate(event);
    const parsed = parseChannelFlowEvent(event);
    expect(parsed.ok).toBe(false);
    expect(parsed.ok ? [] : parsed.issues).toContain(issue);
  });

  it('rejects things that are not events at all', () => {
    expect(parseChannelFlowEvent(null).ok).toBe(false);
    expect(parseChannelFlowEvent('CHANNEL_MESSAGE_EVENT').ok).toBe(false);
  });
});

describe('parseChannelFlowEvent refuses what Chime could never send (the API model\'s patterns and lengths)', () => {
  beforeEach(() => {
    vi.useFakeTimers();
    vi.setSystemTime(new Date('2026-11-21T12:00:00.000Z'));
  });
  afterEach(() => vi.useRealTimers());

  const id48 = (middle: string) => `${'a'.repeat(24)}${middle}`.padEnd(48, 'b');
  const idCharacters = 'must contain only letters, digits, "-" and "_"';

  it.each([
    ['é', id48('é')],
    ['a zero-width space', id48('\u200B')],
    ['a right-to-left mark', id48('\u200F')],
    ['NUL', id48('\u0000')],
    ['a newline', id48('\n')],
    ['../', id48('../')],
    ['<script>', id48('<script>')],
  ])('refuses a CallbackId of valid length holding %s', (_name, callbackId) => {
    expect(callbackId).toHaveLength(48);
    expect(issuesOf((e) => (e.CallbackId = callbackId))).toEqual([`CallbackId ${idCharacters}`]);
  });

  it('accepts a CallbackId of 32 to 64 letters, digits, "-" and "_", as the SDK\'s UUIDs are', () => {
    for (const callbackId of ['a'.repeat(32), `${'A-_9'.repeat(16)}`, '3f1c2b8e-7a4d-4e0f-9b6a-2c5d8e1f0a3b']) {
      expect(issuesOf((e) => (e.CallbackId = callbackId)), callbackId).toEqual([]);
    }
  });

  it.each([
    ['over 128 characters', 'm'.repeat(129), 'ChannelMessage.MessageId must be at most 128 characters'],
    ['with a space', 'has space', `ChannelMessage.MessageId ${idCharacters}`],
    ['with a dot', 'dot.ted', `ChannelMessage.MessageId ${idCharacters}`],
    ['with a slash', '../etc', `ChannelMessage.MessageId ${idCharacters}`],
  ])('refuses a MessageId %s', (_name, messageId, issue) => {
    expect(issuesOf((e) => (e.ChannelMessage.MessageId = messageId))).toEqual([issue]);
  });

  it('accepts a MessageId of 128 characters', () => {
    expect(issuesOf((e) => (e.ChannelMessage.MessageId = 'm'.repeat(128)))).toEqual([]);
  });

  it('refuses a 2,000-character ChannelArn', () => {
    const arn = `${APP_INSTANCE}/channel/${'c'.repeat(2000 - `${APP_INSTANCE}/channel/`.length)}`;
    expect(arn).toHaveLength(2000);
    expect(issuesOf((e) => (e.ChannelMessage.ChannelArn = arn))).toEqual(['ChannelMessage.ChannelArn must be 5-1600 characters', 'ChannelMessage.ChannelArn must be a channel ARN']);
  });

  it('bounds every part of a channel ARN, and takes the channel id of the model\'s ChannelId shape', () => {
    expect(CHANNEL_ARN_PATTERN.test(`${APP_INSTANCE}/channel/general`)).toBe(true);
    expect(CHANNEL_ARN_PATTERN.test(`${APP_INSTANCE}/channel/${'c'.repeat(64)}`)).toBe(true);
    expect(CHANNEL_ARN_PATTERN.test(`${APP_INSTANCE}/channel/${'c'.repeat(65)}`)).toBe(false);
    expect(CHANNEL_ARN_PATTERN.test(`${APP_INSTANCE}/channel/gen\u200Beral`)).toBe(false);
    expect(CHANNEL_ARN_PATTERN.test(`${APP_INSTANCE}/channel/<script>`)).toBe(false);
    expect(CHANNEL_ARN_PATTERN.test(`arn:aws:chime:us-east-1:123456789012:app-instance/${'a'.repeat(65)}/channel/general`)).toBe(false);
  });

  it.each([
    ['not an ARN', 'alice', 'ChannelMessage.Sender.Arn must be an ARN'],
    ['over 1600 characters', `${APP_INSTANCE}/user/${'u'.repeat(1600)}`, 'ChannelMessage.Sender.Arn must be 5-1600 characters'],
    ['with a newline', `${APP_INSTANCE}/user/al\nice`, 'ChannelMessage.Sender.Arn must be an ARN'],
  ])('refuses a Sender.Arn %s', (_name, arn, issue) => {
    expect(issuesOf((e) => (e.ChannelMessage.Sender.Arn = arn))).toContain(issue);
  });

  it('refuses a Sender.Name past its tolerance or holding control characters', () => {
    expect(issuesOf((e) => (e.ChannelMessage.Sender.Name = 'n'.repeat(SENDER_NAME_MAX_LENGTH)))).toEqual([]);
    expect(issuesOf((e) => (e.ChannelMessage.Sender.Name = 'n'.repeat(SENDER_NAME_MAX_LENGTH + 1)))).toEqual([`ChannelMessage.Sender.Name must be at most ${SENDER_NAME_MAX_LENGTH} characters`]);
    expect(issuesOf((e) => (e.ChannelMessage.Sender.Name = 'al\u0000ice'))).toEqual(['ChannelMessage.Sender.Name must not contain control characters or non-characters']);
    expect(issuesOf((e) => (e.ChannelMessage.Sender.Name = 'Zoë 🦊'))).toEqual([]);
  });

  it('accepts Content up to twice Chime\'s 4 KB, counted in UTF-8, and refuses more', () => {
    expect(CONTENT_MAX_BYTES).toBe(8192);
    expect(issuesOf((e) => (e.ChannelMessage.Content = 'x'.repeat(CONTENT_MAX_BYTES)))).toEqual([]);
    expect(issuesOf((e) => (e.ChannelMessage.Content = 'x'.repeat(CONTENT_MAX_BYTES + 1)))).toEqual(['ChannelMessage.Content must be at most 8192 bytes in UTF-8']);
    expect(issuesOf((e) => (e.ChannelMessage.Content = '€'.repeat(2731)))).toEqual(['ChannelMessage.Content must be at most 8192 bytes in UTF-8']);
    expect(issuesOf((e) => (e.ChannelMessage.Content = 'x'.repeat(1_000_000)))).toEqual(['ChannelMessage.Content must be at most 8192 bytes in UTF-8']);
  });

  it('refuses empty Content (NonEmptyContent), and still reads absent Content as empty', () => {
    expect(issuesOf((e) => (e.ChannelMessage.Content = ''))).toEqual(['ChannelMessage.Content must not be empty (leave it out instead)']);
  });

  it('accepts Metadata up to twice Chime\'s 1 KB, line breaks included (nothing depends on them), and refuses more', () => {
    expect(METADATA_MAX_BYTES).toBe(2048);
    expect(issuesOf((e) => (e.ChannelMessage.Metadata = 'm'.repeat(METADATA_MAX_BYTES)))).toEqual([]);
    expect(issuesOf((e) => (e.ChannelMessage.Metadata = 'm'.repeat(METADATA_MAX_BYTES + 1)))).toEqual(['ChannelMessage.Metadata must be at most 2048 bytes in UTF-8']);
    expect(issuesOf((e) => (e.ChannelMessage.Metadata = '{\n"a": 1\n}'))).toEqual([]);
  });

  it.each([
    ['Persistence', 'persistent', 'ChannelMessage.Persistence must be PERSISTENT or NON_PERSISTENT'],
    ['Type', 'SYSTEM', 'ChannelMessage.Type must be STANDARD or CONTROL'],
  ])('refuses a %s outside its enum', (field, value, issue) => {
    expect(issuesOf((e) => (e.ChannelMessage[field] = value))).toEqual([issue]);
  });

  const timestampIssue = (field: string) => `ChannelMessage.${field} must be an ISO-8601 time or epoch seconds/milliseconds from 2015-01-01 on`;

  it.each(['CreatedTimestamp', 'LastEditedTimestamp'])('refuses a %s that is no real moment, or more than a day ahead of our clock, instead of throwing', (field) => {
    for (const value of ['-10000000000000', '-9999999999999999', '1e400', 'yesterday-ish', '2014-12-31T23:59:59.999Z', ' ']) {
      expect(issuesOf((e) => (e.ChannelMessage[field] = value)), value).toEqual([timestampIssue(field)]);
    }
    expect(issuesOf((e) => (e.ChannelMessage[field] = '2026-11-22T12:00:00.001Z'))).toEqual([`ChannelMessage.${field} must not be more than one day ahead of our clock`]);
    expect(issuesOf((e) => (e.ChannelMessage[field] = '2'.repeat(65)))).toContain(`ChannelMessage.${field} must be at most 64 characters`);
  });

  it.each(['CreatedTimestamp', 'LastEditedTimestamp'])('accepts a %s in ISO-8601, epoch seconds or epoch milliseconds, and reads "" as absent', (field) => {
    for (const value of ['2026-11-21T11:59:58.000Z', '2026-11-21T11:59:58.123456Z', '2015-01-01T00:00:00.000Z', '2026-11-22T12:00:00.000Z', '1795262400', '1795262400000', '']) {
      expect(issuesOf((e) => (e.ChannelMessage[field] = value)), value).toEqual([]);
    }
  });

  it('names the field in every issue', () => {
    const parsed = parseChannelFlowEvent({
      EventType: 'CHANNEL_MESSAGE_EVENT',
      CallbackId: 'é'.repeat(40),
      ChannelMessage: { MessageId: '<m>', ChannelArn: 'x'.repeat(2000), Content: '', Metadata: 'm'.repeat(3000), Sender: { Arn: 'bob', Name: '\u0007' }, Persistence: 'x', Type: 'x', CreatedTimestamp: '-1e20', LastEditedTimestamp: 'never' },
    });
    expect(parsed.ok).toBe(false);
    const fields = (parsed.ok ? [] : parsed.issues).map((issue) => issue.split(' ')[0]);
    expect(new Set(fields)).toEqual(
      new Set(['CallbackId', ...['MessageId', 'ChannelArn', 'Content', 'Metadata', 'Sender.Arn', 'Sender.Name', 'Persistence', 'Type', 'CreatedTimestamp', 'LastEditedTimestamp'].map((f) => `ChannelMessage.${f}`)]),
    );
  });
});
