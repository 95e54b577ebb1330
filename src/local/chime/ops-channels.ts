/**
 * Channel operations: CreateChannel, DescribeChannel, ListChannels, the memberships and the bans.
 */
import { randomUUID } from 'node:crypto';
import { bearerOf, epochSeconds, requireObjectBody, type Ctx, type Deps, type Result } from './context.js';
import { paginate } from './paging.js';
import { sameAppInstance, type ChannelRecord, type Identity } from './store.js';
import {
  appInstanceOf,
  badRequest,
  checkLength,
  conflict,
  forbidden,
  isObject,
  LIMITS,
  notFound,
  optionalString,
  requiredString,
  validateAppInstanceArn,
  validateChannelArn,
  validateChannelId,
  validateClientRequestToken,
  validateMemberArn,
  validateMetadata,
  validateResourceName,
  validateSubChannelId,
} from './wire.js';

const wireIdentity = (i: Identity) => ({ Arn: i.arn, Name: i.name });

function oneOf<T extends string>(body: Record<string, unknown>, field: string, allowed: readonly T[]): T | undefined {
  const v = body[field];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string' || !(allowed as readonly string[]).includes(v)) throw badRequest(`${field} must be one of ${allowed.join(', ')}`);
  return v as T;
}

function arnList(body: Record<string, unknown>, field: string, appInstanceArn: string): string[] {
  const v = body[field];
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) throw badRequest(`${field} must be a list`);
  if (v.length < LIMITS.channelArnList.min || v.length > LIMITS.channelArnList.max) {
    throw badRequest(`${field} must hold ${LIMITS.channelArnList.min} to ${LIMITS.channelArnList.max} ARNs (got ${v.length})`);
  }
  return v.map((arn, i) => {
    if (typeof arn !== 'string') throw badRequest(`${field}[${i}] must be a string`);
    validateMemberArn(arn, `${field}[${i}]`);
    sameAppInstance(arn, appInstanceArn, `${field}[${i}]`);
    return arn;
  });
}

export function validateTags(v: unknown): void {
  if (v === undefined || v === null) return;
  if (!Array.isArray(v) || v.length < LIMITS.tags.min || v.length > LIMITS.tags.max) throw badRequest(`Tags must be a list of ${LIMITS.tags.min} to ${LIMITS.tags.max} tags`);
  for (const t of v) {
    if (!isObject(t) || typeof t.Key !== 'string' || typeof t.Value !== 'string') throw badRequest('Each tag needs a string Key and Value');
    checkLength(t.Key, 'Tags[].Key', LIMITS.tagKey);
    checkLength(t.Value, 'Tags[].Value', LIMITS.tagValue);
  }
}

/** CreateChannel/CreateChannelFlow idempotency: the same token and request give the same ARN. */
export function rememberedCreate(d: Deps, key: string, fingerprint: string): string | undefined {
  const known = d.store.createTokens.get(key);
  if (!known) return undefined;
  if (known.fingerprint !== fingerprint) throw conflict('ClientRequestToken was already used for a different request');
  return known.arn;
}

function channelSummary(c: ChannelRecord): Record<string, unknown> {
  const out: Record<string, unknown> = { Name: c.name, ChannelArn: c.arn, Mode: c.mode, Privacy: c.privacy };
  if (c.metadata !== undefined) out.Metadata = c.metadata;
  if (c.lastMessageMs !== undefined) out.LastMessageTimestamp = epochSeconds(c.lastMessageMs);
  return out;
}

