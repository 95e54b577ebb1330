import { describe, expect, it } from 'vitest';
import {
  DYNAMODB_LIMITS,
  awsActionMs,
  capacityFigures,
  limitsOf,
  policyHeadBudget,
  policyHeadLoad,
  rowCapacity,
  stormLoad,
  sweepActionsPerSecond,
  unitRows,
  type UnitRow,
} from '../../bench/capacity.js';
import { applyUpdate, failedWriteUnits, indexEntryUnits, itemSize, rcu, updateClauses, writeUnits, type Item } from '../../bench/dynamodb-units.js';

const units = (entries: Record<string, Record<string, number>>) => new Map(Object.entries(entries).map(([where, byKey]) => [where, new Map(Object.entries(byKey))]));

const row = (where: string, unitsPerMessage: number, hottestPerMessage: number): UnitRow => ({
  where,
  unitsPerMessage,
  wastedPerMessage: 0,
  hottestKey: `${where}#hot`,
  hottestPerMessage,
  hottestShare: hottestPerMessage / unitsPerMessage,
});

describe('DynamoDB unit arithmetic', () => {
  const kb = (n: number): Item => ({ id: { S: 'k' }, body: { S: 'x'.repeat(n * 1024 - 'id'.length - 1 - 'body'.length) } });

  it('charges a write by the larger image, per started KB', () => {
    expect(itemSize(kb(2))).toBe(2048);
    expect(writeUnits(kb(2), kb(1))).toBe(2);
    expect(writeUnits(undefined, { id: { S: 'k' } })).toBe(1);
  });

  it('charges a failed conditional write by the item as it is, and 1 WCU when there is none', () => {
    expect(failedWriteUnits(kb(3))).toBe(3);
    expect(failedWriteUnits(undefined)).toBe(1);
  });

  it('charges an index entry with its 100 bytes of overhead', () => {
    expect(indexEntryUnits({ k: { S: 'x'.repeat(1000) } })).toBe(2);
    expect(indexEntryUnits({ k: { S: 'x'.repeat(900) } })).toBe(1);
  });

  it('charges a read per started 4 KB, half when eventually consistent, and a missing key all the same', () => {
    expect(rcu(4097, true)).toBe(2);
    expect(rcu(4097, false)).toBe(1);
    expect(rcu(0, true)).toBe(1);
    expect(rcu(0, false)).toBe(0.5);
  });
});

describe('applyUpdate', () => {
  it('splits an update expression into its clauses, ignoring keywords inside functions', () => {
    expect(updateClauses('ADD #c0 :c0, #c1 :c1 SET #e = if_not_exists(#e, :e)')).toEqual({ SET: ['#e = if_not_exists(#e, :e)'], REMOVE: [], ADD: ['#c0 :c0', '#c1 :c1'], DELETE: [] });
  });

  it('applies SET, REMOVE and ADD to the image, as the recorder needs without ReturnValues', () => {
    const before: Item = { pk: { S: 'COUNTER#1' }, n: { N: '2' }, old: { S: 'x' }, dueKey: { S: 'a' } };
    const after = applyUpdate(before, {
      UpdateExpression: 'SET #due = :due, #e = if_not_exists(#e, :e), #v = #v + :one REMOVE #old ADD #n :three',
      ExpressionAttributeNames: { '#due': 'dueKey', '#e': 'expiresAt', '#v': 'version', '#old': 'old', '#n': 'n' },
      ExpressionAttributeValues: { ':due': { S: 'b' }, ':e': { N: '99' }, ':one': { N: '1' }, ':three': { N: '3' } },
    });
    expect(after).toEqual({ pk: { S: 'COUNTER#1' }, n: { N: '5' }, dueKey: { S: 'b' }, expiresAt: { N: '99' } });
    expect(before.dueKey).toEqual({ S: 'a' });
  });

  it('keeps an existing value under if_not_exists and appends lists', () => {
    const after = applyUpdate({ e: { N: '1' }, h: { L: [{ S: 'a' }] } }, { UpdateExpression: 'SET e = if_not_exists(e, :e), h = list_append(h, :more)', ExpressionAttributeValues: { ':e': { N: '9' }, ':more': { L: [{ S: 'b' }] } } });
    expect(after).toEqual({ e: { N: '1' }, h: { L: [{ S: 'a' }, { S: 'b' }] } });
  });
});

