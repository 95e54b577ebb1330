import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ConfigurationError } from '../errors.js';
import type { BudgetCost, RateBudget } from './ports.js';

/**
 * The classifier budget shared by every worker container: requests/s and text units/s per
 * provider key, kept in the control table as one counter item per key and window:
 *
 *   pk BUDGET#<key>#<window start, epoch ms>   sk W   { requests: n, textUnits: m, expiresAt }
 *
 * A grant is one conditional UpdateItem: ADD the cost, on condition that the counts before it
 * leave room for it (`requests <= limit − cost`). DynamoDB applies the writes to one item one at
 * a time, so a window never grants more than its share, however many containers ask at once. A
 * refusal says when the next window starts (`retryAfterMs`); the budget never waits.
 *
 *   100 ms windows, 25/s: shares 2, 3, 2, 3, … (windowLimits)
 *   |✓✓ ✗ ✗|✓✓✓ ✗|✓✓ ✗ ✗|…
 *   ^ each window's first takes are granted up to its share; the rest are refused with
 *     retryAfterMs = the next window's start, and a container that was refused asks nobody
 *     until then (FullWindows)
 *
 * Why windows of 100 ms by default, not whole seconds. A provider may count its quota over a
 * sliding second: the Comprehend emulator does, and so does any limiter with a burst of exactly
 * one second. Whole-second windows grant a second's worth at the start of each second. With
 * saturated demand, the late grants of one second and the early grants of the next then fall
 * into one sliding second, which can hold up to twice the rate. This was measured with 12
 * workers against the emulator's sliding-second limiter, on the two-core development machine.
 * Whole-second windows at 88% of the quota still saw 11% of their calls throttled. 100 ms
 * windows at the same 88% saw none to 2%, the 2% when the machine was busy, because they spread
 * each second's grants over it. test/integration/classifier-budget.test.ts repeats the
 * measurement. No limiter can run at exactly the quota
 * without throttles, whatever its windows: calls arrive with jitter, and a call that arrives a
 * millisecond early against a sliding second is one too many. So set the budget about 10% under
 * the quota (README "Classifier budgets and quotas"), which DEFAULT_BUDGETS does.
 *
 * Lost answers (BRIEF.md invariant 6). A grant's answer can be lost after DynamoDB applied it.
 * The SDK's retry then either adds the cost a second time or fails its condition, and a call
 * that gives up is reported as a refusal. In every case the cost is counted, and perhaps counted
 * twice, while nobody uses the grant. That is an unknown we deliberately leave unsettled,
 * because both wrong guesses err on the safe side: the stack uses less than its quota for that
 * window and never more. Nothing else depends on the count (it expires with its window).
 *
 * DynamoDB itself unavailable (an error, or no answer within `timeoutMs`): the take is refused
 * (`reason: 'UNAVAILABLE'`). The budget fails closed, because a budget that fails open would
 * spend the account's quota blind. The stage then takes the scope's `onUnavailable` path.
 *
 * The hot key. Each window is an item of its own, so one provider key's writes spread over 10
 * partition keys a second. Per second, at most `limit` writes succeed (25–200/s at the default
 * Comprehend and Guardrails quotas), and each costs 1 WCU (the item is under 100 bytes). A
 * refused write also costs 1 WCU. The per-container short circuit allows about one refused write
 * per waiting container per window. With 100 containers all waiting, that is 200 grants plus
 * 1,000 refusals a second, over 10 items. Each item takes about 120 writes in its 100 ms, far
 * under the 1,000 WCU/s one partition key serves. The refusals cost more than the grants then
 * (1,000 WRU/s is $0.000625/s at on-demand prices, against $0.0075/s for 25 Comprehend calls of
 * 3 units), but they happen only while demand exceeds the quota. With whole-second windows
 * (`windowMs: 1000`), one item takes 200 + 100 writes/s.
 *
 * Clocks. Windows are cut by the caller's clock (`nowMs`). Lambda hosts keep time with the Amazon
 * Time Sync Service (well under a millisecond of skew), so two containers disagree about which
 * window it is only for a moment around the boundary. Each window still grants at most its
 * share, so the long-run rate holds exactly. Within any one second of real time, the skew can
 * only shift a few grants across the edge.
 */

/** The default length of one budget window (a tenth of the quotas' second: see above). */
export const WINDOW_MS = 100;
/** The window lengths allowed: whole divisions of a second, so that every second holds the same windows. */
export const WINDOW_LENGTHS = [1_000, 500, 250, 200, 100, 50] as const;
/** Window items outlive their window by this much before TTL may remove them (they are never read again). */
const WINDOW_TTL_SECONDS = 120;
const BUDGET_PK = 'BUDGET#';
const WINDOW_SK = 'W';

