/**
 * The live-policy operations of the review API: read, change (admins), test and replay. Every
 * effective policy here is merged by src/policy/merge.ts and compiled by the engine, exactly as
 * the workers do it.
 */
import type * as z from 'zod/mini';
import { DAY_MS, utcDay } from '../domain/deadline.js';
import { isFollowUpRecord } from '../domain/follow-up.js';
import type { Actor, ModerationItem } from '../domain/item.js';
import type { ChannelMessage, Finding, PolicyAction, PolicyVerdict } from '../domain/message.js';
import { InvalidRequestError, PolicyNotFoundError, PolicyVersionConflictError } from '../errors.js';
import { CANDIDATE_VERSION, PolicyLayerLoader, evaluateChain, versionView, type CandidateLayer } from '../policy/layers.js';
import { communityPolicyOf } from '../policy/community.js';
import { ENTRY_KEYS, appliedLayers, type MergedPolicy } from '../policy/merge.js';
import { classifierSettingsOf } from '../policy/classifiers.js';
import { runClassifierStage } from '../classifiers/stage.js';
import { CLASSIFIER_PRICES } from '../classifiers/prices.js';
import { combineReplayed, estimateCalls, replayClassifier, type PlannedCall, type ReplayClassifierRecord } from '../classifiers/replay.js';
import { CappedCalls, classifyForTest, effectiveClassifiersView, policyApiStage } from './classifiers.js';
import { PolicyDocumentSchema, scopedDocumentIssues, type ScopedPolicyDocument } from '../policy/schema.js';
import { GLOBAL_SCOPE, isScope, parseScope, scopeChainOf, scopeChainTo, scopeCovers, type Scope } from '../policy/scope.js';
import type { PolicyCommit, PolicyStore, PolicyVersionRecord } from '../policy/store.js';
import type { PolicyApiDeps } from './deps.js';
import type {
  EffectivePolicyView,
  PolicyDetail,
  PolicyList,
  PolicyReplayResult,
  PolicySummary,
  PolicyTestResult,
  PolicyVersionDetail,
  PolicyVersionPage,
  PolicyVersionView,
} from './responses.js';
import type { PolicyReplayRequest, PolicyTestRequest, PutPolicyRequest, RollbackRequest } from './schemas.js';
import type { Principal } from '../http/principal.js';

/** What the policy routes need besides the review API's usual dependencies. */
export interface PolicyDeps {
  store: PolicyStore;
  /** The bundled POLICY_FILE as written: global's policy (version 0) while none is stored. */
  seed: ScopedPolicyDocument;
}

type Out<S extends z.ZodMiniType> = z.output<S>;

/** Writers that gave no expectedVersion retry a lost race this many times (last writer wins). */
const UNGUARDED_ATTEMPTS = 3;

function scopeOf(text: string): Scope {
  const scope = parseScope(text);
  if (!isScope(scope)) throw new InvalidRequestError(`Invalid scope: ${scope.problem}`, [{ path: 'path.scope', message: scope.problem }]);
  return scope;
}

const actorOf = (principal: Principal): Actor => ({ id: principal.subject, name: principal.username });
/** A head that is not a deletion (deliberately not a type guard: a deleted head is still a head). */
const isLive = (head: PolicyVersionRecord | undefined): boolean => head !== undefined && !head.deleted;

function summaryOf(scope: Scope, head: PolicyVersionRecord | undefined): Out<typeof PolicySummary> {
  if (head && isLive(head)) {
    return {
      scope: scope.id,
      kind: scope.kind,
      version: head.version,
      mode: head.mode,
      source: 'store',
      updatedBy: head.updatedBy,
      updatedAt: head.updatedAt,
      comment: head.comment,
      ...(head.bytes !== undefined ? { bytes: head.bytes } : {}),
    };
  }
  // Nothing of its own stored (or deleted): global is the bundled POLICY_FILE (version 0); any other scope inherits.
  return {
    scope: scope.id,
    kind: scope.kind,
    version: head?.version ?? 0,
    mode: 'enforce',
    source: scope.kind === 'global' ? 'POLICY_FILE' : 'none',
    updatedBy: null,
    updatedAt: null,
    comment: null,
  };
}

