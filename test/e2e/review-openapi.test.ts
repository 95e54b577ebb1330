import { readFileSync } from 'node:fs';
import { Validator } from '@seriousme/openapi-schema-validator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_SERVERLESS_YML, parseCloudFormationYaml } from '../../src/infra/definitions.js';
import { POLICY_API_ROUTES } from '../../src/local/policy-api.js';
import type { LocalStack } from '../../src/local/stack.js';
import { API_ROUTES } from '../../src/api/document.js';
import { createApiApp } from '../../src/http/app.js';
import { REVIEW_API_ROUTES } from '../../src/api/tables.js';
import { toRouterPath } from '../../src/http/route-paths.js';
import { POLICY_CATCH_ALL_PATHS, POLICY_ROUTES } from '../../src/policy-api/routes.js';
import { api, startReviewStack } from '../support/review.js';

describe('GET /openapi.json', () => {
  let stack: LocalStack;
  let document: Record<string, any>;

  beforeAll(async () => {
    stack = await startReviewStack();
    const response = await api(stack, 'GET', '/openapi.json');
    expect(response.status).toBe(200);
    document = response.body;
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it('is a valid OpenAPI 3.1 document', async () => {
    expect(document.openapi).toBe('3.1.0');
    const result = await new Validator().validate(document as never);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
  });

  it('documents every route the two functions serve, and no other', () => {
    // The apps as the Lambdas build them (the review API's, the policy API's); their dependencies are never called here.
    const roles = { groupsClaim: 'g', moderatorGroup: 'm', adminGroup: 'a' };
    const verifier = { verify: () => Promise.reject(new Error('never called')) };
    const reviewApp = createApiApp({ deps: {} as never, routes: REVIEW_API_ROUTES, roles, verifier, logError: () => {} });
    const policyApp = createApiApp({ deps: {} as never, routes: POLICY_ROUTES, roles, verifier, logError: () => {} });
    // One entry per handler in a route's chain (role check, body limit, handler): dedupe.
    const servedBy = (app: typeof reviewApp) => [...new Set(app.routes.filter((r) => r.method !== 'ALL').map((r) => `${r.method} ${r.path}`))];
    const served = [...servedBy(reviewApp), ...servedBy(policyApp)];
    const documented = Object.entries(document.paths as Record<string, Record<string, unknown>>).flatMap(([path, operations]) =>
      Object.keys(operations).map((method) => `${method.toUpperCase()} ${toRouterPath(path)}`),
    );
    expect(new Set(served)).toEqual(new Set(documented));
    expect(servedBy(reviewApp)).toHaveLength(REVIEW_API_ROUTES.length);
    expect(servedBy(policyApp)).toHaveLength(POLICY_ROUTES.length);
    expect(served).toHaveLength(API_ROUTES.length);
    // Each route is one function's: the review API serves none of the policy routes.
    expect(servedBy(reviewApp).filter((route) => route.includes('/policies'))).toEqual([]);
  });

  it('resolves every $ref to a component', () => {
    const refs = JSON.stringify(document).match(/"\$ref":"[^"]+"/g) ?? [];
    expect(refs.length).toBeGreaterThan(10);
    for (const ref of refs) {
      const target = ref.slice(8, -1);
      expect(target).toMatch(/^#\/components\/schemas\//);
      expect(document.components.schemas[target.split('/').pop()!], target).toBeDefined();
    }
  });

  it('shows the same limits the validation enforces', () => {
    const decision = document.components.schemas.DecisionRequest;
    expect(decision.additionalProperties).toBe(false);
    expect(decision.properties.action.enum).toEqual(['ALLOW', 'DENY', 'UPDATE']);
    expect(decision.properties.content).toMatchObject({ minLength: 1, maxLength: 4096 });
    expect(document.components.schemas.PushNotification.properties.title.maxLength).toBe(50);
    expect(document.components.schemas.PushNotification.properties.body.maxLength).toBe(150);
    const limit = document.paths['/reviews'].get.parameters.find((p: { name: string }) => p.name === 'limit');
    expect(limit.schema).toMatchObject({ type: 'integer', minimum: 1, maximum: 100 });
    expect(document.paths['/reviews/{callbackId}/claim'].post.requestBody.content['application/json'].schema).toEqual({ $ref: '#/components/schemas/ClaimRequest' });
    expect(document.components.schemas.ClaimRequest.properties.leaseSeconds).toMatchObject({ default: 300, maximum: 3600 });
  });

  it('marks every route but the document itself as needing a bearer token', () => {
    for (const [path, operations] of Object.entries(document.paths as Record<string, Record<string, any>>)) {
      for (const operation of Object.values(operations)) {
        if (path === '/openapi.json') expect(operation.security).toEqual([]);
        else expect(operation.security).toBeUndefined(); // inherits the global bearerAuth
      }
    }
    expect(document.security).toEqual([{ bearerAuth: [] }]);
  });
});

describe('serverless.yml', () => {
  const doc = parseCloudFormationYaml(readFileSync(DEFAULT_SERVERLESS_YML, 'utf8')) as any;
  const eventsOf = (fn: string) => (doc.functions[fn].events as Array<{ httpApi: { method?: string; path: string; authorizer?: unknown } }>).map((e) => e.httpApi);

  it('routes exactly the router’s routes to the review API, all but /openapi.json behind the JWT authorizer', () => {
    const events = eventsOf('reviewApi');
    const routes = events.filter((e) => e.path !== '*');
    expect(new Set(routes.map((e) => `${e.method} ${e.path}`))).toEqual(new Set(REVIEW_API_ROUTES.map((r) => `${r.method} ${r.path}`)));
    for (const event of events) {
      const route = REVIEW_API_ROUTES.find((r) => r.method === event.method && r.path === event.path);
      if (route?.access === 'public') expect(event.authorizer).toBeUndefined();
      else expect(event.authorizer).toBe('moderatorJwt');
    }
    expect(doc.provider.httpApi.authorizers.moderatorJwt).toMatchObject({ type: 'jwt', identitySource: '$request.header.Authorization' });
    expect(doc.resources.extensions.HttpApiStage.Properties.DefaultRouteSettings).toMatchObject({ ThrottlingRateLimit: expect.anything(), ThrottlingBurstLimit: expect.anything() });
  });

  it('routes exactly the policy routes to the policy API, and every other method and path under /policies, all behind the JWT authorizer', () => {
    const events = eventsOf('policyApi');
    expect(events.map((e) => `${e.method} ${e.path}`)).toEqual([
      ...POLICY_ROUTES.map((r) => `${r.method} ${r.path}`),
      ...POLICY_CATCH_ALL_PATHS.map((path) => `ANY ${path}`),
    ]);
    for (const event of events) expect(event.authorizer).toBe('moderatorJwt');
    // The local gateway (npm start, the tests) routes the same.
    expect(POLICY_API_ROUTES.map((r) => `${r.method} ${r.path}`)).toEqual(events.map((e) => `${e.method} ${e.path}`));
    // No other function takes a path under /policies.
    for (const fn of Object.keys(doc.functions).filter((name) => name !== 'policyApi')) {
      for (const event of (doc.functions[fn].events ?? []) as Array<{ httpApi?: { path: string } }>) expect(event.httpApi?.path ?? '').not.toMatch(/^\/policies/);
    }
  });
});
