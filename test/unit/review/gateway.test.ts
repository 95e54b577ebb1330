import { describe, expect, it } from 'vitest';
import { renderClaims } from '../../../src/local/http-api.js';
import { parseGroups } from '../../../src/review/principal.js';

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

  it('renders groups the app reads back as they were', () => {
    expect(parseGroups(renderClaims({ g: ['moderators', 'admins'] }).g)).toEqual(['moderators', 'admins']);
  });
});
