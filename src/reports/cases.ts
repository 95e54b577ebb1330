import type { z } from 'zod';
import { PeopleNotFoundError } from '../errors.js';
import type { Principal } from '../http/principal.js';
import type { ReportDeps } from './deps.js';
import { finishCase, finishingDecided } from './finish.js';
import { claimConflict, caseObstacle, isClaimActive, withClaim, withoutClaim, type CaseRecord, type ReporterRecord } from './model.js';
import { policyFor } from './policies.js';
import type { CaseDetail, CasePage } from './responses.js';
import type { CasesQuery } from './schemas.js';
import { toCaseDetail, toCaseSummary } from './views.js';
import { changeCase } from './writes.js';

/** Reports a case's detail lists (the first ones by reporter); its count covers them all. */
const REPORTS_SHOWN = 100;

/** `GET /cases`: one status, in SLA or priority order, filtered; signed cursors scoped to the filters. */
export async function listCases(deps: ReportDeps, query: CasesQuery): Promise<z.output<typeof CasePage>> {
  const scope = { route: 'GET /cases', status: query.status, category: query.category, channelArn: query.channelArn, senderArn: query.senderArn, order: query.order };
  const after = query.cursor === undefined ? undefined : deps.cursors.decode<{ after: string }>(scope, query.cursor).after;
  const page = await deps.cases.listCases({
    status: query.status,
    order: query.order,
    ...(query.category !== undefined ? { category: query.category } : {}),
    ...(query.channelArn !== undefined ? { channelArn: query.channelArn } : {}),
    ...(query.senderArn !== undefined ? { senderArn: query.senderArn } : {}),
    limit: query.limit,
    ...(after !== undefined ? { after } : {}),
  });
  const now = deps.clock.now();
  const items = await Promise.all(page.cases.map(async (c) => toCaseSummary(c, await policyFor(deps, c.channelArn), now)));
  return { items, ...(page.next !== undefined ? { next: deps.cursors.encode(scope, { after: page.next }) } : {}) };
}

/** `GET /cases/{caseId}`: the case in full, with its reports and each reporter's record now. */
export async function getCase(deps: ReportDeps, caseId: string): Promise<z.output<typeof CaseDetail>> {
  const c = await deps.cases.getCase(caseId);
  if (!c) throw new PeopleNotFoundError('case', caseId);
  return caseDetail(deps, c);
}

export async function caseDetail(deps: ReportDeps, c: CaseRecord): Promise<z.output<typeof CaseDetail>> {
  const [page, policy] = await Promise.all([deps.cases.listReports(c.caseId, { limit: REPORTS_SHOWN }), policyFor(deps, c.channelArn)]);
  const reports = [...page.items].sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0));
  const reporters = new Map<string, ReporterRecord>();
  await Promise.all(
    reports.map(async (r) => {
      const record = await deps.cases.getReporter(r.reporterArn);
      if (record) reporters.set(r.reporterArn, record);
    }),
  );
  return toCaseDetail(c, reports, reporters, policy, deps.clock.now());
}

/**
 * Claims are leases, as on held messages (src/review/claims.ts): claiming an unclaimed case, or
 * one whose lease lapsed, takes it; the holder claiming again extends it; anyone else gets 409
 * naming the holder. A decided case cannot be claimed (409 already-decided). Every write is
 * conditional on the version read, so two moderators claiming at once cannot both win.
 */
export async function claimCase(deps: ReportDeps, principal: Principal, caseId: string, leaseSeconds: number): Promise<z.output<typeof CaseDetail>> {
  const { record } = await finishingDecided(deps, caseId, () =>
    changeCase(deps, caseId, (current) => {
      const now = deps.clock.now();
      const obstacle = caseObstacle(current, principal.subject, now);
      if (obstacle) throw obstacle;
      return withClaim(current, { subject: principal.subject, username: principal.username }, now, leaseSeconds);
    }),
  );
  return caseDetail(deps, await finishCase(deps, record, await policyFor(deps, record.channelArn)));
}

/**
 * Gives a claim up. Releasing a case nobody holds changes nothing and succeeds; only admins may
 * release someone else's running claim.
 */
export async function releaseCaseClaim(deps: ReportDeps, principal: Principal, caseId: string): Promise<z.output<typeof CaseDetail>> {
  const { record } = await changeCase(deps, caseId, (current) => {
    const now = deps.clock.now();
    if (!isClaimActive(current.claim, now)) return undefined;
    const other = current.claim.subject !== principal.subject;
    if (other && !principal.isAdmin) throw claimConflict(current, current.claim);
    return withoutClaim(current, principal.username, now, other ? `admin released the claim of ${current.claim.username ?? current.claim.subject}` : undefined);
  });
  return caseDetail(deps, record);
}
