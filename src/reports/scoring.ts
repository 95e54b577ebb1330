import type { CommunityPolicy, ReportCategory } from '../policy/community.js';

/**
 * How a case is ordered in the moderators' queue: its SLA due time (the deadline order) and its
 * priority (the priority order). Pure: the same reports and policy always give the same figures.
 */

/** What a reporter's past reports say about the next one (their REPORTER record). */
export interface ReporterTrack {
  /** Reports of theirs a moderator upheld (the case was REDACT or DELETE). */
  upheld: number;
  /** Reports of theirs a moderator dismissed. */
  dismissed: number;
}

/**
 * A reporter's accuracy, as Discourse weighs flaggers: the share of their reports that were
 * upheld, with one upheld and one dismissed assumed beforehand (a Laplace prior). A reporter with
 * no history counts 0.5; ten upheld and none dismissed count 11/12 ≈ 0.92; ten dismissed count
 * 1/12 ≈ 0.08. Always strictly between 0 and 1: nobody's report is worth nothing or everything.
 */
export function reporterAccuracy(track: ReporterTrack): number {
  return (track.upheld + 1) / (track.upheld + track.dismissed + 2);
}

/** The most a case's priority can be (severity 5, weight at MAX_PRIORITY_WEIGHT). */
export const MAX_PRIORITY_WEIGHT = 1000;

/**
 * A case's priority, from (a) how many distinct members reported it, (b) the highest severity of
 * its categories (1–5, from policy), and (c) each reporter's accuracy:
 *
 *   weight   = Σ accuracy over the distinct reporters    (a new reporter adds 0.5, a reliable one ~1)
 *   priority = severity × (1 + ln(1 + weight))           (rounded to hundredths)
 *
 * Severity multiplies, and the reporters add slowly (logarithmically): one new member reporting
 * self-harm (5 × 1.41 = 7.03) comes before a hundred reliable spam reports (1 × 5.61 = 5.61),
 * while within one severity every further reporter, and more so a reliable one, moves a case up.
 * A ring of accounts reporting together cannot outweigh one severity step without ~e times as many
 * reporters, and accounts whose reports keep being dismissed add almost nothing.
 */
export function casePriority(input: { severity: number; weight: number }): number {
  const severity = Math.min(5, Math.max(1, input.severity));
  const weight = Math.min(MAX_PRIORITY_WEIGHT, Math.max(0, input.weight));
  return Math.round(severity * (1 + Math.log1p(weight)) * 100) / 100;
}

/** The category's settings in this policy (an unknown category counts as `other`). */
export const categorySettings = (policy: CommunityPolicy, category: ReportCategory) => policy.reports.categories[category] ?? policy.reports.categories.other;

/**
 * When a case should have been acted on: its first report plus the shortest SLA of its categories.
 * A more severe category arriving later moves it earlier (measured from the first report, as if it
 * had been there from the start); nothing ever moves it later.
 */
export function slaDueAt(firstReportAt: string, categories: readonly ReportCategory[], policy: CommunityPolicy, previousDueAt?: string): string {
  const shortest = Math.min(...categories.map((c) => categorySettings(policy, c).slaSeconds));
  const due = new Date(Date.parse(firstReportAt) + shortest * 1000).toISOString();
  return previousDueAt !== undefined && previousDueAt < due ? previousDueAt : due;
}

/** The highest severity of the categories in this policy. */
export const maxSeverity = (categories: readonly ReportCategory[], policy: CommunityPolicy): number => Math.max(1, ...categories.map((c) => categorySettings(policy, c).severity));

/** Seconds until the due time (negative once past): the queue's countdown. */
export const secondsUntil = (iso: string, nowMs: number): number => Math.floor((Date.parse(iso) - nowMs) / 1000);