const versionOf = (record: PolicyVersionRecord): Out<typeof PolicyVersionView> => ({
  version: record.version,
  kind: record.kind,
  mode: record.mode,
  deleted: record.deleted,
  updatedBy: record.updatedBy,
  updatedAt: record.updatedAt,
  comment: record.comment,
  ...(record.restoredVersion !== undefined ? { restoredVersion: record.restoredVersion } : {}),
  ...(record.bytes !== undefined ? { bytes: record.bytes } : {}),
});

/** The merged document as the engine applies it: defaults filled in. */
const mergedView = (merged: MergedPolicy) => ({
  layers: merged.layers.map(versionView),
  document: PolicyDocumentSchema.parse(merged.document) as Record<string, unknown>,
});

// ─── Reading ─────────────────────────────────────────────────────────────────────────────────

export async function listPolicies(deps: PolicyApiDeps, query: { limit: number; cursor?: string | undefined }): Promise<Out<typeof PolicyList>> {
  const { store } = deps.policies;
  const cursorScope = { route: 'GET /policies', limit: query.limit };
  const position = query.cursor === undefined ? undefined : deps.cursors.decode<{ next: Record<string, unknown> }>(cursorScope, query.cursor);
  const page = await store.listScopes({ limit: query.limit, ...(position ? { next: position.next } : {}) });
  const scopes = page.items.filter((s) => s !== GLOBAL_SCOPE);
  // Global is always listed first: stored, or the bundled POLICY_FILE.
  const heads = await store.getHeads(position ? scopes : [GLOBAL_SCOPE, ...scopes]);
  const items: Out<typeof PolicyList>['items'] = position ? [] : [summaryOf({ id: GLOBAL_SCOPE, kind: 'global' }, heads.get(GLOBAL_SCOPE))];
  for (const id of scopes) {
    const head = heads.get(id);
    const scope = parseScope(id);
    if (head && isLive(head) && isScope(scope)) items.push(summaryOf(scope, head));
  }
  return { items, ...(page.next ? { next: deps.cursors.encode(cursorScope, { next: page.next }) } : {}) };
}

async function effectiveAt(policies: PolicyDeps, scope: Scope): Promise<Out<typeof EffectivePolicyView>> {
  const loader = new PolicyLayerLoader(policies.store, policies.seed);
  const chain = scopeChainTo(scope);
  await loader.prefetch(chain);
  const layers = loader.layersOf(chain);
  const { effective } = loader.compile(layers);
  return {
    ...mergedView(effective.applied),
    community: communityPolicyOf(effective.applied.community),
    ...(effective.shadow ? { shadow: mergedView(effective.shadow) } : {}),
    unmatchedRemovals: (effective.shadow ?? effective.applied).unmatchedRemovals,
    // The applied scopes' classifiers, as the workers run them (a shadow-mode scope's are not run).
    classifiers: effectiveClassifiersView(effective.applied.classifiers, appliedLayers(layers)),
  };
}

export async function getPolicy(deps: PolicyApiDeps, scopeText: string, options: { effective: boolean }): Promise<Out<typeof PolicyDetail>> {
  const policies = deps.policies;
  const scope = scopeOf(scopeText);
  const head = await policies.store.getHead(scope.id);
  let document: ScopedPolicyDocument | null = null;
  if (head && isLive(head)) document = await policies.store.loadDocument(head);
  else if (scope.kind === 'global') document = policies.seed;
  else if (!options.effective) {
    throw new PolicyNotFoundError(
      scope.id,
      `No policy is stored for ${scope.id}${head ? ` (it was deleted at version ${head.version})` : ''}. It is judged by what it inherits: GET /policies/{scope}?effective=true shows that.`,
    );
  }
  return {
    ...summaryOf(scope, head),
    document: document as Record<string, unknown> | null,
    ...(options.effective ? { effective: await effectiveAt(policies, scope) } : {}),
  };
}

