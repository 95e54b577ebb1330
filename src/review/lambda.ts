import type { APIGatewayProxyEventV2WithJWTAuthorizer, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import type { Logger } from '@aws-lambda-powertools/logger';
import { MetricUnit, type Metrics } from '@aws-lambda-powertools/metrics';
import { handle } from 'hono/aws-lambda';
import { ItemTooLargeError } from '../errors.js';
import type { createReviewApp } from './app.js';
import type { Problem } from './problems.js';

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

/**
 * Serves one of the API's apps (review or policy routes) from Lambda: the invocation's context in
 * every log line, and whatever the request stored published before the function freezes
 * (`afterEach`, for example the statistics counters' flush, runs then too).
 */
export function serveOnLambda(app: ReturnType<typeof createReviewApp>, { logger, metrics, afterEach }: { logger: Logger; metrics: Metrics; afterEach?: () => Promise<void> }): HttpApiHandler {
  const lambdaHandler = handle(app);
  return async (event, context) => {
    if (context) logger.addContext(context);
    try {
      // hono's LambdaEvent types `body` as string | null where aws-lambda says string | undefined.
      return (await lambdaHandler(event as unknown as Parameters<typeof lambdaHandler>[0], context)) as APIGatewayProxyStructuredResultV2;
    } finally {
      if (metrics.hasStoredMetrics()) metrics.publishStoredMetrics();
      await afterEach?.();
    }
  };
}