export function createChannel(d: Deps, ctx: Ctx): Result {
  const body = requireObjectBody(ctx.body);
  const appInstanceArn = requiredString(body, 'AppInstanceArn');
  validateAppInstanceArn(appInstanceArn);
  const bearer = bearerOf(ctx, appInstanceArn);
  const name = requiredString(body, 'Name');
  validateResourceName(name, 'Name');
  const mode = oneOf(body, 'Mode', ['UNRESTRICTED', 'RESTRICTED'] as const) ?? 'UNRESTRICTED';
  const privacy = oneOf(body, 'Privacy', ['PUBLIC', 'PRIVATE'] as const) ?? 'PUBLIC';
  const metadata = optionalString(body, 'Metadata');
  validateMetadata(metadata);
  const token = optionalString(body, 'ClientRequestToken');
  if (token !== undefined) validateClientRequestToken(token);
  validateTags(body.Tags);
  const channelId = optionalString(body, 'ChannelId');
  if (channelId !== undefined) validateChannelId(channelId);
  const members = arnList(body, 'MemberArns', appInstanceArn);
  const moderators = arnList(body, 'ModeratorArns', appInstanceArn);
  if (body.ElasticChannelConfiguration !== undefined) throw badRequest('ElasticChannelConfiguration: elastic channels are not emulated');

  const { store } = d;
  const { ClientRequestToken: _token, ...request } = body;
  const tokenKey = token === undefined ? undefined : `channel\u0000${appInstanceArn}\u0000${bearer}\u0000${token}`;
  const fingerprint = JSON.stringify(request);
  const remembered = tokenKey === undefined ? undefined : rememberedCreate(d, tokenKey, fingerprint);
  if (remembered) return [201, { ChannelArn: remembered }];

  const arn = `${appInstanceArn}/channel/${channelId ?? randomUUID()}`;
  validateChannelArn(arn);
  if (store.channels.has(arn)) throw conflict(`Channel ${arn} already exists`);
  const now = store.now();
  const c: ChannelRecord = {
    arn,
    appInstanceArn,
    name,
    mode,
    privacy,
    createdBy: store.identity(bearer),
    createdMs: now,
    lastUpdatedMs: now,
    seq: store.nextSeq(),
    implicit: false,
    messages: new Map(),
    members: new Map(),
    moderators: new Set([bearer, ...moderators]),
    bans: new Map(),
  };
  if (metadata !== undefined) c.metadata = metadata;
  store.channels.set(arn, c);
  // The creator moderates the channel and is its first member.
  for (const member of new Set([bearer, ...members])) store.addMember(c, member, bearer);
  if (tokenKey !== undefined) store.createTokens.set(tokenKey, { fingerprint, arn });
  return [201, { ChannelArn: arn }];
}

/** The path's channel and the bearer, in that order of validation. */
function channelAndBearer(d: Deps, ctx: Ctx, missing: 'NotFound' | 'Forbidden'): { c: ChannelRecord; bearer: string } {
  const arn = ctx.route.channelArn!;
  validateChannelArn(arn);
  const bearer = bearerOf(ctx, appInstanceOf(arn));
  return { c: d.store.channel(arn, missing, bearer), bearer };
}

/** CreateChannelMembership and CreateChannelBan: the channel, the bearer and the body's MemberArn, checked in the model's order. */
function memberRequest(ctx: Ctx): { arn: string; bearer: string; body: Record<string, unknown>; memberArn: string } {
  const arn = ctx.route.channelArn!;
  validateChannelArn(arn);
  const bearer = bearerOf(ctx, appInstanceOf(arn));
  const body = requireObjectBody(ctx.body);
  const memberArn = requiredString(body, 'MemberArn');
  validateMemberArn(memberArn, 'MemberArn');
  sameAppInstance(memberArn, appInstanceOf(arn), 'MemberArn');
  return { arn, bearer, body, memberArn };
}

export function describeChannel(d: Deps, ctx: Ctx): Result {
  const { c, bearer } = channelAndBearer(d, ctx, 'Forbidden');
  d.store.requireReader(c, bearer);
  const channel: Record<string, unknown> = {
    ...channelSummary(c),
    CreatedBy: wireIdentity(c.createdBy),
    CreatedTimestamp: epochSeconds(c.createdMs),
    LastUpdatedTimestamp: epochSeconds(c.lastUpdatedMs),
  };
  if (c.flowArn !== undefined) channel.ChannelFlowArn = c.flowArn;
  return [200, { Channel: channel }];
}

export function listChannels(d: Deps, ctx: Ctx): Result {
  const q = ctx.url.searchParams;
  const appInstanceArn = q.get('app-instance-arn');
  if (appInstanceArn === null) throw badRequest('app-instance-arn (AppInstanceArn) is required');
  validateAppInstanceArn(appInstanceArn);
  const bearer = bearerOf(ctx, appInstanceArn);
  const privacy = q.get('privacy') ?? 'PUBLIC';
  if (privacy !== 'PUBLIC' && privacy !== 'PRIVATE') throw badRequest('privacy must be PUBLIC or PRIVATE');
  if (privacy === 'PRIVATE' && d.store.strict && !d.store.isAdmin(bearer)) throw forbidden('Only an AppInstanceAdmin can list PRIVATE channels');
  const channels = [...d.store.channels.values()].filter((c) => c.appInstanceArn === appInstanceArn && c.privacy === privacy);
  const { page, nextToken } = paginate(channels, q, `channels\u0000${appInstanceArn}\u0000${privacy}`);
  return [200, { Channels: page.map(channelSummary), ...(nextToken ? { NextToken: nextToken } : {}) }];
}