export async function listPolicyVersions(deps: PolicyApiDeps, scopeText: string, query: { limit: number; cursor?: string | undefined }): Promise<Out<typeof PolicyVersionPage>> {
  const { store } = deps.policies;
  const scope = scopeOf(scopeText);
  const cursorScope = { route: 'GET /policies/{scope}/versions', scope: scope.id, limit: query.limit };
  const position = query.cursor === undefined ? undefined : deps.cursors.decode<{ next: Record<string, unknown> }>(cursorScope, query.cursor);
  const page = await store.listVersions(scope.id, { limit: query.limit, ...(position ? { next: position.next } : {}) });
  return { scope: scope.id, items: page.items.map(versionOf), ...(page.next ? { next: deps.cursors.encode(cursorScope, { next: page.next }) } : {}) };
}

/** One version and its document (version 0 of global: the bundled POLICY_FILE; a deletion: null). */
export async function getPolicyVersion(deps: PolicyApiDeps, scopeText: string, version: number): Promise<Out<typeof PolicyVersionDetail>> {
  const policies = deps.policies;
  const scope = scopeOf(scopeText);
  if (version === 0 && scope.kind === 'global') return { scope: scope.id, version: 0, source: 'POLICY_FILE', entry: null, document: policies.seed as Record<string, unknown> };
  const record = await policies.store.getVersion(scope.id, version);
  if (!record) throw new PolicyNotFoundError(scope.id, `${scope.id} has no version ${version}. GET /policies/{scope}/versions lists them.`, version);
  const document = record.deleted ? null : ((await policies.store.loadDocument(record)) as Record<string, unknown>);
  return { scope: scope.id, version, source: 'store', entry: versionOf(record), document };
}

// ─── Changing (admins) ───────────────────────────────────────────────────────────────────────

/** 400 with every problem of a document that only its scope reveals (kind rules; the merged policy compiles). */
async function checkForScope(policies: PolicyDeps, scope: Scope, document: ScopedPolicyDocument): Promise<void> {
  const errors = scopedDocumentIssues(document, scope.kind, ENTRY_KEYS).map((issue) => ({ path: ['body', 'document', ...issue.path].join('.'), message: issue.message }));
  if (errors.length > 0) throw new InvalidRequestError(`Invalid policy document for ${scope.id}: ${errors.map((e) => `${e.path} ${e.message}`).join('; ')}`, errors);
  const loader = new PolicyLayerLoader(policies.store, policies.seed);
  const chain = scopeChainTo(scope);
  await loader.prefetch(chain);
  try {
    loader.compile(loader.layersOf(chain, { scope: scope.id, document }));
  } catch (error) {
    const message = `the effective policy at this scope does not compile: ${(error as Error).message}`;
    throw new InvalidRequestError(`Invalid policy document for ${scope.id}: ${message}`, [{ path: 'body.document', message }]);
  }
}

/** Commits against `expectedVersion`, or (none given) against whatever is current, retrying a lost race. */
async function commitVersion(store: PolicyStore, scope: string, expectedVersion: number | undefined, build: (expected: number) => PolicyCommit): Promise<PolicyVersionRecord> {
  if (expectedVersion !== undefined) return store.commit(build(expectedVersion));
  for (let attempt = 1; ; attempt++) {
    const current = (await store.getHead(scope))?.version ?? 0;
    try {
      return await store.commit(build(current));
    } catch (error) {
      if (!(error instanceof PolicyVersionConflictError) || attempt >= UNGUARDED_ATTEMPTS) throw error;
    }
  }
}

export async function putPolicy(deps: PolicyApiDeps, principal: Principal, scopeText: string, body: PutPolicyRequest): Promise<Out<typeof PolicyDetail>> {
  const policies = deps.policies;
  const scope = scopeOf(scopeText);
  const document = body.document as ScopedPolicyDocument;
  await checkForScope(policies, scope, document);
  const record = await commitVersion(policies.store, scope.id, body.expectedVersion, (expected) => ({
    scope: scope.id,
    expectedVersion: expected,
    kind: 'put',
    mode: document.mode ?? 'enforce',
    actor: actorOf(principal),
    comment: body.comment,
    now: deps.clock.now(),
    document,
  }));
  return { ...summaryOf(scope, record), document: document as Record<string, unknown> };
}

