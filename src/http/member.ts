import { APP_INSTANCE_ARN_PATTERN, MEMBER_ARN_PATTERN } from '../domain/arns.js';
import { ActingForAnotherMemberError, InvalidRequestError, NoMemberIdentityError } from '../errors.js';
import type { Principal } from './principal.js';
import type { VerifiedToken } from './token-verifier.js';

/**
 * Which Chime member a token is (README "Who is who"). Chat members call the reports and appeals
 * routes with a token from the same issuer as moderators; which AppInstanceUser they are comes
 * from one configured rule, never from the request:
 *
 *   claim:<name>                     the claim holds the member's ARN (a Cognito custom
 *                                    attribute such as `custom:chimeArn`)
 *   app-instance-user:<instanceArn>  <instanceArn>/user/<sub> (the Chime samples' convention:
 *                                    the AppInstanceUserId is the token's subject)
 *
 * An app's backend may act for a member: a token in the service group names the member with an
 * explicit `memberArn` in the request. Anyone else who sends a `memberArn` may only name themselves.
 */
export type MemberRule = { kind: 'claim'; claim: string } | { kind: 'app-instance-user'; appInstanceArn: string };

export interface MemberSettings {
  rule: MemberRule;
  /** The group whose tokens act for members (`moderation-service`). */
  serviceGroup: string;
}

/** The member a request is by (or for). */
export interface Member {
  memberArn: string;
  /** A service acted for the member (the service's subject is the principal's). */
  onBehalf: boolean;
}

/** Chime's AppInstanceUserId shape (the model's pattern), which a `sub` must have to name one. */
const APP_INSTANCE_USER_ID = /^[A-Za-z0-9](?:[A-Za-z0-9:_.@-]{0,62}[A-Za-z0-9])?$/;

/** `claim:<name>` or `app-instance-user:<arn>` (MEMBER_IDENTITY); undefined with the reason otherwise. */
export function parseMemberRule(text: string): MemberRule | string {
  const at = text.indexOf(':');
  const kind = at < 0 ? text : text.slice(0, at);
  const value = at < 0 ? '' : text.slice(at + 1).trim();
  if (kind === 'claim') return value ? { kind, claim: value } : 'claim: needs a claim name, e.g. claim:custom:chimeArn';
  if (kind === 'app-instance-user') {
    return APP_INSTANCE_ARN_PATTERN.test(value) ? { kind, appInstanceArn: value } : 'app-instance-user: needs an AppInstance ARN, e.g. app-instance-user:arn:aws:chime:us-east-1:123456789012:app-instance/…';
  }
  return 'must be claim:<claim name> or app-instance-user:<AppInstance ARN>';
}

/** The member the token itself names, by the rule; undefined when it names none. */
export function ownMemberArn(token: VerifiedToken, rule: MemberRule): string | undefined {
  if (rule.kind === 'claim') {
    const value = token[rule.claim];
    return typeof value === 'string' && MEMBER_ARN_PATTERN.test(value) ? value : undefined;
  }
  const sub = token.sub;
  return typeof sub === 'string' && APP_INSTANCE_USER_ID.test(sub) ? `${rule.appInstanceArn}/user/${sub}` : undefined;
}

/**
 * The member of a request: a service's explicit `memberArn` (required of it), or the token's own
 * member (a `memberArn` that names someone else is a 403, never a quiet switch of identity).
 */
export function memberOf(token: VerifiedToken, principal: Principal, settings: MemberSettings, explicit: string | undefined): Member {
  if (principal.groups.includes(settings.serviceGroup)) {
    if (explicit === undefined) {
      throw new InvalidRequestError(`A token in the ${settings.serviceGroup} group acts for a member: name them with memberArn`, [{ path: 'body.memberArn', message: 'is required when a service acts for a member' }]);
    }
    return { memberArn: explicit, onBehalf: true };
  }
  const own = ownMemberArn(token, settings.rule);
  if (own === undefined) throw new NoMemberIdentityError(principal.subject, settings.rule.kind === 'claim' ? `the claim ${settings.rule.claim} holds no Chime user ARN` : 'its subject is not an AppInstanceUserId');
  if (explicit !== undefined && explicit !== own) throw new ActingForAnotherMemberError(principal.subject, own, explicit, settings.serviceGroup);
  return { memberArn: own, onBehalf: false };
}

/**
 * What a token must hold to be `memberArn` by the rule (local tokens: `npm run token --member-arn`,
 * the tests): the claim, or the subject. A reason instead when the rule cannot name that member.
 */
export function memberClaims(memberArn: string, rule: MemberRule): { claims?: Record<string, string>; subject?: string } | string {
  if (!MEMBER_ARN_PATTERN.test(memberArn)) return 'must be a Chime AppInstanceUser or AppInstanceBot ARN';
  if (rule.kind === 'claim') return { claims: { [rule.claim]: memberArn } };
  const prefix = `${rule.appInstanceArn}/user/`;
  if (!memberArn.startsWith(prefix)) return `must be a user of ${rule.appInstanceArn} (MEMBER_IDENTITY=app-instance-user:…)`;
  return { subject: memberArn.slice(prefix.length) };
}
