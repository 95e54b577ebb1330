import { describe, expect, it } from 'vitest';
import { renderClaims } from '../../../src/local/http-api.js';

describe('the local authorizer’s claim rendering', () => {
  it('hands claims over as strings, arrays as "[a b]", the way API Gateway does', () => {
    expect(renderClaims({ sub: 's', exp: 1700000000, 'cognito:groups': ['moderators', 'admins'], email_verified: true, nested: { a: 1 } })).toEqual({
      sub: 's',
      exp: '1700000000',
      'cognito:groups': '[moderators admins]',
      email_verified: 'true',
      nested: '{"a":1}',
    });
  });

  // Why the API never reads roles from these claims (src/http/token-verifier.ts): group names
  // may hold spaces (OIDC directories) and commas (Cognito), and the rendering cannot say where
  // one name ends. The functions verify the token again and read the groups array itself.
  it('loses where one group name ends, so roles cannot be read from it', () => {
    expect(renderClaims({ g: ['Support admins'] }).g).toBe(renderClaims({ g: ['Support', 'admins'] }).g);
    expect(renderClaims({ g: ['readers moderators'] }).g).toBe(renderClaims({ g: ['readers', 'moderators'] }).g);
    expect(renderClaims({ g: ['readers,admins'] }).g).toBe('[readers,admins]');
  });
});
