import { beforeAll, describe, expect, it } from 'vitest';
import type { JWTPayload } from 'jose';
import { AuthenticationError, ForbiddenError } from '../../../src/errors.js';
import { loadLocalIssuer, type LocalIssuer } from '../../../src/local/issuer.js';
import { groupsOf, identityOf, principalOf } from '../../../src/http/principal.js';
import { createTokenVerifier, type TokenVerifier, type VerifiedToken } from '../../../src/http/token-verifier.js';

const roles = { groupsClaim: 'cognito:groups', moderatorGroup: 'moderators', adminGroup: 'admins' };

describe('principal: identity and role from a verified token', () => {
  let issuer: LocalIssuer;
  let verifier: TokenVerifier;

  beforeAll(async () => {
    issuer = await loadLocalIssuer({ issuer: 'https://issuer.test', audience: 'api', groupsClaim: 'cognito:groups', keyFile: null });
    verifier = createTokenVerifier({ issuer: issuer.issuer, audience: issuer.audience, keys: issuer.jwks });
  });

  /** A payload as the API gets it: minted, signed, and verified (the type admits nothing else). */
  const verified = async (groups: unknown, claims: JWTPayload = {}): Promise<VerifiedToken> =>
    verifier.verify(`Bearer ${await issuer.mint({ user: 'alice', groups: [], claims: { 'cognito:groups': groups, ...claims } })}`);

  it('takes the subject, the username and the roles', async () => {
    expect(principalOf(await verified(['moderators'], { sub: 's-1' }), roles)).toEqual({ subject: 's-1', username: 'alice', groups: ['moderators'], isAdmin: false, isModerator: true });
    expect(principalOf(await verified(['admins'], { sub: 's-2', username: undefined, 'cognito:username': 'ada' }), roles)).toMatchObject({ username: 'ada', isAdmin: true, isModerator: true });
  });

  it('falls back to the subject when no username claim is present', async () => {
    expect(principalOf(await verified(['moderators'], { sub: 's-3', username: undefined }), roles).username).toBe('s-3');
  });

  it('reads the groups from the configured claim', async () => {
    const token = await verified(undefined, { groups: ['mods'] });
    expect(principalOf(token, { groupsClaim: 'groups', moderatorGroup: 'mods', adminGroup: 'root' }).groups).toEqual(['mods']);
  });

  it.each([
    [['readers,admins']],
    [['readers moderators']],
    [['moderators ']],
    [[' admins']],
    [['Admins']],
    [['[admins]']],
    ['moderators admins'],
    ['moderators,admins'],
    ['[moderators admins]'],
    ['["admins"]'],
    [[['admins']]],
    [{ admins: true }],
  ])('never splits, trims or unwraps a group name: %j has no role', async (claim) => {
    const token = await verified(claim);
    expect(() => principalOf(token, roles)).toThrow(ForbiddenError);
  });

  it('matches group names exactly, spaces and all', async () => {
    const supportRoles = { groupsClaim: 'cognito:groups', moderatorGroup: 'Trust & Safety', adminGroup: 'Support admins' };
    expect(principalOf(await verified(['Support admins']), supportRoles)).toMatchObject({ groups: ['Support admins'], isAdmin: true, isModerator: true });
    expect(principalOf(await verified(['Trust & Safety']), supportRoles)).toMatchObject({ isAdmin: false, isModerator: true });
    const twoGroups = await verified(['Support', 'admins']);
    expect(() => principalOf(twoGroups, supportRoles)).toThrow(ForbiddenError);
  });

  it('reads an array as the list of groups, and a lone string as one group name', async () => {
    expect(groupsOf(await verified(['moderators', 'admins']), 'cognito:groups')).toEqual(['moderators', 'admins']);
    expect(principalOf(await verified(['moderators', 'admins']), roles).isAdmin).toBe(true);
    expect(groupsOf(await verified('moderators'), 'cognito:groups')).toEqual(['moderators']);
    expect(principalOf(await verified('moderators'), roles)).toMatchObject({ groups: ['moderators'], isAdmin: false, isModerator: true });
    expect(groupsOf(await verified('moderators admins'), 'cognito:groups')).toEqual(['moderators admins']);
  });

  it('ignores entries that name no group', async () => {
    expect(groupsOf(await verified(['moderators', 7, '', null, ['admins']]), 'cognito:groups')).toEqual(['moderators']);
    expect(groupsOf(await verified(undefined), 'cognito:groups')).toEqual([]);
    expect(groupsOf(await verified(42), 'cognito:groups')).toEqual([]);
  });

  it('tells who a token is without asking for a role (chat members have none)', async () => {
    expect(identityOf(await verified(undefined, { sub: 'member-1' }))).toEqual({ subject: 'member-1', username: 'alice' });
  });

  it('is a 401 without a subject and a 403 without a role', async () => {
    const noSubject = await verified(['admins'], { sub: '' });
    expect(() => identityOf(noSubject)).toThrow(AuthenticationError);
    expect(() => principalOf(noSubject, roles)).toThrow(AuthenticationError);
    for (const groups of [['viewers'], [], 'moderators-lite']) {
      const token = await verified(groups);
      expect(() => principalOf(token, roles)).toThrow(ForbiddenError);
    }
  });
});
