import { randomUUID } from 'node:crypto';
import type { APIGatewayProxyEventV2WithJWTAuthorizer, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import type { Logger } from '@aws-lambda-powertools/logger';
import { MetricUnit, type Metrics } from '@aws-lambda-powertools/metrics';
import { handle } from 'hono/aws-lambda';
import { ItemTooLargeError } from '../errors.js';
import type { createApiApp } from './app.js';
import { problem, PROBLEM_CONTENT_TYPE, type Problem } from './problems.js';
import { pathPattern } from './route-paths.js';

/** A Lambda handler for API Gateway (HTTP API, payload 2.0) events. */
export type HttpApiHandler = (event: APIGatewayProxyEventV2WithJWTAuthorizer, context?: Context) => Promise<APIGatewayProxyStructuredResultV2>;

/**
 * The app's onProblem for a Lambda function: a write DynamoDB refused for size is never a bare
 * 500 (it has its own problem type), and this metric feeds the StoreItemTooLarge alarm.
 */
export function countItemTooLarge(metrics: Metrics): (problem: Problem, error: unknown) => void {
  return (_problem, error) => {
    if (error instanceof ItemTooLargeError) {
      metrics.addMetric('StoreItemTooLarge', MetricUnit.Count, 1);
      metrics.publishStoredMetrics();
    }
  };
}

type ApiApp = ReturnType<typeof createApiApp>;

/** Methods a web Request cannot be made with (the Fetch standard's forbidden methods). */
const FORBIDDEN_METHODS = new Set(['CONNECT', 'TRACE', 'TRACK']);

/** The methods the app's routes serve on `path`, in route-table order (`ALL` entries are middleware). */
function allowedMethods(app: ApiApp, path: string): string[] {
  const methods = app.routes.filter((r) => r.method !== 'ALL' && pathPattern(r.path.replace(/:([^/]+)/g, '{$1}')).test(path)).map((r) => r.method);
  return [...new Set(methods)];
}

function problemResult(body: Problem, event: APIGatewayProxyEventV2WithJWTAuthorizer, context: Context | undefined, headers: Record<string, string> = {}): APIGatewayProxyStructuredResultV2 {
  // The same request id, members and headers as the app's own problem responses.
  const requestId = event.requestContext?.requestId ?? context?.awsRequestId ?? randomUUID();
  return {
    statusCode: body.status,
    headers: { 'content-type': PROBLEM_CONTENT_TYPE, 'cache-control': 'no-store', 'x-request-id': requestId, ...headers },
    body: JSON.stringify({ ...body, instance: event.rawPath, requestId }),
    isBase64Encoded: false,
  };
}

/**
 * What `hono/aws-lambda` cannot hand to the app, because no web Request can be made of it,
 * answered as every other refusal is (problem+json) instead of the adapter's bare
 * `400 text/plain "Invalid request"`.
 */
function refuseUnbuildable(app: ApiApp, event: APIGatewayProxyEventV2WithJWTAuthorizer, context: Context | undefined): APIGatewayProxyStructuredResultV2 | undefined {
  const method = (event.requestContext?.http?.method ?? '').toUpperCase();
  const path = event.rawPath;
  if (FORBIDDEN_METHODS.has(method)) {
    const allowed = allowedMethods(app, path);
    if (allowed.length === 0) return problemResult(problem('not-found', `No route ${method} ${path}. See /openapi.json for the routes.`), event, context);
    return problemResult(problem('method-not-allowed', `${method} is not supported on ${path}; use ${allowed.join(', ')}.`, { allowed }), event, context, { allow: allowed.join(', ') });
  }
  if ((method === 'GET' || method === 'HEAD') && event.body) {
    return problemResult(problem('invalid-request', `${method} takes no request body`, { errors: [{ path: 'body', message: 'must be empty' }] }), event, context);
  }
  return undefined;
}

/**
 * Serves one of the API's apps (review or policy routes) from Lambda: the invocation's context in
 * every log line, and whatever the request stored published before the function freezes
 * (`afterEach`, for example the statistics counters' flush, runs then too). Every answer is the
 * app's, or a problem+json one: the adapter's plain-text refusals never reach a client.
 */
export function serveOnLambda(app: ApiApp, { logger, metrics, afterEach }: { logger: Logger; metrics: Metrics; afterEach?: () => Promise<void> }): HttpApiHandler {
  const lambdaHandler = handle(app);
  return async (event, context) => {
    if (context) logger.addContext(context);
    try {
      const refused = refuseUnbuildable(app, event, context);
      if (refused) return refused;
      // hono's LambdaEvent types `body` as string | null where aws-lambda says string | undefined.
      const result = (await lambdaHandler(event as unknown as Parameters<typeof lambdaHandler>[0], context)) as APIGatewayProxyStructuredResultV2;
      // Only the adapter answers text/plain: a request it still could not build (400) or a fault building it (500).
      if (!String(result.headers?.['content-type'] ?? '').startsWith('text/plain')) return result;
      logger.warn('The Lambda adapter could not build a request from the event', { status: result.statusCode, body: result.body });
      return result.statusCode === 400
        ? problemResult(problem('invalid-request', 'The request cannot be read: its method, headers or body are not valid HTTP.'), event, context)
        : problemResult(problem('internal-error', 'Internal error. Quote the request id if you report it.'), event, context);
    } finally {
      if (metrics.hasStoredMetrics()) metrics.publishStoredMetrics();
      await afterEach?.();
    }
  };
}
