import { AuthenticationError, ForbiddenError } from '../errors.js';
import type { VerifiedToken } from './token-verifier.js';

/** Who the token says the caller is: any verified token has one, whatever its groups. */
export interface Identity {
  /** The token's `sub`: what claims and decisions are recorded under. */
  subject: string;
  username: string;
}

/** A verified caller: their groups, and the roles those give them (exact group names). */
export interface Principal extends Identity {
  groups: string[];
  isAdmin: boolean;
  /** In the moderator group, or an admin (admins moderate too). */
  isModerator: boolean;
}

export interface RoleSettings {
  groupsClaim: string;
  moderatorGroup: string;
  adminGroup: string;
}

const claimString = (token: VerifiedToken, name: string): string | undefined => {
  const value = token[name];
  return typeof value === 'string' && value !== '' ? value : undefined;
};

/** Who is this token: its subject and a readable name. AuthenticationError without a `sub`. */
export function identityOf(token: VerifiedToken): Identity {
  const subject = claimString(token, 'sub');
  if (!subject) throw new AuthenticationError('The token names no subject (`sub`).');
  const username =
    claimString(token, 'username') ?? claimString(token, 'cognito:username') ?? claimString(token, 'preferred_username') ?? claimString(token, 'email') ?? subject;
  return { subject, username };
}

/**
 * The group names in the verified token's groups claim, each exactly as written. An array is the
 * list (entries that are not strings, or are empty, name no group); a lone string is one group
 * name, whole. Nothing is split, trimmed or unwrapped: `"readers,admins"`, `"readers moderators"`
 * and `"moderators "` are group names of their own (Cognito allows commas, directories spaces),
 * and never `admins` or `moderators`.
 */
export function groupsOf(token: VerifiedToken, groupsClaim: string): string[] {
  const value = token[groupsClaim];
  const names = Array.isArray(value) ? value : [value];
  return names.filter((name): name is string => typeof name === 'string' && name !== '');
}

/** Who the token is and which roles it has, whatever they are (a chat member has none). */
export function callerOf(token: VerifiedToken, roles: RoleSettings): Principal {
  const identity = identityOf(token);
  const groups = groupsOf(token, roles.groupsClaim);
  const isAdmin = groups.includes(roles.adminGroup);
  return { ...identity, groups, isAdmin, isModerator: isAdmin || groups.includes(roles.moderatorGroup) };
}

/**
 * Which role the token has: `moderators` or `admins`, by exact match of a group name. A valid
 * token without either is a 403, not a 401.
 */
export function principalOf(token: VerifiedToken, roles: RoleSettings): Principal {
  const principal = callerOf(token, roles);
  if (!principal.isModerator) throw new ForbiddenError(principal.subject, [roles.moderatorGroup, roles.adminGroup]);
  return principal;
}
