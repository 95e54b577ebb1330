import type { APIGatewayProxyEventV2WithJWTAuthorizer, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { handle } from 'hono/aws-lambda';
import type { ReviewApiSettings } from '../../src/config.js';
import { createReviewApp } from '../../src/review/app.js';
import { CursorCodec } from '../../src/review/cursor.js';
import type { Runtime } from '../../src/runtime.js';

/**
 * The moderators' HTTP API behind API Gateway (HTTP API, payload 2.0, JWT authorizer). The
 * authorizer has verified the token before this runs; the app checks the role and does the rest.
 */
export function createReviewApiHandler(runtime: Runtime, settings: ReviewApiSettings) {
  const { logger, config } = runtime;
  const app = createReviewApp({
    deps: {
      store: runtime.store,
      callbacks: runtime.callbacks,
      clock: runtime.clock,
      leaseSeconds: runtime.leaseSeconds,
      queue: runtime.queue,
      cursors: new CursorCodec(settings.cursorSecret),
      callbackWindowSeconds: config.callbackWindowSeconds,
      expiryMarginSeconds: config.expiryMarginSeconds,
      retentionDays: config.retentionDays,
      warn: (message, details) => logger.warn(message, details),
    },
    roles: { groupsClaim: settings.groupsClaim, moderatorGroup: settings.moderatorGroup, adminGroup: settings.adminGroup },
    logError: (message, details) => logger.error(message, details),
  });
  const lambdaHandler = handle(app);
  return async (event: APIGatewayProxyEventV2WithJWTAuthorizer, context?: Context): Promise<APIGatewayProxyStructuredResultV2> => {
    if (context) logger.addContext(context);
    // hono's LambdaEvent types `body` as string | null where aws-lambda says string | undefined.
    return (await lambdaHandler(event as unknown as Parameters<typeof lambdaHandler>[0], context)) as APIGatewayProxyStructuredResultV2;
  };
}
