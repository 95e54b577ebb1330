import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalStack } from '../../src/local/stack.js';
import { channelArn } from '../support/factories.js';
import { api, startReviewStack, tokenFor } from '../support/review.js';

const at = (scope: string, suffix = '') => `/policies/${encodeURIComponent(scope)}${suffix}`;

/**
 * GET /policies/{scope}/versions/{version}: an old version's document, which the console diffs
 * and a rollback would restore (the history alone says who, when and why, not what).
 */
describe('GET /policies/{scope}/versions/{version}', () => {
  let stack: LocalStack;
  let admin: string;
  let moderator: string;

  beforeAll(async () => {
    stack = await startReviewStack();
    admin = await tokenFor(stack, 'ada', ['admins']);
    moderator = await tokenFor(stack, 'mo', ['moderators']);
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it('answers each version’s document as written, a rollback’s as the version it restored, and a deletion’s as null', async () => {
    const channel = channelArn();
    const v1 = { terms: { block: ['zorblax'] } };
    const v2 = { terms: { block: ['zorblax', 'quux'] }, pii: false };
    expect((await api(stack, 'PUT', at(channel), { token: admin, json: { document: v1, comment: 'first', expectedVersion: 0 } })).status).toBe(200);
    expect((await api(stack, 'PUT', at(channel), { token: admin, json: { document: v2, comment: 'second', expectedVersion: 1 } })).status).toBe(200);
    expect((await api(stack, 'POST', at(channel, '/rollback'), { token: admin, json: { version: 1, comment: 'too strict', expectedVersion: 2 } })).status).toBe(200);
    expect((await api(stack, 'DELETE', at(channel, `?comment=${encodeURIComponent('inherit again')}&expectedVersion=3`), { token: admin })).status).toBe(200);

    const read = async (version: number) => {
      const response = await api(stack, 'GET', at(channel, `/versions/${version}`), { token: moderator });
      expect(response.status, response.text).toBe(200);
      return response.body;
    };
    expect(await read(1)).toEqual({
      scope: channel,
      version: 1,
      source: 'store',
      entry: expect.objectContaining({ version: 1, kind: 'put', deleted: false, comment: 'first', updatedBy: expect.objectContaining({ name: 'ada' }) }),
      document: v1,
    });
    expect((await read(2)).document).toEqual(v2);
    expect(await read(3)).toMatchObject({ version: 3, entry: { kind: 'rollback', restoredVersion: 1, comment: 'too strict' }, document: v1 });
    expect(await read(4)).toMatchObject({ version: 4, entry: { kind: 'delete', deleted: true, comment: 'inherit again' }, document: null });
  });

  it('answers version 0 of global as the bundled POLICY_FILE', async () => {
    const response = await api(stack, 'GET', at('global', '/versions/0'), { token: moderator });
    expect(response.status, response.text).toBe(200);
    expect(response.body).toMatchObject({ scope: 'global', version: 0, source: 'POLICY_FILE', entry: null, document: { terms: { block: expect.arrayContaining(['scamcoin']) } } });
  });

  it('answers 404 for a version that does not exist, and 400 naming the field for one that is not a number', async () => {
    const channel = channelArn();
    const missing = await api(stack, 'GET', at(channel, '/versions/7'), { token: moderator });
    expect(missing.status).toBe(404);
    expect(missing.headers.get('content-type')).toMatch(/application\/problem\+json/);
    expect(missing.body).toMatchObject({ type: expect.stringMatching(/not-found$/), scope: channel, version: 7 });
    expect(missing.body.detail).toMatch(/has no version 7/);
    // Version 0 exists only on global (the bundled file); a channel's history starts at 1.
    expect((await api(stack, 'GET', at(channel, '/versions/0'), { token: moderator })).status).toBe(404);

    for (const version of ['one', '-1', '1.5']) {
      const bad = await api(stack, 'GET', at(channel, `/versions/${version}`), { token: moderator });
      expect(bad.status, version).toBe(400);
      expect(bad.body.errors).toEqual([{ path: 'path.version', message: 'must be a whole number' }]);
    }
  });

  it('is in the OpenAPI document', async () => {
    const document = (await api(stack, 'GET', '/openapi.json')).body;
    expect(document.paths['/policies/{scope}/versions/{version}'].get).toMatchObject({ operationId: 'getPolicyVersion' });
    expect(document.components.schemas.PolicyVersionDetail.required).toEqual(expect.arrayContaining(['scope', 'version', 'source', 'entry', 'document']));
  });
});