export interface BudgetLimits {
  requestsPerSecond: number;
  /** Absent: text units are not limited for this key (Comprehend's quota is in requests). */
  textUnitsPerSecond?: number;
}

/**
 * The budgets a stack starts with: 90% of the lowest default quotas AWS publishes (25
 * requests/s; Guardrails 25 text units/s; Service Quotas, README "Classifier budgets and
 * quotas"), so that a stack nobody tuned stays under the quota. `http` endpoints have no
 * default: an endpoint is not metered until its host is given a budget.
 */
export const DEFAULT_BUDGETS: Readonly<Record<string, BudgetLimits>> = {
  'comprehend-toxicity': { requestsPerSecond: 22 },
  'bedrock-guardrail': { requestsPerSecond: 22, textUnitsPerSecond: 22 },
};

const BUDGET_ENTRY = /^(comprehend-toxicity|bedrock-guardrail|http:[a-z0-9.-]+(?::\d{1,5})?)=(\d{1,6})(?:\/(\d{1,7}))?$/;

/**
 * CLASSIFIER_BUDGETS (stage param `classifierBudgets`): `key=requests[/textUnits]` per provider
 * key, separated by `;` or `,`, e.g. `comprehend-toxicity=25; bedrock-guardrail=50/200;
 * http:moderation.internal:8443=40`. Keys are those of src/classifiers/stage.ts `budgetKeyOf`. A
 * key given replaces its default and any key not given keeps its default. Empty means the
 * defaults. Anything else fails at cold start and names the variable.
 */
export function parseBudgets(spec: string | undefined, variable = 'CLASSIFIER_BUDGETS'): Record<string, BudgetLimits> {
  const budgets: Record<string, BudgetLimits> = { ...DEFAULT_BUDGETS };
  for (const raw of (spec ?? '').split(/[;,]/)) {
    const entry = raw.trim();
    if (entry === '') continue;
    const match = BUDGET_ENTRY.exec(entry);
    if (!match) {
      throw new ConfigurationError(
        `Invalid configuration: ${variable} entry "${entry.slice(0, 80)}" is not key=requestsPerSecond[/textUnitsPerSecond] (keys: comprehend-toxicity, bedrock-guardrail, http:<host>)`,
        { variable },
      );
    }
    const requestsPerSecond = Number(match[2]);
    const textUnitsPerSecond = match[3] === undefined ? undefined : Number(match[3]);
    if (requestsPerSecond < 1 || textUnitsPerSecond === 0) throw new ConfigurationError(`Invalid configuration: ${variable} entry "${entry}" must allow at least 1 per second`, { variable });
    budgets[match[1]!] = { requestsPerSecond, ...(textUnitsPerSecond !== undefined ? { textUnitsPerSecond } : {}) };
  }
  return budgets;
}

export interface BudgetWindow {
  /** Windows since the epoch. */
  index: number;
  startMs: number;
  endMs: number;
  /** Its place in its second (0 for one-second windows). */
  slot: number;
  /** Windows per second. */
  slots: number;
}

export const windowOf = (nowMs: number, windowMs: number = WINDOW_MS): BudgetWindow => {
  const index = Math.floor(nowMs / windowMs);
  const slots = Math.round(1_000 / windowMs);
  return { index, startMs: index * windowMs, endMs: (index + 1) * windowMs, slot: index % slots, slots };
};

export const budgetKey = (key: string, window: BudgetWindow): { pk: string; sk: string } => ({ pk: `${BUDGET_PK}${key}#${window.startMs}`, sk: WINDOW_SK });

/** Text units the largest usual call needs: a 4 KB message and a few context blocks (Guardrails bills 1,000 characters a unit). */
export const LARGEST_CALL_TEXT_UNITS = 10;

/**
 * The window length a key's limits get: the preferred one, or longer when its share would be
 * too small to be useful. A window must hold at least one request and, when text units are
 * limited, LARGEST_CALL_TEXT_UNITS of them. 22 text units/s in 100 ms windows would give shares
 * of 2 or 3, so a 4-unit call would fit only into an empty window, and ten such windows a second
 * would let 40 units through. Such a key gets 500 ms windows instead (shares of 11).
 */