export async function rollbackPolicy(deps: PolicyApiDeps, principal: Principal, scopeText: string, body: RollbackRequest): Promise<Out<typeof PolicyDetail>> {
  const policies = deps.policies;
  const scope = scopeOf(scopeText);
  const common = { scope: scope.id, kind: 'rollback' as const, actor: actorOf(principal), comment: body.comment };
  let record: PolicyVersionRecord;
  let document: ScopedPolicyDocument;
  if (body.version === 0 && scope.kind === 'global') {
    // Version 0 of global is the bundled POLICY_FILE: store it as the new version.
    document = policies.seed;
    record = await commitVersion(policies.store, scope.id, body.expectedVersion, (expected) => ({
      ...common,
      expectedVersion: expected,
      mode: 'enforce',
      now: deps.clock.now(),
      document,
      restoredVersion: 0,
    }));
  } else {
    const target = await policies.store.getVersion(scope.id, body.version);
    if (!target) throw new PolicyNotFoundError(scope.id, `${scope.id} has no version ${body.version}. GET /policies/{scope}/versions lists them.`, body.version);
    if (target.deleted) {
      throw new InvalidRequestError(`Version ${body.version} of ${scope.id} is its deletion; roll back to a version with a document.`, [{ path: 'body.version', message: 'is a deletion, not a document' }]);
    }
    document = await policies.store.loadDocument(target);
    record = await commitVersion(policies.store, scope.id, body.expectedVersion, (expected) => ({ ...common, expectedVersion: expected, mode: target.mode, now: deps.clock.now(), restore: target }));
  }
  return { ...summaryOf(scope, record), document: document as Record<string, unknown> };
}

export async function deletePolicy(deps: PolicyApiDeps, principal: Principal, scopeText: string, query: { comment: string; expectedVersion?: number | undefined }) {
  const { store } = deps.policies;
  const scope = scopeOf(scopeText);
  if (scope.kind === 'global') {
    throw new InvalidRequestError('global cannot be deleted: every message needs a policy. PUT a new version, or roll back to version 0 (the bundled POLICY_FILE).', [
      { path: 'path.scope', message: 'must not be global' },
    ]);
  }
  const head = await store.getHead(scope.id);
  if (!head || !isLive(head)) throw new PolicyNotFoundError(scope.id, `No policy is stored for ${scope.id}${head ? ` (already deleted at version ${head.version})` : ''}.`);
  const record = await store.commit({
    scope: scope.id,
    expectedVersion: query.expectedVersion ?? head.version,
    kind: 'delete',
    mode: 'enforce',
    actor: actorOf(principal),
    comment: query.comment,
    now: deps.clock.now(),
  });
  return { scope: scope.id, ...versionOf(record) };
}

// ─── Test and replay ─────────────────────────────────────────────────────────────────────────

function findingsView(findings: readonly Finding[], content: string) {
  return findings.map((f) => ({
    ruleId: f.ruleId,
    action: f.action,
    reason: f.reason,
    ...(f.spans ? { spans: f.spans.map((s) => ({ start: s.start, end: s.end, text: content.slice(s.start, s.end) })) } : {}),
  }));
}

function verdictView(verdict: PolicyVerdict, merged: MergedPolicy, content: string) {
  return {
    action: verdict.action,
    ruleIds: verdict.ruleIds,
    reason: verdict.reason,
    findings: findingsView(verdict.findings, content),
    ...(verdict.content !== undefined ? { content: verdict.content } : {}),
    versions: merged.layers.map(versionView),
  };
}

