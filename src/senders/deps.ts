import type { CommunityPolicies } from '../domain/people.js';
import type { Clock } from '../domain/ports.js';
import type { CursorCodec } from '../http/cursor.js';
import type { Restrictions } from './restrictions.js';
import type { SenderMessages, SenderStore } from './store.js';
import type { Strikes } from './strikes.js';

/** The senders room's parts, built once per container (src/senders/compose.ts). */
export interface SendersRoom {
  store: SenderStore;
  restrictions: Restrictions;
  strikes: Strikes;
  /** The moderation table's bySender index; without it the record lists no messages. */
  messages?: SenderMessages;
  policies: CommunityPolicies;
}

/** What the senders room's routes use (the review API function's deps satisfy it). */
export interface SendersDeps {
  senders: SendersRoom;
  cursors: CursorCodec;
  clock: Clock;
}