export function windowLengthFor(limits: BudgetLimits, preferredMs: number = WINDOW_MS): number {
  for (const length of [...WINDOW_LENGTHS].reverse()) {
    if (length < preferredMs) continue;
    const share = (perSecond: number) => Math.floor((perSecond * length) / 1_000);
    if (share(limits.requestsPerSecond) >= 1 && (limits.textUnitsPerSecond === undefined || share(limits.textUnitsPerSecond) >= LARGEST_CALL_TEXT_UNITS)) return length;
  }
  return 1_000;
}

/** What one window may grant. */
export interface WindowLimits {
  requests: number;
  textUnits?: number;
}

/**
 * A second's limit spread over its windows, exactly: window i of S gets floor((i+1)·L/S) −
 * floor(i·L/S), so the windows of every second add up to L, and no window gets more than its
 * share rounded up. 25/s in windows of 100 ms gives 2, 3, 2, 3, … grants.
 */
export function windowLimits(limits: BudgetLimits, window: Pick<BudgetWindow, 'slot' | 'slots'>): WindowLimits {
  const share = (perSecond: number) => Math.floor(((window.slot + 1) * perSecond) / window.slots) - Math.floor((window.slot * perSecond) / window.slots);
  return { requests: share(limits.requestsPerSecond), ...(limits.textUnitsPerSecond !== undefined ? { textUnits: share(limits.textUnitsPerSecond) } : {}) };
}

/**
 * What the window may already hold for this cost to fit: `limit − cost` for each limited
 * measure. A negative ceiling means one call costs more than a whole window allows, for
 * example a long text against a low text-unit quota. Such a call is admitted only into an empty
 * window, because otherwise it could never be granted at all. It then overshoots that one
 * window by its own size, which the provider's burst allowance absorbs, or it is answered with
 * a throttle that the stage handles. A window whose share is 0 (a limit below one per window)
 * grants nothing.
 */
export interface AdmissionCeilings {
  requests: number;
  textUnits?: number;
}

export function admissionCeilings(limits: WindowLimits, cost: BudgetCost): AdmissionCeilings {
  return {
    requests: limits.requests - cost.requests,
    ...(limits.textUnits !== undefined ? { textUnits: limits.textUnits - cost.textUnits } : {}),
  };
}

export function admissionCondition(ceilings: AdmissionCeilings): { expression: string; names: Record<string, string>; values: Record<string, number> } {
  const names: Record<string, string> = {};
  const values: Record<string, number> = {};
  const parts: string[] = [];
  const measure = (attribute: 'requests' | 'textUnits', ceiling: number) => {
    names[`#${attribute}`] = attribute;
    if (ceiling < 0) {
      // Nothing of this measure taken in the window yet: only then may an oversized cost go.
      values[':zero'] = 0;
      parts.push(`(attribute_not_exists(#${attribute}) OR #${attribute} <= :zero)`);
      return;
    }
    values[`:${attribute}Ceiling`] = ceiling;
    parts.push(`(attribute_not_exists(#${attribute}) OR #${attribute} <= :${attribute}Ceiling)`);
  };
  measure('requests', ceilings.requests);
  if (ceilings.textUnits !== undefined) measure('textUnits', ceilings.textUnits);
  return { expression: parts.join(' AND '), names, values };
}

/** Whether a window holding these counts has room for nothing more (the smallest call: one request, one text unit). */
export const windowIsFull = (limits: WindowLimits, counts: { requests: number; textUnits: number }): boolean =>
  counts.requests >= limits.requests || (limits.textUnits !== undefined && counts.textUnits >= limits.textUnits);

/**
 * A container's memory of which keys' windows it knows to be full. A container that was just
 * refused (or whose own grant filled the window) answers its next takes from here, without
 * writing, until the window ends. This is what keeps the refused writes at about one per
 * container per second. A window marked full for a large cost might still have had room for a
 * smaller one; the short circuit forgoes that room, which again errs towards using less.
 */
export class FullWindows {
  private readonly until = new Map<string, number>();

  /** The end of the window the key is known to be full in, or undefined. */
  fullUntil(key: string, nowMs: number): number | undefined {
    const until = this.until.get(key);
    if (until === undefined) return undefined;
    if (nowMs >= until) {
      this.until.delete(key);
      return undefined;
    }
    return until;
  }

  markFull(key: string, untilMs: number): void {
    this.until.set(key, Math.max(untilMs, this.until.get(key) ?? 0));
  }
}

export type BudgetAnswer =
  | { granted: true }
  | {
      granted: false;
      retryAfterMs: number;
      /** EXHAUSTED: the window is full. UNAVAILABLE: the budget could not be asked (fails closed). */
      reason: 'EXHAUSTED' | 'UNAVAILABLE';
    };

