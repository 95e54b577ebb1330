/**
 * Context for a classifier: the previous messages of the channel (or of the sender in it),
 * oldest first, sent the way the provider reads context (Comprehend: segments in order, the
 * message last; Guardrails: content blocks, the message the guarded one).
 *
 * Where they are read from: Chime, ListChannelMessages as the processor's bearer, newest first
 * (src/adapters/chime-context.ts). Why not our own items in DynamoDB: the moderation table has
 * no index by channel (its indexes are by status, audit day and sender), and one keyed by channel
 * would be a hot key by construction (every message of a busy channel written to one index
 * partition, 1,000 WCU/s at most; a throttled index write throttles the table write, i.e.
 * intake). Chime already keeps the channel's history, and what it lists is what members saw:
 * denied messages are not stored, pending ones are not listed.
 *
 * What it costs per message: one ListChannelMessages call (a read, safe to repeat) per message
 * the pre-screen lets through to a classifier with `context > 0`, and only after the budget
 * granted the classifier call, so the reads never outrun the classifiers' own rate (25–50/s per
 * region): at most one read per provider call, none per message the pre-screen stops. One page
 * (`context` + a few, or 50 for `contextOf: sender`, which filters the page). Hot key: all reads
 * are made as one bearer; Chime's per-bearer API rate is then the bound, and the classifier
 * budget keeps the reads under it (set the budget below Chime's ListChannelMessages quota too).
 * A read that fails or is late is not a reason to hold a message: it is judged without context,
 * and the record says so (`contextUnavailable`).
 */
import type { ChannelMessage } from '../domain/message.js';

/** Each previous message is cut to its last CONTEXT_CHARS characters: the cost of context stays bounded and known in advance. */
export const CONTEXT_CHARS = 500;

export interface ContextRequest {
  message: ChannelMessage;
  /** How many previous messages, 1..10. */
  count: number;
  of: 'channel' | 'sender';
  /** Epoch ms by which an answer is needed; later is UNAVAILABLE. */
  answerBy: number;
}

export type ContextAnswer = { kind: 'READ'; texts: string[] } | { kind: 'UNAVAILABLE'; message: string };

export interface ContextSource {
  /** The previous messages, oldest first, at most `count`; never the message itself. Never throws. */
  previous(request: ContextRequest): Promise<ContextAnswer>;
}

/** A previous message as sent: its last CONTEXT_CHARS characters (a surrogate pair is never split). */
export function contextText(text: string): string {
  if (text.length <= CONTEXT_CHARS) return text;
  let start = text.length - CONTEXT_CHARS;
  const c = text.charCodeAt(start);
  if (c >= 0xdc00 && c <= 0xdfff) start += 1;
  return text.slice(start);
}
