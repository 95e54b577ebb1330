// Frozen copy of src/config.ts as it was before its schemas moved to zod/mini (classic zod API):
// the reference the migration is checked against (test/unit/zod-mini/config.test.ts). Not used elsewhere.
import * as z from 'zod';
import { ConfigurationError } from '../../../../src/errors.js';

/**
 * Configuration is read once, from the environment, validated, and frozen. A bad value fails
 * fast at cold start with a message that names the variable, instead of surfacing later as an
 * odd deadline or a callback to the wrong place.
 */

const seconds = (fallback: number) =>
  z.coerce.number().int('must be a whole number of seconds').nonnegative().default(fallback);

const optionalUrl = z
  .string()
  .trim()
  .transform((value) => (value === '' ? undefined : value))
  .pipe(z.url().optional())
  .optional();

export const ExpiryAction = z.enum(['DENY', 'ALLOW']);
export type ExpiryAction = z.infer<typeof ExpiryAction>;

/** Settings of the decision pipeline itself; shared by every function. */
const PipelineEnv = z.object({
  /** Chime's window is 48 h; shorter windows make the sweeper observable locally. */
  CALLBACK_WINDOW_SECONDS: seconds(172_800).pipe(z.number().positive()),
  /** Act on an undecided item this long before its deadline. */
  EXPIRY_MARGIN_SECONDS: seconds(3_600),
  EXPIRY_ACTION: z.string().toUpperCase().pipe(ExpiryAction).default('DENY'),
  /** A RECEIVED or DECIDED item untouched for this long is considered stuck and re-driven. */
  STUCK_AFTER_SECONDS: seconds(300),
  /** How long a terminal item stays readable (the audit trail) before its TTL removes it. */
  RETENTION_DAYS: z.coerce.number().positive().default(30),
  SWEEP_INTERVAL_SECONDS: seconds(60),
  WORK_QUEUE_RETENTION_SECONDS: seconds(345_600),
  /** Empty means the bundled policy/default.yaml. */
  POLICY_FILE: z.string().trim().optional(),
  /**
   * Write shards of the table's indexes (README "Keys that spread"). Every function must see the
   * same values; changing one needs `npm run backfill` (it rewrites the keys of existing items).
   */
  STATUS_SHARDS: z.coerce.number().int('must be a whole number').min(1).max(256).default(32),
  AUDIT_SHARDS: z.coerce.number().int('must be a whole number').min(1).max(256).default(16),
  COUNTER_SHARDS: z.coerce.number().int('must be a whole number').min(1).max(256).default(32),
});

/** Where the AWS resources are. In Lambda these come from serverless.yml. */
const ResourceEnv = z.object({
  TABLE_NAME: z.string().min(1, 'is required'),
  CONTROL_TABLE_NAME: z.string().min(1, 'is required'),
  WORK_QUEUE_URL: z.string().min(1, 'is required'),
  INTAKE_DLQ_URL: z.string().min(1, 'is required'),
  DYNAMODB_ENDPOINT: optionalUrl,
  SQS_ENDPOINT: optionalUrl,
  CHIME_ENDPOINT: optionalUrl,
  AWS_REGION: z.string().min(1).default('us-east-1'),
});

export type PipelineSettings = {
  callbackWindowSeconds: number;
  expiryMarginSeconds: number;
  expiryAction: ExpiryAction;
  stuckAfterSeconds: number;
  retentionDays: number;
  policyFile?: string;
  /** Write shards: the live-status index, the audit index, the statistics counters. */
  shards: { status: number; audit: number; counters: number };
};

export type ResourceSettings = {
  tableName: string;
  /** Live policies and statistics counters. */
  controlTableName: string;
  workQueueUrl: string;
  intakeDlqUrl: string;
  region: string;
  endpoints: { dynamodb?: string; sqs?: string; chime?: string };
};

export type AppConfig = PipelineSettings & ResourceSettings;

/**
 * The review API's settings. In AWS the HTTP API's JWT authorizer verifies tokens (issuer and
 * audience are configured on it, in serverless.yml); the function itself only reads the
 * verified claims, so JWT_ISSUER / JWT_AUDIENCE matter locally, where we emulate the authorizer.
 */
const ReviewApiEnv = z.object({
  JWT_ISSUER: z.url().optional(),
  JWT_AUDIENCE: z.string().trim().min(1).default('chime-flow-moderation'),
  /** The claim that lists the caller's groups. Cognito: cognito:groups. */
  JWT_GROUPS_CLAIM: z.string().trim().min(1).default('cognito:groups'),
  MODERATOR_GROUP: z.string().trim().min(1).default('moderators'),
  ADMIN_GROUP: z.string().trim().min(1).default('admins'),
  /** Signs paging cursors (HMAC-SHA256). At least 32 characters. */
  CURSOR_SECRET: z.string({ error: 'is required' }).min(32, 'must be at least 32 characters'),
  /**
   * The AppInstanceUser the API calls DescribeChannel as, for readable channel names; may contain
   * `{appInstanceArn}` (the channel's own AppInstance). Unset: channels are named by their ARN.
   */
  CHANNEL_NAME_BEARER: z.string().trim().min(1).optional(),
  /**
   * The AppInstanceUser or AppInstanceBot the API bans, redacts and deletes as (an
   * AppInstanceAdmin); may start with `{appInstanceArn}` like CHANNEL_NAME_BEARER. Unset: those
   * routes answer 503 chime-bearer-not-configured.
   */
  CHIME_BEARER_ARN: z
    .string()
    .trim()
    .regex(
      /^(?:arn:aws[a-z-]*:chime:[a-z0-9-]+:\d{12}:app-instance\/[^/\s]+|\{appInstanceArn\})\/(?:user|bot)\/[^/\s]+$/,
      'must be an AppInstanceUser or AppInstanceBot ARN (arn:aws:chime:REGION:ACCOUNT:app-instance/ID/user/ID or …/bot/ID), or the same starting with {appInstanceArn}/ for the channel\'s own AppInstance',
    )
    .optional(),
});