/** Sends nothing to Chime and writes nothing: reads the stored scopes it needs, and evaluates. */
export async function testPolicies(deps: PolicyApiDeps, body: PolicyTestRequest): Promise<Out<typeof PolicyTestResult>> {
  const policies = deps.policies;
  const scope = body.scope === undefined ? undefined : scopeOf(body.scope);
  const document = body.document as ScopedPolicyDocument | undefined;
  const loader = new PolicyLayerLoader(policies.store, policies.seed);
  // The chain each message is judged by: the scope's; a lone document (judged as the whole policy); or the message's channel's.
  const chainOf = (channelArn: string | undefined): string[] => (scope ? scopeChainTo(scope) : document ? [GLOBAL_SCOPE] : scopeChainOf(channelArn ?? ''));
  const candidate: CandidateLayer | undefined = document ? { scope: scope?.id ?? GLOBAL_SCOPE, document } : undefined;
  const lone = document !== undefined && scope === undefined;
  if (!lone) await loader.prefetch(body.messages.flatMap((m) => chainOf(m.channelArn)));

  const stage = policyApiStage(deps.classifiers, () => deps.clock.now());
  const results = await Promise.all(body.messages.map(async (m, index) => {
    const message: ChannelMessage = {
      messageId: `policy-test-${index}`,
      channelArn: m.channelArn ?? (scope?.kind === 'channel' ? scope.id : ''),
      content: m.content,
      ...(m.metadata !== undefined ? { metadata: m.metadata } : {}),
      sender: { arn: m.senderArn ?? '' },
    };
    const layers = lone ? [{ scope: GLOBAL_SCOPE, version: CANDIDATE_VERSION, mode: 'enforce' as const, document: { ...document, mode: 'enforce' as const } }] : loader.layersOf(chainOf(m.channelArn), candidate);
    const chain = loader.compile(layers);
    const { applied, shadow } = evaluateChain(chain, message);
    // The applied scopes' classifiers, called now (the stage never throws: an outage is a path taken).
    const classifiers = body.classify !== false ? classifierSettingsOf(chain.effective.applied.classifiers).active : [];
    const classified = classifiers.length > 0 ? await classifyForTest(stage, message, applied, classifiers) : undefined;
    return {
      index,
      ...verdictView(applied, chain.effective.applied, m.content),
      ...(shadow && chain.effective.shadow ? { shadow: verdictView(shadow, chain.effective.shadow, m.content) } : {}),
      ...(classified
        ? {
            classifiers: classified.classifiers ?? [],
            combined: { action: classified.action, ruleIds: classified.ruleIds, reason: classified.reason, findings: findingsView(classified.findings, m.content) },
          }
        : {}),
    };
  }));
  return { results };
}

type Counts = Record<PolicyAction, number>;
type Matrix = Record<PolicyAction, Counts>;
const zeroCounts = (): Counts => ({ ALLOW: 0, UPDATE: 0, REVIEW: 0, DENY: 0 });
const zeroMatrix = (): Matrix => ({ ALLOW: zeroCounts(), UPDATE: zeroCounts(), REVIEW: zeroCounts(), DENY: zeroCounts() });

const dayBefore = (day: string): string => utcDay(new Date(Date.parse(`${day}T00:00:00.000Z`) - DAY_MS).toISOString());

/**
 * Replays the recorded messages of a window against a candidate document for one scope.
 * Reads the audit index day by day (newest first) and then the held items, never a scan, and
 * stops at `limit` evaluated messages (or 4 × limit read, when the scope filters most out).
 */
