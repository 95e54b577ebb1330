import { randomUUID } from 'node:crypto';
import { ChimeSDKMessagingClient, CreateChannelMembershipCommand, SendChannelMessageCommand } from '@aws-sdk/client-chime-sdk-messaging';
import { oneAttemptChime } from '../../src/adapters/chime-callback.js';
import { ChimeChannelModeration } from '../../src/adapters/chime-channel-moderation.js';
import { ChimeReportedMessages } from '../../src/adapters/chime-reported-messages.js';
import { DynamoDbCaseStore } from '../../src/adapters/dynamodb-reports.js';
import type { Clock } from '../../src/domain/ports.js';
import type { CommunityPolicies, NoticeAnnouncement, NoticeRequest, Notices, SenderRestrictions, Strike, StrikeLedger } from '../../src/domain/people.js';
import { CursorCodec } from '../../src/http/cursor.js';
import type { Member } from '../../src/http/member.js';
import type { Principal } from '../../src/http/principal.js';
import { DEFAULT_COMMUNITY_POLICY, type CommunityPolicy } from '../../src/policy/community.js';
import type { ReportDeps } from '../../src/reports/deps.js';
import type { Backends } from './backends.js';
import { APP_INSTANCE } from './factories.js';

/**
 * The reports room on real backends (test/support/backends.ts): the control table through the
 * room's store, Chime through the stock clients against the emulator. The other rooms' ports
 * (notices, strikes, restrictions, policies) are simple in-memory implementations of those ports:
 * they are our interfaces, and these tests are about what the reports room asks of them.
 */

export const BEARER = `${APP_INSTANCE}/bot/review-api`;

export const member = (name: string): string => `${APP_INSTANCE}/user/${name}-${randomUUID().slice(0, 8)}`;
export const asMember = (memberArn: string): Member => ({ memberArn, onBehalf: false });
export const moderator = (name: string, isAdmin = false): Principal => ({ subject: `sub-${name}`, username: name, groups: [isAdmin ? 'admins' : 'moderators'], isAdmin, isModerator: true });
export const memberPrincipal = (memberArn: string): Principal => ({ subject: memberArn.slice(memberArn.lastIndexOf('/') + 1), username: memberArn.slice(memberArn.lastIndexOf('/') + 1), groups: [], isAdmin: false, isModerator: false });

export class RecordingNotices implements Notices {
  readonly sent = new Map<string, NoticeRequest>();
  async announce(notice: NoticeRequest): Promise<NoticeAnnouncement> {
    // The port's promise: once per (about, kind, to).
    const id = `${JSON.stringify(notice.about)}|${notice.kind}|${notice.to}`;
    this.sent.set(id, notice);
    return { recorded: true, noticeId: id, status: 'SENT' };
  }
  of(kind: NoticeRequest['kind']): NoticeRequest[] {
    return [...this.sent.values()].filter((n) => n.kind === kind);
  }
}

export class RecordingStrikes implements StrikeLedger {
  readonly strikes = new Map<string, Omit<Strike, 'id' | 'decaysAt'>>();
  calls = 0;
  async record(strike: Omit<Strike, 'id' | 'decaysAt'>): Promise<void> {
    this.calls += 1;
    this.strikes.set(JSON.stringify(strike.source), strike);
  }
  async remove(): Promise<boolean> {
    return false;
  }
}

export class RecordingRestrictions implements SenderRestrictions {
  readonly imposed = new Map<string, Parameters<SenderRestrictions['impose']>[0]>();
  async impose(input: Parameters<SenderRestrictions['impose']>[0]) {
    if (!this.imposed.has(input.key)) this.imposed.set(input.key, input);
    return { restrictionId: `r-${[...this.imposed.keys()].indexOf(input.key)}`, status: (input.scope === 'app-instance' ? 'PENDING_APPROVAL' : 'ACTIVE') as 'ACTIVE' | 'PENDING_APPROVAL' };
  }
  async activeFor() {
    return [];
  }
  async lift() {}
}

/** One policy for every channel, changeable by the test. */
export class FixedPolicies implements CommunityPolicies {
  constructor(public policy: CommunityPolicy = DEFAULT_COMMUNITY_POLICY) {}
  async forChannel(): Promise<CommunityPolicy> {
    return this.policy;
  }
}

export const withReports = (policy: CommunityPolicy, reports: Partial<CommunityPolicy['reports']>): CommunityPolicy => ({ ...policy, reports: { ...policy.reports, ...reports } });

export interface TestClock extends Clock {
  advance(ms: number): void;
}
export const testClock = (start = Date.now()): TestClock => {
  let now = start;
  return { now: () => now, advance: (ms) => void (now += ms) };
};

/** The reports room's deps on the backends; `documents` may be a lossy client (storage faults), `chime` a client on a dead endpoint. */
export function reportDepsOn(
  backends: Backends,
  options: { documents?: Backends['clients']['documents']; chime?: ChimeSDKMessagingClient; chimeWrites?: ChimeSDKMessagingClient; bearer?: string | null } & Partial<ReportDeps> = {},
): ReportDeps & { warnings: Array<{ message: string; details: Record<string, unknown> }> } {
  const { documents, chime, chimeWrites, bearer, ...overrides } = options;
  const bearerOf = () => (bearer === null ? undefined : (bearer ?? BEARER));
  const warnings: Array<{ message: string; details: Record<string, unknown> }> = [];
  return {
    // The store tells expired records by the deps' clock (a test's clock when it has one).
    cases: new DynamoDbCaseStore(documents ?? backends.clients.documents, backends.resources.controlTableName, () => (overrides.clock ?? Date).now()),
    reportedMessages: new ChimeReportedMessages(chime ?? backends.clients.chime, bearerOf),
    channelModeration: new ChimeChannelModeration(oneAttemptChime({ chimeWrites: chimeWrites ?? backends.clients.chimeWrites }), bearerOf),
    store: backends.store,
    cursors: new CursorCodec('r'.repeat(32)),
    clock: { now: () => Date.now() },
    retentionDays: 30,
    warn: (message, details) => void warnings.push({ message, details }),
    warnings,
    ...overrides,
  };
}

/** A channel (convenient Chime: made on first use) with a sender's message SENT, and members who can report it. */
export async function aSentMessage(chime: ChimeSDKMessagingClient, options: { members?: string[]; content?: string; target?: string; sender?: string; channelArn?: string } = {}) {
  const channelArn = options.channelArn ?? `${APP_INSTANCE}/channel/${randomUUID()}`;
  const sender = options.sender ?? member('mallory');
  const reply = await chime.send(
    new SendChannelMessageCommand({
      ChannelArn: channelArn,
      ChimeBearer: sender,
      Content: options.content ?? 'buy scamcoin now, guaranteed 10x',
      Type: 'STANDARD',
      Persistence: 'PERSISTENT',
      ...(options.target ? { Target: [{ MemberArn: options.target }] } : {}),
    }),
  );
  for (const m of options.members ?? []) await join(chime, channelArn, m);
  return { channelArn, messageId: reply.MessageId!, sender };
}

export async function join(chime: ChimeSDKMessagingClient, channelArn: string, memberArn: string): Promise<void> {
  await chime.send(new CreateChannelMembershipCommand({ ChannelArn: channelArn, MemberArn: memberArn, Type: 'DEFAULT', ChimeBearer: BEARER }));
}