export interface ReviewApiSettings {
  jwtIssuer?: string;
  jwtAudience: string;
  groupsClaim: string;
  moderatorGroup: string;
  adminGroup: string;
  cursorSecret: string;
  channelNameBearer?: string;
  /** The ChimeBearer of moderators' follow-up actions (ban, redact, delete); may hold `{appInstanceArn}`. */
  chimeBearerArn?: string;
}


function parseOrExplain<T extends z.ZodType>(schema: T, env: NodeJS.ProcessEnv): z.infer<T> {
  // Empty strings mean "not set": serverless.yml params default to '' for optional values.
  const present = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const result = schema.safeParse(present);
  if (!result.success) {
    const problems = result.error.issues.map((issue) => `${issue.path.join('.') || '(root)'} ${issue.message}`);
    throw new ConfigurationError(`Invalid configuration: ${problems.join('; ')}`);
  }
  return result.data;
}

export function loadPipelineSettings(env: NodeJS.ProcessEnv = process.env): PipelineSettings {
  const parsed = parseOrExplain(PipelineEnv, env);
  if (parsed.EXPIRY_MARGIN_SECONDS >= parsed.CALLBACK_WINDOW_SECONDS) {
    throw new ConfigurationError(
      `Invalid configuration: EXPIRY_MARGIN_SECONDS (${parsed.EXPIRY_MARGIN_SECONDS}) must be smaller than CALLBACK_WINDOW_SECONDS (${parsed.CALLBACK_WINDOW_SECONDS})`,
    );
  }
  return Object.freeze({
    callbackWindowSeconds: parsed.CALLBACK_WINDOW_SECONDS,
    expiryMarginSeconds: parsed.EXPIRY_MARGIN_SECONDS,
    expiryAction: parsed.EXPIRY_ACTION,
    stuckAfterSeconds: parsed.STUCK_AFTER_SECONDS,
    retentionDays: parsed.RETENTION_DAYS,
    sweepIntervalSeconds: parsed.SWEEP_INTERVAL_SECONDS,
    workQueueRetentionSeconds: parsed.WORK_QUEUE_RETENTION_SECONDS,
    ...(parsed.POLICY_FILE ? { policyFile: parsed.POLICY_FILE } : {}),
    shards: { status: parsed.STATUS_SHARDS, audit: parsed.AUDIT_SHARDS, counters: parsed.COUNTER_SHARDS },
  });
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  const pipeline = loadPipelineSettings(env);
  const resources = parseOrExplain(ResourceEnv, env);
  return Object.freeze({
    ...pipeline,
    tableName: resources.TABLE_NAME,
    controlTableName: resources.CONTROL_TABLE_NAME,
    workQueueUrl: resources.WORK_QUEUE_URL,
    intakeDlqUrl: resources.INTAKE_DLQ_URL,
    region: resources.AWS_REGION,
    endpoints: {
      ...(resources.DYNAMODB_ENDPOINT ? { dynamodb: resources.DYNAMODB_ENDPOINT } : {}),
      ...(resources.SQS_ENDPOINT ? { sqs: resources.SQS_ENDPOINT } : {}),
      ...(resources.CHIME_ENDPOINT ? { chime: resources.CHIME_ENDPOINT } : {}),
    },
  });
}

export function loadReviewApiSettings(env: NodeJS.ProcessEnv = process.env): ReviewApiSettings {
  const parsed = parseOrExplain(ReviewApiEnv, env);
  return Object.freeze({
    ...(parsed.JWT_ISSUER ? { jwtIssuer: parsed.JWT_ISSUER } : {}),
    jwtAudience: parsed.JWT_AUDIENCE,
    groupsClaim: parsed.JWT_GROUPS_CLAIM,
    moderatorGroup: parsed.MODERATOR_GROUP,
    adminGroup: parsed.ADMIN_GROUP,
    cursorSecret: parsed.CURSOR_SECRET,
    ...(parsed.CHANNEL_NAME_BEARER ? { channelNameBearer: parsed.CHANNEL_NAME_BEARER } : {}),
    ...(parsed.CHIME_BEARER_ARN ? { chimeBearerArn: parsed.CHIME_BEARER_ARN } : {}),
  });
}

/** Live policies (the worker's cache of stored policies; README "Live policies"). */
const LivePolicyEnv = z.object({
  /**
   * At most this long between two version checks of the stored policies a worker uses: a change
   * takes effect within it in every running worker. Fractions are allowed (tests use 0.5).
   */
  POLICY_REFRESH_SECONDS: z.coerce.number('must be a number of seconds').min(0.1, 'must be at least 0.1').max(3600, 'must be at most 3600').default(10),
});

export interface LivePolicySettings {
  refreshSeconds: number;
}

export function loadLivePolicySettings(env: NodeJS.ProcessEnv = process.env): LivePolicySettings {
  const parsed = parseOrExplain(LivePolicyEnv, env);
  return Object.freeze({ refreshSeconds: parsed.POLICY_REFRESH_SECONDS });
}