export function createChannelMembership(d: Deps, ctx: Ctx): Result {
  const { arn, bearer, body, memberArn } = memberRequest(ctx);
  const type = oneOf(body, 'Type', ['DEFAULT', 'HIDDEN'] as const);
  if (type === undefined) throw badRequest('Type is required (DEFAULT or HIDDEN)');
  const subChannelId = optionalString(body, 'SubChannelId');
  if (subChannelId !== undefined) validateSubChannelId(subChannelId);

  const { store } = d;
  const c = store.channel(arn, 'NotFound', bearer);
  store.requireNotBanned(c, bearer);
  if (store.strict) {
    const manager = store.canManage(c, bearer);
    if (c.mode === 'RESTRICTED' && !manager) throw forbidden(`Only moderators and AppInstanceAdmins may add members to the RESTRICTED channel ${c.arn}`);
    if (!manager && !c.members.has(bearer)) throw forbidden(`${bearer} is not a member of channel ${c.arn}`);
    if (type === 'HIDDEN' && !manager) throw forbidden('Only moderators may add HIDDEN members');
  }
  if (c.bans.has(memberArn)) throw forbidden(`${memberArn} is banned from channel ${c.arn} (DeleteChannelBan first)`);
  if (c.members.has(memberArn)) throw conflict(`${memberArn} is already a member of channel ${c.arn}`);
  const membership = store.addMember(c, memberArn, bearer, type);
  const out: Record<string, unknown> = { ChannelArn: c.arn, Member: wireIdentity(membership.member) };
  if (subChannelId !== undefined) out.SubChannelId = subChannelId;
  return [201, out];
}

export function listChannelMemberships(d: Deps, ctx: Ctx): Result {
  const q = ctx.url.searchParams;
  const type = q.get('type') ?? 'DEFAULT';
  if (type !== 'DEFAULT' && type !== 'HIDDEN') throw badRequest('type must be DEFAULT or HIDDEN');
  const subChannelId = q.get('sub-channel-id');
  if (subChannelId !== null) validateSubChannelId(subChannelId, 'sub-channel-id');
  const { c, bearer } = channelAndBearer(d, ctx, 'Forbidden');
  d.store.requireReader(c, bearer);
  const members = [...c.members.values()].filter((m) => m.type === type);
  const { page, nextToken } = paginate(members, q, `memberships\u0000${c.arn}\u0000${type}`);
  return [200, { ChannelArn: c.arn, ChannelMemberships: page.map((m) => ({ Member: wireIdentity(m.member) })), ...(nextToken ? { NextToken: nextToken } : {}) }];
}

/**
 * DescribeChannelMembership: the membership, or NotFound when the member is not in the channel
 * (never added, left, removed or banned: a ban takes the member out). Readable by whoever may
 * read the channel's members, as ListChannelMemberships. What the reports room asks before it
 * takes a member's report of a message (src/adapters/chime-reported-messages.ts).
 */
export function describeChannelMembership(d: Deps, ctx: Ctx): Result {
  const memberArn = ctx.route.memberArn!;
  validateMemberArn(memberArn, 'MemberArn');
  const subChannelId = ctx.url.searchParams.get('sub-channel-id');
  if (subChannelId !== null) validateSubChannelId(subChannelId, 'sub-channel-id');
  const arn = ctx.route.channelArn!;
  validateChannelArn(arn);
  const bearer = bearerOf(ctx, appInstanceOf(arn));
  // A question, in either mode: a channel nobody has used has no members, and is not made by asking.
  const c = d.store.channels.get(arn);
  if (!c) throw notFound(`Channel ${arn} does not exist`);
  d.store.requireReader(c, bearer);
  const m = c.members.get(memberArn);
  if (!m) throw notFound(`${memberArn} is not a member of channel ${c.arn}`);
  const membership: Record<string, unknown> = {
    InvitedBy: wireIdentity(m.invitedBy),
    Type: m.type,
    Member: wireIdentity(m.member),
    ChannelArn: c.arn,
    CreatedTimestamp: epochSeconds(m.createdMs),
    LastUpdatedTimestamp: epochSeconds(m.lastUpdatedMs),
  };
  if (subChannelId !== null) membership.SubChannelId = subChannelId;
  return [200, { ChannelMembership: membership }];
}

/**
 * ListChannelMembershipsForAppInstanceUser: the channels a user or bot is a member of, in creation
 * order. "Only an AppInstanceAdmin can call the API with a user ARN that is not their own" (the
 * model); in convenient mode anyone in the AppInstance may, as anyone may manage a channel there.
 * AppInstanceUserArn defaults to the bearer.
 */
