import { AuthenticationError, ForbiddenError } from '../errors.js';

/** Who is calling, from the claims the JWT authorizer verified. */
export interface Principal {
  /** The token's `sub`: what claims and decisions are recorded under. */
  subject: string;
  username: string;
  groups: string[];
  isAdmin: boolean;
}

export interface RoleSettings {
  groupsClaim: string;
  moderatorGroup: string;
  adminGroup: string;
}

/**
 * A groups claim in any of the shapes it arrives in: a JSON array (a token verified locally),
 * API Gateway's rendering of an array claim as `"[moderators admins]"`, or a comma- or
 * space-separated string.
 */
export function parseGroups(value: unknown): string[] {
  if (Array.isArray(value)) return value.filter((g): g is string => typeof g === 'string' && g !== '');
  if (typeof value !== 'string') return [];
  const text = value.trim();
  if (text.startsWith('[') && text.endsWith(']')) {
    try {
      const parsed: unknown = JSON.parse(text);
      if (Array.isArray(parsed)) return parseGroups(parsed);
    } catch {
      // Not JSON: API Gateway's "[a b]" form.
    }
    return parseGroups(text.slice(1, -1));
  }
  return text.split(/[\s,]+/).filter(Boolean);
}

const claimString = (claims: Record<string, unknown>, name: string): string | undefined => {
  const value = claims[name];
  return typeof value === 'string' && value !== '' ? value : undefined;
};

/**
 * The authorizer has already checked signature, issuer, audience and expiry (in AWS, the HTTP
 * API's JWT authorizer; locally, its emulation). What is left is the role: a valid token
 * without `moderators` or `admins` is a 403, not a 401.
 */
export function principalFromClaims(claims: Record<string, unknown> | undefined, roles: RoleSettings): Principal {
  const subject = claims ? claimString(claims, 'sub') : undefined;
  if (!claims || !subject) {
    throw new AuthenticationError('No verified token reached the API. Send `Authorization: Bearer <token>` with a token from your identity provider.');
  }
  const groups = parseGroups(claims[roles.groupsClaim]);
  const isAdmin = groups.includes(roles.adminGroup);
  if (!isAdmin && !groups.includes(roles.moderatorGroup)) throw new ForbiddenError(subject, [roles.moderatorGroup, roles.adminGroup]);
  const username =
    claimString(claims, 'username') ?? claimString(claims, 'cognito:username') ?? claimString(claims, 'preferred_username') ?? claimString(claims, 'email') ?? subject;
  return { subject, username, groups, isAdmin };
}
