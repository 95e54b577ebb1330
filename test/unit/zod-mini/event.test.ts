/**
 * Intake's event schema moved from the classic zod API to zod/mini (intake's bundle). Same rules,
 * same messages: over a corpus of events with every field removed or wrong, the schema and
 * parseChannelFlowEvent answer exactly what the classic version (reference/) answers.
 */
import { describe, expect, it } from 'vitest';
import * as mini from '../../../src/intake/event.js';
import { mutations } from './mutations.js';
import * as classic from './reference/event.classic.js';

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

describe('intake event schema on zod/mini answers as the classic one did', () => {
  const corpus = mutations(valid, wrong);

  it('safeParse: the same data, or the same issues (code, path, message)', () => {
    for (const input of corpus) {
      const a = mini.ChannelFlowEventSchema.safeParse(input);
      const b = classic.ChannelFlowEventSchema.safeParse(input);
      expect(a.success, JSON.stringify(input)).toBe(b.success);
      if (a.success && b.success) expect(a.data).toEqual(b.data);
      else expect(JSON.parse(JSON.stringify(a.error!.issues))).toEqual(JSON.parse(JSON.stringify(b.error!.issues)));
    }
  });

  it('parseChannelFlowEvent', () => {
    for (const input of corpus) expect(mini.parseChannelFlowEvent(input), JSON.stringify(input)).toEqual(classic.parseChannelFlowEvent(input));
  });

  it('the corpus holds both accepted and rejected events', () => {
    const results = corpus.map((input) => mini.parseChannelFlowEvent(input).ok);
    expect(results.filter(Boolean).length).toBeGreaterThan(10);
    expect(results.filter((ok) => !ok).length).toBeGreaterThan(100);
  });
});