export function listChannelMembershipsForAppInstanceUser(d: Deps, ctx: Ctx): Result {
  const q = ctx.url.searchParams;
  const asked = q.get('app-instance-user-arn');
  if (asked !== null) validateMemberArn(asked, 'app-instance-user-arn');
  const bearer = bearerOf(ctx, appInstanceOf(asked ?? ctx.req.headers['x-amz-chime-bearer']?.toString() ?? ''));
  const userArn = asked ?? bearer;
  const { store } = d;
  if (store.strict && userArn !== bearer && !store.isAdmin(bearer)) throw forbidden(`Only an AppInstanceAdmin may list the channels of another user (${bearer} asked for ${userArn})`);
  const memberships = [...store.channels.values()]
    .filter((c) => c.appInstanceArn === appInstanceOf(userArn) && c.members.has(userArn))
    .map((c) => ({ c, membership: c.members.get(userArn)!, seq: c.seq }));
  const { page, nextToken } = paginate(memberships, q, `user-memberships\u0000${userArn}`);
  return [
    200,
    {
      ChannelMemberships: page.map(({ c, membership }) => ({ ChannelSummary: channelSummary(c), AppInstanceUserMembershipSummary: { Type: membership.type } })),
      ...(nextToken ? { NextToken: nextToken } : {}),
    },
  ];
}

export function deleteChannelMembership(d: Deps, ctx: Ctx): Result {
  const memberArn = ctx.route.memberArn!;
  validateMemberArn(memberArn, 'MemberArn');
  const subChannelId = ctx.url.searchParams.get('sub-channel-id');
  if (subChannelId !== null) validateSubChannelId(subChannelId, 'sub-channel-id');
  const { c, bearer } = channelAndBearer(d, ctx, 'Forbidden');
  // Members may leave; moderators and admins may remove anyone.
  if (memberArn !== bearer) d.store.requireManager(c, bearer, 'remove other members');
  if (!c.members.delete(memberArn)) throw notFound(`${memberArn} is not a member of channel ${c.arn}`);
  return [204, undefined];
}

export function createChannelBan(d: Deps, ctx: Ctx): Result {
  const { arn, bearer, memberArn } = memberRequest(ctx);
  const { store } = d;
  const c = store.channel(arn, 'Forbidden', bearer);
  store.requireNotBanned(c, bearer);
  store.requireManager(c, bearer, 'ban members of this channel');
  if (c.bans.has(memberArn)) throw conflict(`${memberArn} is already banned from channel ${c.arn}`);
  const ban = { member: store.identity(memberArn), createdBy: store.identity(bearer), createdMs: store.now(), seq: store.nextSeq() };
  c.bans.set(memberArn, ban);
  // A ban kicks the member out of the channel.
  c.members.delete(memberArn);
  return [201, { ChannelArn: c.arn, Member: wireIdentity(ban.member) }];
}

export function listChannelBans(d: Deps, ctx: Ctx): Result {
  const { c, bearer } = channelAndBearer(d, ctx, 'Forbidden');
  d.store.requireManager(c, bearer, "list this channel's bans");
  const { page, nextToken } = paginate([...c.bans.values()], ctx.url.searchParams, `bans\u0000${c.arn}`);
  return [200, { ChannelArn: c.arn, ChannelBans: page.map((b) => ({ Member: wireIdentity(b.member) })), ...(nextToken ? { NextToken: nextToken } : {}) }];
}

/** DescribeChannelBan: the ban, or NotFound when the member is not banned (what a read-back of a ban relies on). */
export function describeChannelBan(d: Deps, ctx: Ctx): Result {
  const memberArn = ctx.route.memberArn!;
  validateMemberArn(memberArn, 'MemberArn');
  const { c, bearer } = channelAndBearer(d, ctx, 'Forbidden');
  d.store.requireManager(c, bearer, "read this channel's bans");
  const ban = c.bans.get(memberArn);
  if (!ban) throw notFound(`${memberArn} is not banned from channel ${c.arn}`);
  return [200, { ChannelArn: c.arn, ChannelBan: { Member: wireIdentity(ban.member), ChannelArn: c.arn, CreatedTimestamp: epochSeconds(ban.createdMs), CreatedBy: wireIdentity(ban.createdBy) } }];
}

export function deleteChannelBan(d: Deps, ctx: Ctx): Result {
  const memberArn = ctx.route.memberArn!;
  validateMemberArn(memberArn, 'MemberArn');
  const { c, bearer } = channelAndBearer(d, ctx, 'Forbidden');
  d.store.requireManager(c, bearer, 'lift bans in this channel');
  if (!c.bans.delete(memberArn)) throw notFound(`${memberArn} is not banned from channel ${c.arn}`);
  return [204, undefined];
}
