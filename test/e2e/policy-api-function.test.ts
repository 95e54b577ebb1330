/**
 * The live-policy routes are served by a function of their own (policyApi), behind the same HTTP
 * API and JWT authorizer as the review API: every request under /policies reaches that function
 * and only that one, and the API answers exactly as one function would (the same 401, 403, 404,
 * 405 problems), while GET /openapi.json, served by the review API, still documents every route.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalStack } from '../../src/local/stack.js';
import { api, startReviewStack, tokenFor } from '../support/review.js';

describe('the policy API function', () => {
  let stack: LocalStack;
  let moderator: string;
  let admin: string;
  const invoked: string[] = [];

  beforeAll(async () => {
    stack = await startReviewStack();
    moderator = await tokenFor(stack, 'alice');
    admin = await tokenFor(stack, 'ada', ['moderators', 'admins']);
    // Which function each request reached (the local Lambda service, observed, not replaced).
    const invoke = stack.lambda.invoke.bind(stack.lambda);
    stack.lambda.invoke = async (name, event) => {
      invoked.push(name);
      return invoke(name, event);
    };
  });
  afterAll(async () => {
    await stack?.stop();
  });

  const via = async (method: string, path: string, options: Parameters<typeof api>[3] = {}) => {
    invoked.length = 0;
    const response = await api(stack, method, path, options);
    return { ...response, functions: [...invoked] };
  };

  it('serves the /policies routes, and the review API the others', async () => {
    const list = await via('GET', '/policies', { token: moderator });
    expect(list.status).toBe(200);
    expect(list.body.items[0]).toMatchObject({ scope: 'global', source: 'POLICY_FILE' });
    expect(list.functions).toEqual(['policyApi']);

    const global = await via('GET', '/policies/global?effective=true', { token: moderator });
    expect(global.status).toBe(200);
    expect(global.functions).toEqual(['policyApi']);

    const stats = await via('GET', '/stats', { token: moderator });
    expect(stats.status).toBe(200);
    expect(stats.functions).toEqual(['reviewApi']);
  });

  it('answers other methods on its paths with 405 and the methods they take, and unknown paths under /policies with 404', async () => {
    const patch = await via('PATCH', '/policies/global', { token: admin, json: {} });
    expect(patch.status).toBe(405);
    expect(patch.body.type).toMatch(/method-not-allowed$/);
    expect(patch.headers.get('allow')).toBe('GET, PUT, DELETE');
    expect(patch.functions).toEqual(['policyApi']);

    const post = await via('POST', '/policies', { token: admin, json: {} });
    expect(post.status).toBe(405);
    expect(post.headers.get('allow')).toBe('GET');

    const deeper = await via('GET', '/policies/global/versions/1/extra', { token: moderator });
    expect(deeper.status).toBe(404);
    expect(deeper.body.type).toMatch(/not-found$/);
    expect(deeper.functions).toEqual(['policyApi']);
  });

  it('sits behind the same authorizer and role checks', async () => {
    const anonymous = await via('GET', '/policies');
    expect(anonymous.status).toBe(401);
    expect(anonymous.functions).toEqual([]);

    const put = await via('PUT', '/policies/global', { token: moderator, json: { document: { terms: { block: ['x'] } }, comment: 'why' } });
    expect(put.status).toBe(403);
    expect(put.body.type).toMatch(/admins-only$/);
    expect(put.functions).toEqual(['policyApi']);
  });

  it('is documented in the one OpenAPI document the review API serves', async () => {
    const document = await via('GET', '/openapi.json');
    expect(document.status).toBe(200);
    expect(document.functions).toEqual(['reviewApi']);
    expect(Object.keys(document.body.paths)).toEqual(expect.arrayContaining(['/reviews', '/policies', '/policies/{scope}', '/policies/{scope}/versions/{version}']));
  });
});