export interface DynamoDbRateBudgetOptions {
  /** The control table. */
  tableName: string;
  /** The limits of a provider key; undefined: that key is not metered (granted without a write). */
  limits: Readonly<Record<string, BudgetLimits>> | ((key: string) => BudgetLimits | undefined);
  /**
   * The preferred window length, a whole division of a second (default 100 ms: see the top of
   * the file); a key with low limits gets longer windows (windowLengthFor). Whole seconds
   * (1,000) cost fewer refused writes and suit a provider that counts calendar seconds.
   */
  windowMs?: (typeof WINDOW_LENGTHS)[number];
  /** How long a take may wait for DynamoDB before it is refused as UNAVAILABLE (default 500 ms). */
  timeoutMs?: number;
  /** Told when DynamoDB failed a take (for a log line or a metric; the take is already refused). */
  onError?: (error: unknown, key: string) => void;
}

export class DynamoDbRateBudget implements RateBudget {
  private readonly full = new FullWindows();
  /** Writes this instance made (granted or refused) and takes it answered from memory: for tests and the bench. */
  readonly stats = { writes: 0, shortCircuited: 0, granted: 0, refused: 0, unavailable: 0 };

  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly options: DynamoDbRateBudgetOptions,
  ) {
    if (options.windowMs !== undefined && !(WINDOW_LENGTHS as readonly number[]).includes(options.windowMs)) {
      throw new ConfigurationError(`Invalid configuration: a budget window of ${options.windowMs} ms is not one of ${WINDOW_LENGTHS.join(', ')} ms`);
    }
  }

  private limitsOf(key: string): BudgetLimits | undefined {
    const { limits } = this.options;
    return typeof limits === 'function' ? limits(key) : limits[key];
  }

  async take(key: string, cost: BudgetCost, nowMs: number): Promise<BudgetAnswer> {
    const limits = this.limitsOf(key);
    if (!limits) return { granted: true };
    const window = windowOf(nowMs, windowLengthFor(limits, this.options.windowMs ?? WINDOW_MS));
    const allowed = windowLimits(limits, window);
    const refusal = (reason: 'EXHAUSTED' | 'UNAVAILABLE') => {
      this.full.markFull(key, window.endMs);
      this.stats[reason === 'EXHAUSTED' ? 'refused' : 'unavailable'] += 1;
      return { granted: false as const, retryAfterMs: Math.max(1, window.endMs - nowMs), reason };
    };
    const knownFull = this.full.fullUntil(key, nowMs);
    if (knownFull !== undefined) {
      this.stats.shortCircuited += 1;
      this.stats.refused += 1;
      return { granted: false, retryAfterMs: Math.max(1, knownFull - nowMs), reason: 'EXHAUSTED' };
    }

    // A window whose share is 0 grants nothing, so there is no need to ask. windowLengthFor avoids
    // such windows, except for a limit below one request per second's window.
    if (allowed.requests === 0 || allowed.textUnits === 0) {
      this.full.markFull(key, window.endMs);
      this.stats.refused += 1;
      return { granted: false, retryAfterMs: Math.max(1, window.endMs - nowMs), reason: 'EXHAUSTED' };
    }
    const condition = admissionCondition(admissionCeilings(allowed, cost));
    this.stats.writes += 1;
    try {
      const result = await this.client.send(
        new UpdateCommand({
          TableName: this.options.tableName,
          Key: budgetKey(key, window),
          UpdateExpression: 'ADD #requests :requests, #textUnits :textUnits SET #expiresAt = :expiresAt',
          ConditionExpression: condition.expression,
          ExpressionAttributeNames: { ...condition.names, '#requests': 'requests', '#textUnits': 'textUnits', '#expiresAt': 'expiresAt' },
          ExpressionAttributeValues: {
            ...condition.values,
            ':requests': cost.requests,
            ':textUnits': cost.textUnits,
            ':expiresAt': Math.ceil(window.endMs / 1000) + WINDOW_TTL_SECONDS,
          },
          ReturnValues: 'UPDATED_NEW',
        }),
        { abortSignal: AbortSignal.timeout(this.options.timeoutMs ?? 500) },
      );
      const counts = { requests: Number(result.Attributes?.requests ?? 0), textUnits: Number(result.Attributes?.textUnits ?? 0) };
      // Our own grant filled the window: the next takes of this container need not ask.
      if (windowIsFull(allowed, counts)) this.full.markFull(key, window.endMs);
      this.stats.granted += 1;
      return { granted: true };
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return refusal('EXHAUSTED');
      this.options.onError?.(error, key);
      return refusal('UNAVAILABLE');
    }
  }
}
