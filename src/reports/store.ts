import type { Page } from '../domain/ports.js';
import type { ReportCategory } from '../policy/community.js';
import type { CaseRecord, CaseStatus, ReportedPointer, ReporterRecord, ReportRecord, SenderCasePointer } from './model.js';

/**
 * Where the reports room keeps its records (src/adapters/dynamodb-reports.ts, over the control
 * table). Every write is one conditional single-item write that settles its own lost answer by
 * its write id (src/adapters/control-records.ts): a create whose answer was lost reads back as
 * created, an update as applied.
 */

/** A conditional write on a record that lost: it is not at the version read. Carries it as it is now. */
export class RecordChangedError<T> extends Error {
  constructor(readonly current: T | undefined) {
    super('The record changed since it was read');
    this.name = 'RecordChangedError';
  }
}

export interface CaseQueueQuery {
  status: CaseStatus;
  order: 'deadline' | 'priority';
  category?: ReportCategory;
  channelArn?: string;
  senderArn?: string;
  limit: number;
  /** Resume strictly after this queue position (a listing's `next`). */
  after?: string;
}

export interface CaseStore {
  getCase(caseId: string): Promise<CaseRecord | undefined>;
  /** Creates the case unless its message has one: `created: false` with the one stored. */
  createCase(record: Omit<CaseRecord, 'version' | 'lastWriteId'>): Promise<{ created: boolean; record: CaseRecord }>;
  /** Writes `next` if the case is still at `readVersion`; RecordChangedError (with the case now) otherwise. */
  saveCase(next: CaseRecord, readVersion: number): Promise<CaseRecord>;
  /**
   * Rewrites the case's entries in the queue orders (DUE by deadline, PRIORITY by priority: the
   * case record itself stays out of the index) to mirror it. Written after the case, so they
   * may lag it (never lead it: an entry for an older version never overwrites a newer one); the
   * listing reads the cases themselves and mends an entry that lags.
   */
  indexByPriority(record: CaseRecord): Promise<void>;

  getReport(caseId: string, reporterArn: string): Promise<ReportRecord | undefined>;
  /** Creates the report unless this reporter reported the message: `created: false` with the first one. */
  createReport(record: Omit<ReportRecord, 'version' | 'lastWriteId'>): Promise<{ created: boolean; record: ReportRecord }>;
  listReports(caseId: string, options: { limit: number; next?: Record<string, unknown> }): Promise<Page<ReportRecord>>;

  getReporter(memberArn: string): Promise<ReporterRecord | undefined>;
  /** Creates it (`readVersion` undefined) or writes it at the version read; RecordChangedError otherwise. */
  saveReporter(next: Omit<ReporterRecord, 'version' | 'lastWriteId'> & Partial<Pick<ReporterRecord, 'version'>>, readVersion: number | undefined): Promise<ReporterRecord>;

  /**
   * Sets fields of a report (and removes others), whatever its version: each such field (its
   * tally, its outcome) is written once and means the same whoever writes it. Undefined when the
   * report does not exist.
   */
  updateReport(caseId: string, reporterArn: string, change: { set?: Partial<ReportRecord>; remove?: readonly string[] }): Promise<ReportRecord | undefined>;
  /** Gives a record (a pointer, a report) the TTL of its case; nothing when it does not exist. */
  expireWith(key: { pk: string; sk: string }, expiresAt: number): Promise<void>;
  /** Reports stored but not counted on their case yet, by case (read again, strongly). */
  untalliedReports(limit: number): Promise<ReportRecord[]>;
  /** The reporters of one case's reports waiting to be counted, as the queue index has them (eventually consistent). */
  waitingReporters(caseId: string, limit: number): Promise<string[]>;
  /** Reports of one case by reporter, read strongly (missing ones left out). */
  getReports(caseId: string, reporterArns: readonly string[]): Promise<ReportRecord[]>;

  /** The settle queue (`CASES#SETTLE#<shard>`): a case whose decision's consequences may be owed, to look at from `dueAt`. */
  oweSettlement(caseId: string, dueAt: string): Promise<void>;
  owedSettlements(dueBy: string, limit: number): Promise<Array<{ caseId: string; createdAt: string; dueAt: string }>>;
  /** Out of the settle queue (the case is settled, or was never decided). */
  clearSettlement(caseId: string): Promise<void>;

  /** The pointers under a member's pk (idempotent: keyed by what they point at). */
  recordPointer(record: Omit<ReportedPointer, 'version' | 'lastWriteId'> | Omit<SenderCasePointer, 'version' | 'lastWriteId'>): Promise<void>;

  /**
   * One page of the cases of one status, in the order asked, matching the filters: the queue
   * index's shards merged, never a scan. The cases are read whole and consistently; one that
   * moved on since the index was read is left out (a page may come out short; `next` holds).
   */
  listCases(query: CaseQueueQuery): Promise<{ cases: CaseRecord[]; next?: string }>;
  /** A member's reports, newest first. */
  listReportedBy(memberArn: string, options: { limit: number; next?: Record<string, unknown> }): Promise<Page<ReportedPointer>>;
  /** Cases by id, read consistently (missing ones left out). */
  getCases(caseIds: readonly string[]): Promise<CaseRecord[]>;
}
