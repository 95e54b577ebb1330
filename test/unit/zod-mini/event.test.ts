/**
 * Intake's event schema (zod/mini, intake's bundle) over a corpus of events with every field
 * removed or replaced by a wrong value. It once answered exactly as a frozen classic-zod copy;
 * since intake holds every field to the Chime API model (test/unit/event.test.ts has the rules,
 * field by field), the corpus checks what must hold of every answer: the parser never throws, an
 * accepted event's message is exactly its fields, and a refusal names the fields that are wrong.
 */
import { describe, expect, it } from 'vitest';
import { parseChannelFlowEvent, ChannelFlowEventSchema } from '../../../src/intake/event.js';
import { mutations } from './mutations.js';

const APP = 'arn:aws:chime:us-east-1:123456789012:app-instance/11111111-2222-3333-4444-555555555555';
const valid = {
  EventType: 'CHANNEL_MESSAGE_EVENT',
  CallbackId: 'c'.repeat(48),
  ChannelMessage: {
    MessageId: 'm-1',
    ChannelArn: `${APP}/channel/general`,
    Content: 'hello',
    Metadata: '{"a":1}',
    Sender: { Arn: `${APP}/user/alice`, Name: 'alice' },
    Persistence: 'PERSISTENT',
    Type: 'STANDARD',
    CreatedTimestamp: '2026-11-21T10:00:00.000Z',
    LastEditedTimestamp: '2026-11-21T10:00:01.000Z',
    Future: { field: 1 },
  },
  Future: 'kept',
};
const wrong = [undefined, null, '', 'x', 0, 1.5, true, {}, [], 'c'.repeat(31), 'c'.repeat(32), 'c'.repeat(64), 'c'.repeat(65), 'NON_PERSISTENT', `${APP}/channel/x`, `${APP}/user/u`, 'arn:aws:chime:us-east-1:123:app-instance/a/channel/c'];
const NOW = Date.parse('2026-11-21T12:00:00.000Z');
const FIELDS = new Set(['event', 'EventType', 'CallbackId', 'ChannelMessage', ...['MessageId', 'ChannelArn', 'Content', 'Metadata', 'Sender', 'Sender.Arn', 'Sender.Name', 'Persistence', 'Type', 'CreatedTimestamp', 'LastEditedTimestamp'].map((f) => `ChannelMessage.${f}`)]);

describe('intake event schema over a corpus of broken events', () => {
  const corpus = mutations(valid, wrong);

  it('never throws, and names a known field in every issue of a refusal', () => {
    for (const input of corpus) {
      const parsed = parseChannelFlowEvent(input, NOW);
      if (parsed.ok) continue;
      expect(parsed.issues.length, JSON.stringify(input)).toBeGreaterThan(0);
      for (const issue of parsed.issues) expect(FIELDS.has(issue.split(' ')[0]!), issue).toBe(true);
    }
  });

  it('accepts exactly what the schema accepts, and keeps the message as it came', () => {
    for (const input of corpus) {
      const parsed = parseChannelFlowEvent(input, NOW);
      expect(parsed.ok, JSON.stringify(input)).toBe(ChannelFlowEventSchema.safeParse(input).success);
      if (!parsed.ok) continue;
      const m = (input as typeof valid).ChannelMessage;
      expect(parsed.callbackId).toBe((input as typeof valid).CallbackId);
      expect(parsed.message).toMatchObject({ messageId: m.MessageId, channelArn: m.ChannelArn, content: m.Content ?? '', sender: { arn: m.Sender.Arn } });
    }
  });

  it('the corpus holds both accepted and rejected events', () => {
    const results = corpus.map((input) => parseChannelFlowEvent(input, NOW).ok);
    expect(results.filter(Boolean).length).toBeGreaterThan(10);
    expect(results.filter((ok) => !ok).length).toBeGreaterThan(100);
  });
});
