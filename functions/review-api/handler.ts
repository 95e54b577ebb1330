import { bearerFor, ChimeChannelDirectory } from '../../src/adapters/chime-channel-directory.js';
import { oneAttemptChime } from '../../src/adapters/chime-callback.js';
import { ChimeChannelModeration } from '../../src/adapters/chime-channel-moderation.js';
import type { ReviewApiSettings } from '../../src/config.js';
import { apiDocument } from '../../src/api/document.js';
import { createApiApp } from '../../src/http/app.js';
import { CachedChannelNames } from '../../src/review/channel-names.js';
import { CursorCodec } from '../../src/http/cursor.js';
import { countItemTooLarge, serveOnLambda, type HttpApiHandler } from '../../src/http/lambda.js';
import { REVIEW_API_ROUTES } from '../../src/api/tables.js';
import type { TokenVerifier } from '../../src/http/token-verifier.js';
import type { AwsClients } from '../../src/adapters/clients.js';
import type { Runtime } from '../../src/runtime.js';

/** What the review API uses: the table and counters, the work queue, Chime (callbacks, names, actions). */
export type ReviewApiRuntime = Pick<Runtime, 'config' | 'clock' | 'logger' | 'metrics' | 'observer' | 'leaseSeconds' | 'store' | 'counters' | 'queue' | 'callbacks'> & {
  clients: Pick<AwsClients, 'chime' | 'chimeWrites'>;
};

/**
 * The moderators' HTTP API behind API Gateway (HTTP API, payload 2.0, JWT authorizer): every
 * route but the live-policy ones (functions/policy-api), and the OpenAPI document of both. The
 * authorizer has verified the token before this runs, but hands over its claims flattened into
 * strings; the app verifies the token again with `verifier` (one per container, so its keys are
 * fetched once), reads the role from it and does the rest.
 */
export function createReviewApiHandler(runtime: ReviewApiRuntime, settings: ReviewApiSettings, { verifier }: { verifier: TokenVerifier }): HttpApiHandler {
  const { logger, metrics, config } = runtime;
  const app = createApiApp({
    deps: {
      store: runtime.store,
      callbacks: runtime.callbacks,
      clock: runtime.clock,
      leaseSeconds: runtime.leaseSeconds,
      observer: runtime.observer,
      queue: runtime.queue,
      cursors: new CursorCodec(settings.cursorSecret),
      callbackWindowSeconds: config.callbackWindowSeconds,
      expiryMarginSeconds: config.expiryMarginSeconds,
      expiryAction: config.expiryAction,
      channelNames: new CachedChannelNames(new ChimeChannelDirectory(runtime.clients.chime, bearerFor(settings.channelNameBearer)), {
        clock: runtime.clock,
        onError: (channelArn, error) => logger.debug('DescribeChannel failed; naming the channel by its ARN', { channelArn, error: String(error) }),
      }),
      // Ban, redact, delete as CHIME_BEARER_ARN (unset: those routes answer 503 chime-bearer-not-configured).
      channelModeration: new ChimeChannelModeration(oneAttemptChime(runtime.clients), bearerFor(settings.chimeBearerArn)),
      retentionDays: config.retentionDays,
      statistics: runtime.counters,
      warn: (message, details) => logger.warn(message, details),
    },
    routes: REVIEW_API_ROUTES,
    roles: { groupsClaim: settings.groupsClaim, moderatorGroup: settings.moderatorGroup, adminGroup: settings.adminGroup },
    members: settings.members,
    verifier,
    openApiDocument: apiDocument,
    logError: (message, details) => logger.error(message, details),
    onProblem: countItemTooLarge(metrics),
  });
  // Moderators' decisions (DecidedMODERATOR) are counted by the decision path's observer.
  return serveOnLambda(app, { logger, metrics, afterEach: () => runtime.counters.flush() });
}