export async function replayPolicy(deps: PolicyApiDeps, principal: Principal, body: PolicyReplayRequest): Promise<Out<typeof PolicyReplayResult>> {
  const policies = deps.policies;
  const scope = scopeOf(body.scope);
  const candidate: CandidateLayer = { scope: scope.id, document: body.document as ScopedPolicyDocument };
  const from = new Date(Date.parse(body.from)).toISOString();
  const to = new Date(Date.parse(body.to)).toISOString();
  const maxReads = body.limit * 4;
  const channelFilter = scope.kind === 'channel' ? { channelArn: scope.id } : {};

  // 1. Read: decided items (audit index), then items still held for review.
  const items: ModerationItem[] = [];
  let reads = 0;
  let reached: 'none' | 'limit' | 'reads' = 'none';
  /** Keeps what `accept` makes of each entry (read, counted), if the scope judges it; false once a cap is reached. */
  const take = <T>(page: readonly T[], accept: (entry: T) => ModerationItem | undefined): boolean => {
    for (const entry of page) {
      reads++;
      const item = accept(entry);
      if (item && scopeCovers(scope, item.message.channelArn)) items.push(item);
      if (items.length >= body.limit) reached = 'limit';
      else if (reads >= maxReads) reached = 'reads';
      if (reached !== 'none') return false;
    }
    return true;
  };
  for (let day = utcDay(to); day >= utcDay(from) && reached === 'none'; day = dayBefore(day)) {
    let next: Record<string, unknown> | undefined;
    do {
      // Full pages even near the cap: with an app-instance scope most items may be filtered out here.
      const page = await deps.store.listDecisionsOfDay({ day, from, to, ...channelFilter, limit: 100, ...(next ? { next } : {}) });
      // The audit index also holds moderators' follow-up action records: read, but not messages.
      if (!take(page.items, (entry) => (isFollowUpRecord(entry) ? undefined : entry))) break;
      next = page.next;
    } while (next);
  }
  if (reached === 'none') {
    let next: Record<string, unknown> | undefined;
    do {
      const page = await deps.store.listPendingReviews({ subject: principal.subject, now: deps.clock.now(), claimed: 'any', ...channelFilter, limit: 100, ...(next ? { next } : {}) });
      if (!take(page.items, (item) => (item.receivedAt >= from && item.receivedAt <= to ? item : undefined))) break;
      next = page.next;
    } while (next);
  }

  // 2. Judge: the stored scopes of every channel seen (batched), the candidate in place of its scope.
  const loader = new PolicyLayerLoader(policies.store, policies.seed);
  await loader.prefetch(items.flatMap((item) => scopeChainOf(item.message.channelArn)));
  const matrix = zeroMatrix();
  const shadowMatrix = zeroMatrix();
  const perDay = new Map<string, { evaluated: number; recorded: number; candidate: number }>();
  const changedByCell = new Map<string, Array<Out<typeof PolicyReplayResult>['samples'][number]>>();
  let evaluated = 0;
  let changed = 0;
  let noVerdict = 0;
  let shadowCompared = 0;
  let shadowDiffer = 0;
  // Classifiers: recomputed from recorded scores; providers called only under an explicit cap, and never in an estimate.
  const cap = body.classifierCalls?.max ?? 0;
  const estimateOnly = body.estimate === true;
  const calls = new CappedCalls(estimateOnly ? 0 : cap);
  const callStage = calls.stage(policyApiStage(deps.classifiers, () => deps.clock.now()));
  const needed: PlannedCall[] = [];
  const classifierStats = new Map<string, Out<typeof PolicyReplayResult>['classifiers']['byClassifier'][number]>();
  let classifiedItems = 0;
  for (const item of items) {
    const recorded = item.policy;
    if (!recorded) {
      noVerdict++;
      continue;
    }
    const chain = loader.compile(loader.layersOf(scopeChainOf(item.message.channelArn), candidate));
    const rules = evaluateChain(chain, item.message).applied;
    const settings = classifierSettingsOf(chain.effective.applied.classifiers).active;
    let verdict: PolicyVerdict & { classifiers?: ReplayClassifierRecord[] } = rules;
    if (settings.length > 0) {
      classifiedItems++;
      const recordedByName = new Map((recorded.classifiers ?? []).map((r) => [r.name, r]));
      const results = settings.map((s) => ({ settings: s, ...replayClassifier(s, item.message, rules, recordedByName.get(s.name)) }));
      const toCall = results.filter((r) => r.needsCall);
      for (const r of toCall) needed.push({ settings: r.settings, text: r.text ?? item.message.content });
      const sending = toCall.slice(0, calls.left);
      if (sending.length > 0) {
        const called = await runClassifierStage(callStage, { message: item.message, rules, classifiers: sending.map((r) => r.settings) });
        const added = called.findings.slice(rules.findings.length);
        for (const record of called.classifiers ?? []) {
          const result = results.find((r) => r.settings.name === record.name);
          if (!result) continue;
          result.record = { ...record, source: 'called' };
          result.findings = record.shadow ? [] : added.filter((f) => f.ruleId === result.settings.ruleId);
        }
      }
      verdict = combineReplayed(rules, results);
      for (const { settings: s, record } of results) {
        const stats = classifierStats.get(s.name) ?? {
          name: s.name,
          provider: s.provider.kind,
          shadow: s.shadow,
          recorded: 0,
          called: 0,
          notScored: 0,
          skipped: 0,
          unavailable: 0,
          actions: { ALLOW: 0, REVIEW: 0, DENY: 0 },
        };
        if (record.source === 'recorded') stats.recorded++;
        if (record.source === 'called') stats.called++;
        if (record.outcome === 'NOT_SCORED') stats.notScored++;
        else if (record.outcome === 'SKIPPED') stats.skipped++;
        else if (record.outcome === 'UNAVAILABLE' || record.outcome === 'REFUSED') stats.unavailable++;
        else stats.actions[record.action]++;
        classifierStats.set(s.name, stats);
      }
    }
    evaluated++;
    matrix[recorded.action][verdict.action]++;
    const day = utcDay(item.receivedAt);
    const counts = perDay.get(day) ?? { evaluated: 0, recorded: 0, candidate: 0 };
    counts.evaluated++;
    if (recorded.action === 'REVIEW') counts.recorded++;
    if (verdict.action === 'REVIEW') counts.candidate++;
    perDay.set(day, counts);
    if (item.shadowPolicy) {
      shadowCompared++;
      shadowMatrix[recorded.action][item.shadowPolicy.action]++;
      if (item.shadowPolicy.action !== recorded.action) shadowDiffer++;
    }
    if (verdict.action !== recorded.action) {
      changed++;
      const cell = `${recorded.action}>${verdict.action}`;
      const list = changedByCell.get(cell) ?? [];
      if (list.length < body.samples) {
        list.push({
          callbackId: item.callbackId,
          channelArn: item.message.channelArn,
          receivedAt: item.receivedAt,
          status: item.status,
          content: item.message.content,
          recorded: { action: recorded.action, ruleIds: recorded.ruleIds, reason: recorded.reason, ...(recorded.versions ? { versions: recorded.versions.map(versionView) } : {}) },
          decision: item.decision ? { action: item.decision.action, origin: item.decision.origin, decidedAt: item.decision.decidedAt } : null,
          candidate: { ...verdictView(verdict, chain.effective.applied, item.message.content), ...(verdict.classifiers ? { classifiers: verdict.classifiers } : {}) },
        });
        changedByCell.set(cell, list);
      }
    }
  }

  // Samples spread over the kinds of change (round robin), newest first within each.
  const samples: Out<typeof PolicyReplayResult>['samples'] = [];
  const lists = [...changedByCell.values()];
  for (let i = 0; samples.length < body.samples && lists.some((l) => i < l.length); i++) {
    for (const list of lists) if (i < list.length && samples.length < body.samples) samples.push(list[i]!);
  }

  return {
    scope: scope.id,
    window: { from, to },
    evaluated,
    capped: reached !== 'none',
    cap: { limit: body.limit, reached },
    skipped: { noVerdict },
    matrix,
    changed,
    samples,
    reviewQueue: [...perDay.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([day, c]) => ({ day, ...c })),
    shadow: { compared: shadowCompared, differ: shadowDiffer, matrix: shadowMatrix },
    classifiers: {
      source: classifiedItems === 0 ? 'none' : calls.made > 0 ? 'recorded+calls' : 'recorded',
      estimateOnly,
      calls: { max: cap, made: calls.made },
      items: classifiedItems,
      byClassifier: [...classifierStats.values()],
      estimate: {
        items: classifiedItems,
        prices: { file: CLASSIFIER_PRICES.file, asOf: CLASSIFIER_PRICES.asOf, currency: CLASSIFIER_PRICES.currency },
        needed: estimateCalls(needed),
        capped: estimateCalls(needed.slice(0, cap)),
      },
    },
  };
}
