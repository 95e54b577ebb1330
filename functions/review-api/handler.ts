import { bearerFor, ChimeChannelDirectory } from '../../src/adapters/chime-channel-directory.js';
import { oneAttemptChime } from '../../src/adapters/chime-callback.js';
import { ChimeChannelModeration } from '../../src/adapters/chime-channel-moderation.js';
import { ChimeReportedMessages } from '../../src/adapters/chime-reported-messages.js';
import { DynamoDbCaseStore } from '../../src/adapters/dynamodb-reports.js';
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
import type { CommunityPolicies, Notices } from '../../src/domain/people.js';
import { createSenders, fixedCommunityPolicies } from '../../src/senders/compose.js';
import { ControlAllowances } from '../../src/adapters/control-allowances.js';
import { ControlAppealStore } from '../../src/adapters/control-appeals.js';
import { ControlRecords } from '../../src/adapters/control-records.js';
import { createNoticeParts } from '../../src/notices/create.js';

/** What the review API uses: the table and counters, the work queue, Chime (callbacks, names, actions). */
export type ReviewApiRuntime = Pick<Runtime, 'config' | 'clock' | 'logger' | 'metrics' | 'observer' | 'leaseSeconds' | 'store' | 'counters' | 'queue' | 'callbacks'> & {
  clients: Pick<AwsClients, 'chime' | 'chimeWrites' | 'documents'>;
};

/**
 * The moderators' HTTP API behind API Gateway (HTTP API, payload 2.0, JWT authorizer): every
 * route but the live-policy ones (functions/policy-api), and the OpenAPI document of both. The
 * authorizer has verified the token before this runs, but hands over its claims flattened into
 * strings; the app verifies the token again with `verifier` (one per container, so its keys are
 * fetched once), reads the role from it and does the rest.
 */
export function createReviewApiHandler(
  runtime: ReviewApiRuntime,
  settings: ReviewApiSettings,
  { verifier, people = {} }: { verifier: TokenVerifier; people?: { communityPolicies?: CommunityPolicies; notices?: Notices } },
): HttpApiHandler {
  const { logger, metrics, config } = runtime;
  const communityPolicies = people.communityPolicies ?? fixedCommunityPolicies();
  // Notices to members as MODERATION_BOT_ARN (src/notices), and the aftercare of moderators'
  // decisions: their DENY or UPDATE notice, and the strike it carries (recorded by the senders room).
  const noticeParts = createNoticeParts({
    documents: runtime.clients.documents,
    controlTableName: config.controlTableName,
    chimeWrites: runtime.clients.chimeWrites,
    items: runtime.store,
    policies: communityPolicies,
    clock: runtime.clock,
    ...(config.moderationBotArn ? { botArn: config.moderationBotArn } : {}),
    strikes: { record: (strike) => senders.strikes.record(strike) },
    retentionDays: config.retentionDays,
    log: (level, message, details) => logger[level](message, details),
  });
  const notices = people.notices ?? noticeParts.notices;
  const controlRecords = new ControlRecords(runtime.clients.documents, config.controlTableName);
  // Strikes, restrictions and the sender's record (src/senders); bans as CHIME_BEARER_ARN.
  const senders = createSenders({
    documents: runtime.clients.documents,
    controlTableName: config.controlTableName,
    moderationTableName: config.tableName,
    chime: { reads: runtime.clients.chime, writes: runtime.clients.chimeWrites, ...(settings.chimeBearerArn ? { bearerArn: settings.chimeBearerArn } : {}) },
    policies: communityPolicies,
    notices,
    ...(config.moderationBotArn ? { botArn: config.moderationBotArn } : {}),
    clock: runtime.clock,
    retentionDays: config.retentionDays,
    warn: (message, details) => logger.warn(message, details),
  });
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
      // Reports and cases (src/reports): their records in the control table; reported messages read from Chime as CHIME_BEARER_ARN.
      cases: new DynamoDbCaseStore(runtime.clients.documents, config.controlTableName, () => runtime.clock.now()),
      reportedMessages: new ChimeReportedMessages(runtime.clients.chime, bearerFor(settings.chimeBearerArn)),
      statistics: runtime.counters,
      warn: (message, details) => logger.warn(message, details),
      // The people rooms' shared ports: the community policy of each channel, strikes and restrictions.
      communityPolicies,
      senders,
      strikeLedger: senders.strikes,
      senderRestrictions: senders.restrictions,
      notices,
      aftercare: noticeParts.aftercare,
      // Appeals (src/appeals): their records in the control table; an overturned DENY's allowance there too.
      appeals: new ControlAppealStore(controlRecords),
      allowances: new ControlAllowances(controlRecords, runtime.clock),
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
