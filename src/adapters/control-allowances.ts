import { createHash } from 'node:crypto';
import type { Allowances } from '../domain/people.js';
import { ControlRecords, RecordConditionError, type StoredRecord } from './control-records.js';

/**
 * Appeals' allowances (src/domain/people.ts Allowances) in the control table: one record per
 * (channel, sender, exact content), pk `ALLOW#<sha256 of the three>`, sk `ALLOW`. The worker's
 * sender gate asks for it on every message (one strongly consistent GetItem); the record's TTL
 * (`expiresAt`, at `until`) clears it some time after it ends, and `until` is checked here, so an
 * allowance never outlives its end by the TTL's delay.
 *
 * A grant is an upsert that only ever moves `until` later: granting twice (a replayed overturn,
 * a second appeal of the same content) leaves the longer allowance, and a retried write whose
 * answer was lost is recognised by its write id (ControlRecords.update).
 */
export interface AllowanceRecord extends StoredRecord {
  kind: 'ALLOWANCE';
  channelArn: string;
  senderArn: string;
  contentHash: string;
  appealId: string;
  until: string;
  grantedAt?: string;
}

export const allowanceKey = (channelArn: string, senderArn: string, contentHash: string) => ({
  pk: `ALLOW#${createHash('sha256').update(`${channelArn}\u0000${senderArn}\u0000${contentHash}`).digest('base64url')}`,
  sk: 'ALLOW',
});

export class ControlAllowances implements Allowances {
  constructor(
    private readonly records: ControlRecords,
    private readonly clock: { now(): number } = { now: () => Date.now() },
  ) {}

  async grant(allowance: { channelArn: string; senderArn: string; contentHash: string; appealId: string; until: string }): Promise<void> {
    const key = allowanceKey(allowance.channelArn, allowance.senderArn, allowance.contentHash);
    try {
      await this.records.update<AllowanceRecord>(key, {
        upsert: true,
        set: {
          kind: 'ALLOWANCE',
          channelArn: allowance.channelArn,
          senderArn: allowance.senderArn,
          contentHash: allowance.contentHash,
          appealId: allowance.appealId,
          until: allowance.until,
          grantedAt: new Date(this.clock.now()).toISOString(),
          expiresAt: Math.ceil(Date.parse(allowance.until) / 1000),
        },
        // Never shorten one that is in force for longer (ISO instants compare as strings).
        condition: { expression: 'attribute_not_exists(#until) OR #until <= :until', names: { '#until': 'until' }, values: { ':until': allowance.until } },
      });
    } catch (error) {
      // A longer allowance of the same content is there already: the grant is covered.
      if (error instanceof RecordConditionError && error.current) return;
      throw error;
    }
  }

  async find(channelArn: string, senderArn: string, contentHash: string, nowMs: number): Promise<{ appealId: string; until: string } | undefined> {
    const record = await this.records.get<AllowanceRecord>(allowanceKey(channelArn, senderArn, contentHash));
    if (!record || Date.parse(record.until) <= nowMs) return undefined;
    return { appealId: record.appealId, until: record.until };
  }
}
