import { request } from 'node:http';
import type { APIGatewayProxyEventV2WithJWTAuthorizer, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalStack } from '../../src/local/stack.js';
import { pathPattern } from '../../src/http/route-paths.js';
import { REVIEW_API_ROUTES } from '../../src/api/tables.js';
import { startReviewStack, tokenFor } from '../support/review.js';

/**
 * Requests no web Request can be made of (a method the Fetch standard forbids, a GET or HEAD
 * with a body): `hono/aws-lambda` answers them `400 text/plain "Invalid request"` itself. The
 * review API's Lambda handler answers problem+json, like every other refusal.
 */

const ID = 'a'.repeat(48);
const PROBLEMS = 'https://chime-flow-moderation.dev/problems/';
const allowedOn = (path: string) => REVIEW_API_ROUTES.filter((r) => pathPattern(r.path).test(path)).map((r) => r.method);

function httpApiEvent(method: string, path: string, body?: { text: string; contentType: string }): APIGatewayProxyEventV2WithJWTAuthorizer {
  const requestId = `req-${method}-${Math.random().toString(36).slice(2)}`;
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath: path,
    rawQueryString: '',
    headers: { host: 'localhost', ...(body ? { 'content-type': body.contentType } : {}) },
    requestContext: {
      accountId: '123456789012',
      apiId: 'local',
      authorizer: { principalId: '', integrationLatency: 0, jwt: { claims: {}, scopes: [] } },
      domainName: 'localhost',
      domainPrefix: 'localhost',
      http: { method, path, protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'test' },
      requestId,
      routeKey: '$default',
      stage: '$default',
      time: new Date().toUTCString(),
      timeEpoch: Date.now(),
    },
    ...(body ? { body: body.text } : {}),
    isBase64Encoded: false,
  };
}

describe('the review API answers requests the Lambda adapter cannot build with problem+json', () => {
  let stack: LocalStack;
  beforeAll(async () => {
    stack = await startReviewStack();
  });
  afterAll(async () => {
    await stack?.stop();
  });

  /** Invokes the review API's Lambda function as API Gateway does, and checks the problem's common shape. */
  async function problemFor(event: APIGatewayProxyEventV2WithJWTAuthorizer, status: number, type: string) {
    const result = await stack.lambda.invoke('reviewApi', event);
    expect(result.ok).toBe(true);
    const reply = (result as { payload: APIGatewayProxyStructuredResultV2 }).payload;
    expect(reply.statusCode, reply.body).toBe(status);
    expect(reply.headers).toMatchObject({ 'content-type': 'application/problem+json', 'cache-control': 'no-store', 'x-request-id': event.requestContext.requestId });
    const body = JSON.parse(reply.body ?? '');
    expect(body).toMatchObject({ type: `${PROBLEMS}${type}`, title: expect.any(String), status, detail: expect.any(String), instance: event.rawPath, requestId: event.requestContext.requestId });
    return { headers: reply.headers ?? {}, body };
  }

  it.each(['TRACE', 'TRACK', 'CONNECT', 'trace'])('answers %s on a route 405, with the methods the route table allows', async (method) => {
    const { headers, body } = await problemFor(httpApiEvent(method, '/reviews'), 405, 'method-not-allowed');
    expect(headers.allow).toBe(allowedOn('/reviews').join(', '));
    expect(body.allowed).toEqual(allowedOn('/reviews'));
    expect(body.detail).toBe(`${method.toUpperCase()} is not supported on /reviews; use ${allowedOn('/reviews').join(', ')}.`);
  });

  it('computes the allowed methods for the path asked about', async () => {
    const path = `/reviews/${ID}/claim`;
    const { headers } = await problemFor(httpApiEvent('TRACE', path), 405, 'method-not-allowed');
    expect(headers.allow).toBe(allowedOn(path).join(', '));
    expect(allowedOn(path)).toEqual(['POST', 'DELETE']);
  });

  it('answers a forbidden method on no route 404', async () => {
    await problemFor(httpApiEvent('TRACE', '/nowhere'), 404, 'not-found');
  });

  it.each([
    ['GET', 'a JSON body', { text: '{"action":"ALLOW"}', contentType: 'application/json' }],
    ['GET', 'a text body', { text: 'hello', contentType: 'text/plain' }],
    ['HEAD', 'a JSON body', { text: '{}', contentType: 'application/json' }],
  ])('answers a %s with %s 400 invalid-request', async (method, _what, payload) => {
    const { body } = await problemFor(httpApiEvent(method, '/reviews', payload), 400, 'invalid-request');
    expect(body.detail).toBe(`${method} takes no request body`);
    expect(body.errors).toEqual([{ path: 'body', message: 'must be empty' }]);
  });

  it('answers anything else the adapter cannot build (a method that is no HTTP token) 400 invalid-request', async () => {
    const { body } = await problemFor(httpApiEvent('GE T', '/reviews'), 400, 'invalid-request');
    expect(body.detail).toMatch(/cannot be read/);
  });

  it('answers TRACE and a GET with a body problem+json over HTTP too, through the local API Gateway', async () => {
    const token = await tokenFor(stack, 'alice');
    const send = (method: string, path: string, body?: string) =>
      new Promise<{ status: number; type: string; body: string }>((resolve, reject) => {
        const req = request(`${stack.endpoints.api}${path}`, { method, headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)) } : {}) } }, (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => (text += chunk));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, type: String(res.headers['content-type']), body: text }));
        });
        req.on('error', reject);
        req.end(body);
      });
    const trace = await send('TRACE', '/reviews');
    expect(trace).toMatchObject({ status: 405, type: 'application/problem+json' });
    expect(JSON.parse(trace.body)).toMatchObject({ type: `${PROBLEMS}method-not-allowed` });
    const get = await send('GET', '/reviews', '{"x":1}');
    expect(get).toMatchObject({ status: 400, type: 'application/problem+json' });
    expect(JSON.parse(get.body)).toMatchObject({ type: `${PROBLEMS}invalid-request`, detail: 'GET takes no request body' });
  });
});
