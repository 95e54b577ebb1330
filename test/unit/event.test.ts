import { describe, expect, it } from 'vitest';
import { parseChannelFlowEvent } from '../../src/intake/event.js';
import { aChannelFlowEvent } from '../support/factories.js';

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