describe('unitRows', () => {
  it('gives units per message, the hottest key and its share, and what was wasted', () => {
    const rows = unitRows(units({ T: { a: 30, b: 10 } }), 10, units({ T: { a: 5 } }));
    expect(rows).toEqual([{ where: 'T', unitsPerMessage: 4, wastedPerMessage: 0.5, hottestKey: 'a', hottestPerMessage: 3, hottestShare: 0.75 }]);
  });
});

describe('rowCapacity', () => {
  it('divides each limit by the units it applies to: per key by the hottest key, quota and warm by the whole', () => {
    const c = rowCapacity(row('T', 5, 0.05), limitsOf('write'));
    expect(c.byKey).toBe(20_000);
    expect(c.byQuota).toBe(8_000);
    expect(c.byWarm).toBe(800);
  });

  it('caps pre-warming at the quota', () => {
    expect(limitsOf('write', 100_000).warm).toBe(DYNAMODB_LIMITS.quota.write);
    expect(limitsOf('read').warm).toBe(12_000);
  });
});

describe('capacityFigures', () => {
  // A table at 5 WCU/msg (hottest key 0.05), an index at 4 WCU/msg (hottest key 0.08), reads small.
  const writes = [row('ModerationTable', 5, 0.05), row('ModerationTable.byLiveDue', 4, 0.08)];
  const reads = [row('ModerationTable', 0.5, 0.01)];
  const f = capacityFigures(writes, reads, { warm: { write: 40_000, read: 12_000 } });

  it('binds a new table at its warm throughput', () => {
    expect(f.newTable).toEqual({ messagesPerSecond: 800, where: 'ModerationTable', direction: 'write', limit: 'warm' });
  });

  it('binds a pre-warmed new table where a warmed one binds', () => {
    expect(f.prewarmed).toEqual(f.defaultQuotas);
  });

  it('binds a warmed table at the first quota, default quotas', () => {
    expect(f.defaultQuotas).toEqual({ messagesPerSecond: 8_000, where: 'ModerationTable', direction: 'write', limit: 'quota' });
  });

  it('binds at the hottest key once quotas are raised, and names each quota to raise to get there', () => {
    expect(f.raised).toEqual({ messagesPerSecond: 12_500, where: 'ModerationTable.byLiveDue', direction: 'write', limit: 'per-key' });
    expect(f.toRaise).toEqual([
      { where: 'ModerationTable', direction: 'write', limit: 'quota', unitsPerSecond: 62_500, current: 40_000 },
      { where: 'ModerationTable.byLiveDue', direction: 'write', limit: 'quota', unitsPerSecond: 50_000, current: 40_000 },
    ]);
  });

  it('names the WarmThroughput each table or index needs to serve the default-quota rate at once', () => {
    expect(f.warmFor.map((r) => [r.where, r.unitsPerSecond])).toEqual([
      ['ModerationTable', 40_000],
      ['ModerationTable.byLiveDue', 32_000],
    ]);
  });
});

describe('policyHeadLoad', () => {
  it('reads W × (2 + C) / refresh RCU/s in all and W / refresh on each key', () => {
    const l = policyHeadLoad({ containers: 100, channels: 1000, refreshSeconds: 10 });
    expect(l.totalRcuPerSecond).toBe(10_020);
    expect(l.perKeyRcuPerSecond).toBe(10);
    expect(l.keyUse).toBeCloseTo(10 / 3000);
    expect(l.quotaUse).toBeCloseTo(10_020 / 40_000);
    expect(l.warmUse).toBeCloseTo(10_020 / 12_000);
  });

  it('gives the budget of containers × scopes under the read quota', () => {
    expect(policyHeadBudget(10)).toBe(400_000);
  });
});

describe('the sweeper in a deadline storm', () => {
  it('works a page in rounds of `concurrency` actions after reading it', () => {
    // 100 items, 32 at a time: 4 rounds of 70 ms after a 30 ms read: 100 per 310 ms.
    expect(sweepActionsPerSecond({ concurrency: 32, pageSize: 100, actionMs: 70, pageReadMs: 30 })).toBeCloseTo(322.58, 1);
  });

  it('adds an action\'s calls one after the other', () => {
    expect(awsActionMs({ writes: 2, callbacks: 1 }, { writeMs: 10, callbackMs: 50 })).toBe(70);
  });

  it('comes due at the rate held messages arrive', () => {
    expect(stormLoad(7_600, 0.02)).toBe(152);
  });
});
