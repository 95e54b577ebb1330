import type { ModerationItem } from '../domain/item.js';
import type { CasePointerRecord, LadderRecord, NoteRecord, RestrictionRecord, RestrictionSummaryRecord, StrikeRecord, SummaryEntry } from './model.js';

/**
 * Where the senders room keeps its records (src/adapters/dynamodb-senders.ts: the control table,
 * src/senders/model.ts says the layout). Every write is one conditional single-item write that
 * settles its own lost answer by its write id (src/adapters/control-records.ts): a create whose
 * answer was lost reads back as created, an update as applied. A write that lost its condition
 * throws RecordConditionError carrying the record as it is now.
 */
export interface SenderStore {
  /** Creates the strike (and its pointer) unless one has its id: `created: false` with the one stored. */
  createStrike(record: Omit<StrikeRecord, 'version' | 'lastWriteId'>): Promise<{ created: boolean; record: StrikeRecord }>;
  getStrike(memberArn: string, strikeId: string): Promise<StrikeRecord | undefined>;
  /** The member a strike id is against (its pointer), when there is one. */
  strikeMember(strikeId: string): Promise<string | undefined>;
  /** Marks a strike removed (an overturned appeal), unless it is already. */
  removeStrike(memberArn: string, strikeId: string, removed: NonNullable<StrikeRecord['removed']>): Promise<StrikeRecord>;
  /** A member's strikes, oldest first (at most `limit`, the newest kept when there are more). */
  strikesOf(memberArn: string, limit: number): Promise<StrikeRecord[]>;

  getRestriction(id: string): Promise<RestrictionRecord | undefined>;
  /** Creates it (and its pointer) unless one has its id: `created: false` with the one stored. */
  createRestriction(record: Omit<RestrictionRecord, 'version' | 'lastWriteId'>): Promise<{ created: boolean; record: RestrictionRecord }>;
  /** Writes `next` whole if the record is still at `readVersion`. */
  saveRestriction(next: RestrictionRecord, readVersion: number): Promise<RestrictionRecord>;
  /** A member's restrictions, newest id first is not meaningful: callers sort by time (at most `limit`). */
  restrictionsOf(memberArn: string, limit: number): Promise<RestrictionRecord[]>;
  /** One shard of a queue, by queueSort: due ones up to `to`, or from strictly after `after`. */
  queuePage(queueKey: string, options: { after?: string; to?: string; limit: number }): Promise<{ records: RestrictionRecord[]; lastKey?: string }>;

  /**
   * The member's summary of restrictions in force (IN_FORCE). `consistent: false` is the worker's
   * gate: an eventually consistent GetItem of a small item, 0.5 RCU.
   */
  getSummary(memberArn: string, options: { consistent: boolean }): Promise<RestrictionSummaryRecord | undefined>;
  /**
   * Writes the summary's entries: created if there is none (`readVersion` undefined), else only
   * if it is still at `readVersion`. A lost race throws RecordConditionError with the summary as
   * it is now.
   */
  writeSummary(memberArn: string, entries: SummaryEntry[], readVersion: number | undefined): Promise<RestrictionSummaryRecord>;
  getLadder(memberArn: string): Promise<LadderRecord | undefined>;
  /** Claims the ladder for an escalation: created, or written only if still at `readVersion` (else RecordConditionError). */
  claimLadder(memberArn: string, last: NonNullable<LadderRecord['last']>, readVersion: number | undefined): Promise<LadderRecord>;

  createNote(record: Omit<NoteRecord, 'version' | 'lastWriteId'>): Promise<NoteRecord>;
  /** Newest first. */
  notesOf(memberArn: string, limit: number): Promise<NoteRecord[]>;
  /** The reports room's pointers to cases about messages this member sent, newest first. */
  casePointersOf(memberArn: string, limit: number): Promise<CasePointerRecord[]>;
  /** Cases by id as the reports room stores them (status and figures only); missing ones left out. */
  caseSummaries(caseIds: readonly string[]): Promise<Array<Record<string, unknown> & { caseId: string }>>;
}

/** A sender's messages in the moderation table, newest first (its bySender index, then the items themselves). */
export interface SenderMessages {
  page(senderArn: string, options: { limit: number; before?: string }): Promise<{ items: ModerationItem[]; next?: string }>;
}
