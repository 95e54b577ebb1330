import { describe, expect, it } from 'vitest';
import { admissionCeilings, admissionCondition, budgetKey, DEFAULT_BUDGETS, FullWindows, parseBudgets, windowIsFull, windowLengthFor, windowLimits, windowOf } from '../../../src/classifiers/budget.js';

describe('the budget windows', () => {
  it('cuts time into whole seconds, keyed by provider and window start', () => {
    const w = windowOf(1_700_000_000_999, 1_000);
    expect(w).toEqual({ index: 1_700_000_000, startMs: 1_700_000_000_000, endMs: 1_700_000_001_000, slot: 0, slots: 1 });
    expect(windowOf(1_700_000_001_000, 1_000).index).toBe(1_700_000_001);
    expect(windowOf(1_700_000_001_000)).toMatchObject({ slots: 10, slot: 0 });
    expect(budgetKey('comprehend-toxicity', w)).toEqual({ pk: 'BUDGET#comprehend-toxicity#1700000000000', sk: 'W' });
  });

  it('cuts shorter windows at whole divisions of the second, each knowing its place in it', () => {
    expect(windowOf(1_700_000_000_250, 100)).toEqual({ index: 17_000_000_002, startMs: 1_700_000_000_200, endMs: 1_700_000_000_300, slot: 2, slots: 10 });
  });

  it("spreads a second's limit exactly over its windows", () => {
    const shares = (perSecond: number, slots: number) => Array.from({ length: slots }, (_, slot) => windowLimits({ requestsPerSecond: perSecond, textUnitsPerSecond: perSecond * 8 }, { slot, slots }));
    const tenths = shares(25, 10);
    expect(tenths.map((l) => l.requests)).toEqual([2, 3, 2, 3, 2, 3, 2, 3, 2, 3]);
    expect(tenths.reduce((n, l) => n + l.requests, 0)).toBe(25);
    expect(tenths.reduce((n, l) => n + l.textUnits!, 0)).toBe(200);
    // Fewer than one per window: some windows grant nothing, and the second still adds up.
    expect(shares(5, 10).map((l) => l.requests)).toEqual([0, 1, 0, 1, 0, 1, 0, 1, 0, 1]);
    expect(windowLimits({ requestsPerSecond: 25 }, { slot: 0, slots: 1 })).toEqual({ requests: 25 });
  });

  it('lengthens the windows of a key whose share would hold less than one request or one large call', () => {
    expect(windowLengthFor({ requestsPerSecond: 25 })).toBe(100);
    expect(windowLengthFor({ requestsPerSecond: 200, textUnitsPerSecond: 200 })).toBe(100);
    expect(windowLengthFor({ requestsPerSecond: 22, textUnitsPerSecond: 22 })).toBe(500);
    expect(windowLengthFor({ requestsPerSecond: 5 })).toBe(200);
    expect(windowLengthFor({ requestsPerSecond: 1 })).toBe(1_000);
    expect(windowLengthFor({ requestsPerSecond: 25 }, 1_000)).toBe(1_000);
  });

  it('admits a cost only while the window holds at most the limit minus that cost', () => {
    expect(admissionCeilings({ requests: 25 }, { requests: 1, textUnits: 4 })).toEqual({ requests: 24 });
    expect(admissionCeilings({ requests: 25, textUnits: 200 }, { requests: 1, textUnits: 4 })).toEqual({ requests: 24, textUnits: 196 });
    const condition = admissionCondition({ requests: 24, textUnits: 196 });
    expect(condition.expression).toBe('(attribute_not_exists(#requests) OR #requests <= :requestsCeiling) AND (attribute_not_exists(#textUnits) OR #textUnits <= :textUnitsCeiling)');
    expect(condition.values).toEqual({ ':requestsCeiling': 24, ':textUnitsCeiling': 196 });
  });

  it('admits a cost larger than a whole window only into an empty window', () => {
    const condition = admissionCondition(admissionCeilings({ requests: 25, textUnits: 25 }, { requests: 1, textUnits: 40 }));
    expect(condition.expression).toContain('#textUnits <= :zero');
    expect(condition.values).toEqual({ ':requestsCeiling': 24, ':zero': 0 });
  });

  it('knows a window is full when no smallest call fits', () => {
    expect(windowIsFull({ requests: 25 }, { requests: 24, textUnits: 1_000 })).toBe(false);
    expect(windowIsFull({ requests: 25 }, { requests: 25, textUnits: 0 })).toBe(true);
    expect(windowIsFull({ requests: 25, textUnits: 50 }, { requests: 3, textUnits: 50 })).toBe(true);
  });
});

describe("a container's memory of full windows", () => {
  it('answers until the window ends, then forgets', () => {
    const full = new FullWindows();
    full.markFull('k', 2_000);
    expect(full.fullUntil('k', 1_500)).toBe(2_000);
    expect(full.fullUntil('other', 1_500)).toBeUndefined();
    expect(full.fullUntil('k', 2_000)).toBeUndefined();
    expect(full.fullUntil('k', 1_500)).toBeUndefined();
  });

  it('never moves a known end backwards', () => {
    const full = new FullWindows();
    full.markFull('k', 3_000);
    full.markFull('k', 2_000);
    expect(full.fullUntil('k', 2_500)).toBe(3_000);
  });
});

describe('the budgets a stack is configured with (CLASSIFIER_BUDGETS)', () => {
  it('starts from 90% of the lowest published default quotas', () => {
    expect(parseBudgets('')).toEqual(DEFAULT_BUDGETS);
    expect(parseBudgets(undefined)['bedrock-guardrail']).toEqual({ requestsPerSecond: 22, textUnitsPerSecond: 22 });
  });

  it('reads requests and text units per provider key; a key given replaces its default', () => {
    expect(parseBudgets('comprehend-toxicity=50; bedrock-guardrail=50/200, http:moderation.internal:8443=40')).toEqual({
      'comprehend-toxicity': { requestsPerSecond: 50 },
      'bedrock-guardrail': { requestsPerSecond: 50, textUnitsPerSecond: 200 },
      'http:moderation.internal:8443': { requestsPerSecond: 40 },
    });
  });

  it('fails at cold start naming the variable, for anything else', () => {
    for (const bad of ['comprehend=25', 'comprehend-toxicity=', 'comprehend-toxicity=0', 'bedrock-guardrail=25/0', 'comprehend-toxicity=2.5', 'http:Bad Host=3']) {
      expect(() => parseBudgets(bad)).toThrow(/CLASSIFIER_BUDGETS/);
    }
  });
});
