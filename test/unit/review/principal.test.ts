import { describe, expect, it } from 'vitest';
import { AuthenticationError, ForbiddenError } from '../../../src/errors.js';
import { parseGroups, principalFromClaims } from '../../../src/review/principal.js';

const roles = { groupsClaim: 'cognito:groups', moderatorGroup: 'moderators', adminGroup: 'admins' };

describe('parseGroups', () => {
  it.each([
    [['moderators', 'admins'], ['moderators', 'admins']],
    ['[moderators admins]', ['moderators', 'admins']], // API Gateway's rendering of an array claim
    ['["moderators","admins"]', ['moderators', 'admins']],
    ['moderators,admins', ['moderators', 'admins']],
    ['moderators', ['moderators']],
    ['[]', []],
    ['', []],
    [undefined, []],
    [42, []],
    [['moderators', 7, ''], ['moderators']],
  ])('reads %j as %j', (claim, groups) => {
    expect(parseGroups(claim)).toEqual(groups);
  });
});

describe('principalFromClaims', () => {
  it('takes the subject, the username and the roles', () => {
    expect(principalFromClaims({ sub: 's-1', username: 'alice', 'cognito:groups': '[moderators]' }, roles)).toEqual({ subject: 's-1', username: 'alice', groups: ['moderators'], isAdmin: false });
    expect(principalFromClaims({ sub: 's-2', 'cognito:username': 'ada', 'cognito:groups': ['admins'] }, roles)).toMatchObject({ username: 'ada', isAdmin: true });
  });

  it('falls back to the subject when no username claim is present', () => {
    expect(principalFromClaims({ sub: 's-3', 'cognito:groups': ['moderators'] }, roles).username).toBe('s-3');
  });

  it('reads the groups from the configured claim', () => {
    expect(principalFromClaims({ sub: 's', groups: ['mods'] }, { groupsClaim: 'groups', moderatorGroup: 'mods', adminGroup: 'root' }).groups).toEqual(['mods']);
  });

  it('is a 401 without verified claims and a 403 without a role', () => {
    expect(() => principalFromClaims(undefined, roles)).toThrow(AuthenticationError);
    expect(() => principalFromClaims({}, roles)).toThrow(AuthenticationError);
    expect(() => principalFromClaims({ sub: 's', 'cognito:groups': ['viewers'] }, roles)).toThrow(ForbiddenError);
    expect(() => principalFromClaims({ sub: 's', 'cognito:groups': 'moderators-lite' }, roles)).toThrow(ForbiddenError);
  });
});
