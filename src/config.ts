import { parseMemberRule, type MemberRule, type MemberSettings } from './http/member.js';
import * as z from 'zod/mini';
import { LONGEST_CALLBACK_MS } from './adapters/chime-calls.js';
import { ConfigurationError } from './errors.js';
import './zod-messages.js';

/**
 * Configuration is read once, from the environment, validated, and frozen. A bad value fails
 * fast at cold start with a message that names the variable, instead of surfacing later as an
 * odd deadline or a callback to the wrong place.
 *
 * Every function validates its configuration at cold start, so the schemas are zod/mini (the same
 * rules and messages as the classic API, a fraction of the bundle: src/zod-messages.ts).
 */

const seconds = (fallback: number) => z._default(z.coerce.number().check(z.int('must be a whole number of seconds'), z.nonnegative()), fallback);

const optionalUrl = z.optional(
  z.pipe(
    z.pipe(
      z.string().check(z.trim()),
      z.transform((value: string) => (value === '' ? undefined : value)),
    ),
    z.optional(z.url()),
  ),
);

const shards = (fallback: number) => z._default(z.coerce.number().check(z.int('must be a whole number'), z.gte(1), z.lte(256)), fallback);

export const ExpiryAction = z.enum(['DENY', 'ALLOW']);
export type ExpiryAction = z.infer<typeof ExpiryAction>;

/** Settings of the decision pipeline itself; shared by every function. */
const PipelineEnv = z.object({
  /** Chime's window is 48 h; shorter windows make the sweeper observable locally. */
  CALLBACK_WINDOW_SECONDS: z.pipe(seconds(172_800), z.number().check(z.positive())),
  /** Act on an undecided item this long before its deadline. */
  EXPIRY_MARGIN_SECONDS: seconds(3_600),
  EXPIRY_ACTION: z._default(z.pipe(z.string().check(z.toUpperCase()), ExpiryAction), 'DENY'),
  /** A RECEIVED or DECIDED item untouched for this long is considered stuck and re-driven. */
  STUCK_AFTER_SECONDS: seconds(300),
  /** How long a terminal item stays readable (the audit trail) before its TTL removes it. */
  RETENTION_DAYS: z._default(z.coerce.number().check(z.positive()), 30),
  /** How often the sweeper runs (AWS: the sweepSchedule param's rate; `npm start`: its timer). */
  SWEEP_INTERVAL_SECONDS: seconds(60),
  /** The work queue's MessageRetentionPeriod (serverless.yml): how late a work message can arrive. */
  WORK_QUEUE_RETENTION_SECONDS: seconds(345_600),
  /** Empty means the bundled policy/default.yaml. */
  POLICY_FILE: z.optional(z.string().check(z.trim())),
  /**
   * Write shards of the table's indexes (README "Keys that spread"). Every function must see the
   * same values; changing one needs `npm run backfill` (it rewrites the keys of existing items).
   */
  STATUS_SHARDS: shards(32),
  AUDIT_SHARDS: shards(16),
  COUNTER_SHARDS: shards(32),
  /**
   * The moderation bot (an AppInstanceBot, or an AppInstanceUser) that sends notices to members,
   * as a targeted message in the channel; may start with `{appInstanceArn}/` (the channel's own
   * AppInstance). Its own messages pass through the channel flow and are let through unevaluated.
   * Unset: no notices are sent (they are still recorded, as not sent).
   */
  MODERATION_BOT_ARN: z.optional(
    z.string().check(
      z.trim(),
      z.regex(
        /^(?:arn:aws[a-z-]*:chime:[a-z0-9-]+:\d{12}:app-instance\/[^/\s]+|\{appInstanceArn\})\/(?:user|bot)\/[^/\s]+$/,
        'must be an AppInstanceBot or AppInstanceUser ARN, or the same starting with {appInstanceArn}/ for the channel\'s own AppInstance',
      ),
    ),
  ),
  /**
   * The AppInstanceAdmin (user or bot) that escalation bans and lifts bans as, in every function
   * that may apply a ban (the worker, the sweeper, the review API); may start with
   * `{appInstanceArn}/`. Unset: bans are enforced by the worker only (no CreateChannelBan).
   */
  CHIME_BEARER_ARN: z.optional(
    z.string().check(
      z.trim(),
      z.regex(/^(?:arn:aws[a-z-]*:chime:[a-z0-9-]+:\d{12}:app-instance\/[^/\s]+|\{appInstanceArn\})\/(?:user|bot)\/[^/\s]+$/, 'must be an AppInstanceUser or AppInstanceBot ARN, or the same starting with {appInstanceArn}/'),
    ),
  ),
});

/** Where the AWS resources are. In Lambda these come from serverless.yml. */
const ResourceEnv = z.object({
  TABLE_NAME: z.string().check(z.minLength(1, 'is required')),
  CONTROL_TABLE_NAME: z.string().check(z.minLength(1, 'is required')),
  WORK_QUEUE_URL: z.string().check(z.minLength(1, 'is required')),
  INTAKE_DLQ_URL: z.string().check(z.minLength(1, 'is required')),
  DYNAMODB_ENDPOINT: optionalUrl,
  SQS_ENDPOINT: optionalUrl,
  CHIME_ENDPOINT: optionalUrl,
  AWS_REGION: z._default(z.string().check(z.minLength(1)), 'us-east-1'),
});

export type PipelineSettings = {
  callbackWindowSeconds: number;
  expiryMarginSeconds: number;
  expiryAction: ExpiryAction;
  stuckAfterSeconds: number;
  retentionDays: number;
  sweepIntervalSeconds: number;
  workQueueRetentionSeconds: number;
  policyFile?: string;
  /** Write shards: the live-status index, the audit index, the statistics counters. */
  shards: { status: number; audit: number; counters: number };
  /** The moderation bot's ARN (MODERATION_BOT_ARN); may hold `{appInstanceArn}`. */
  moderationBotArn?: string;
  /** The ChimeBearer of escalation bans and their lifting (CHIME_BEARER_ARN); may hold `{appInstanceArn}`. */
  chimeBearerArn?: string;
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

/** A name: trimmed, not empty, `fallback` when unset. */
const trimmedName = (fallback: string) => z._default(z.string().check(z.trim(), z.minLength(1)), fallback);

/**
 * The review API's settings. In AWS the HTTP API's JWT authorizer verifies tokens (issuer and
 * audience are configured on it, in serverless.yml), and the API functions verify them again
 * against the same JWT_ISSUER and JWT_AUDIENCE (src/http/token-verifier.ts): the authorizer
 * hands them the claims flattened into strings, from which groups cannot be read exactly. So
 * where the API runs JWT_ISSUER is required (`apiTokenSettings`); the local tools that only
 * mint tokens (`npm run token`) do without it.
 */
const ReviewApiEnv = z.object({
  JWT_ISSUER: z.optional(z.url()),
  JWT_AUDIENCE: trimmedName('chime-flow-moderation'),
  /** The claim that lists the caller's groups. Cognito: cognito:groups. */
  JWT_GROUPS_CLAIM: trimmedName('cognito:groups'),
  MODERATOR_GROUP: trimmedName('moderators'),
  ADMIN_GROUP: trimmedName('admins'),
  /** Signs paging cursors (HMAC-SHA256). At least 32 characters. */
  CURSOR_SECRET: z.string({ error: 'is required' }).check(z.minLength(32, 'must be at least 32 characters')),
  /**
   * The AppInstanceUser the API calls DescribeChannel as, for readable channel names; may contain
   * `{appInstanceArn}` (the channel's own AppInstance). Unset: channels are named by their ARN.
   */
  CHANNEL_NAME_BEARER: z.optional(z.string().check(z.trim(), z.minLength(1))),
  /**
   * The AppInstanceUser or AppInstanceBot the API bans, redacts and deletes as (an
   * AppInstanceAdmin); may start with `{appInstanceArn}` like CHANNEL_NAME_BEARER. Unset: those
   * routes answer 503 chime-bearer-not-configured.
   */
  CHIME_BEARER_ARN: z.optional(
    z.string().check(
      z.trim(),
      z.regex(
        /^(?:arn:aws[a-z-]*:chime:[a-z0-9-]+:\d{12}:app-instance\/[^/\s]+|\{appInstanceArn\})\/(?:user|bot)\/[^/\s]+$/,
        'must be an AppInstanceUser or AppInstanceBot ARN (arn:aws:chime:REGION:ACCOUNT:app-instance/ID/user/ID or …/bot/ID), or the same starting with {appInstanceArn}/ for the channel\'s own AppInstance',
      ),
    ),
  ),
  /**
   * Which Chime member a token is, for the members' routes (reports, appeals; src/http/member.ts):
   * `claim:<name>` (the claim holds the member's ARN) or `app-instance-user:<AppInstance ARN>`
   * (the ARN is `<AppInstance ARN>/user/<sub>`, the Chime samples' convention).
   */
  MEMBER_IDENTITY: z._default(
    z.string().check(
      z.trim(),
      z.superRefine((value, ctx) => {
        const rule = parseMemberRule(value);
        if (typeof rule === 'string') ctx.addIssue({ code: 'custom', message: rule });
      }),
    ),
    'claim:custom:chimeMemberArn',
  ),
  /** The group whose tokens act for a member (an app's backend), naming them with `memberArn`. */
  SERVICE_GROUP: trimmedName('moderation-service'),
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
  /** How a token names its Chime member, and which group acts for members (MEMBER_IDENTITY, SERVICE_GROUP). */
  members: MemberSettings;
}


function parseOrExplain<T extends z.ZodMiniType>(schema: T, env: NodeJS.ProcessEnv): z.output<T> {
  // Empty strings mean "not set": serverless.yml params default to '' for optional values.
  const present = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const result = schema.safeParse(present);
  if (!result.success) {
    const problems = result.error.issues.map((issue) => `${issue.path.join('.') || '(root)'} ${issue.message}`);
    throw new ConfigurationError(`Invalid configuration: ${problems.join('; ')}`);
  }
  return result.data;
}

/** The pipeline's settings as the schema reads them (the deadline rules are checked by loadPipelineSettings). */
export function parsePipelineSettings(env: NodeJS.ProcessEnv = process.env): PipelineSettings {
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
    ...(parsed.MODERATION_BOT_ARN ? { moderationBotArn: parsed.MODERATION_BOT_ARN } : {}),
    ...(parsed.CHIME_BEARER_ARN ? { chimeBearerArn: parsed.CHIME_BEARER_ARN } : {}),
  });
}

/** The longest a callback can take, in whole seconds (src/adapters/chime-calls.ts). */
export const LONGEST_CALLBACK_SECONDS = Math.ceil(LONGEST_CALLBACK_MS / 1000);

/**
 * Settings that would break the deadline invariant (BRIEF.md invariant 4: act before
 * `deadline - margin`, never after the deadline) are refused, each with one line that names the
 * variable and the rule. npm start and every function check them at start; `npm run package`
 * checks the stage params (scripts/serverless-config-guard.cjs).
 *
 *   margin > sweep interval + longest callback  the sweeper finds an item at most one interval
 *                                                after it enters the margin, and its callback
 *                                                must land before the deadline
 *   STUCK_AFTER_SECONDS > 0                      0 would re-drive every item on every sweep
 *   retention ≥ window + work-queue retention    an item must outlive every work message that
 *                                                names it: a late one must never find it gone,
 *                                                rebuild it and decide it again
 */
export function deadlineProblems(settings: Pick<PipelineSettings, 'callbackWindowSeconds' | 'expiryMarginSeconds' | 'stuckAfterSeconds' | 'retentionDays' | 'sweepIntervalSeconds' | 'workQueueRetentionSeconds'>): string[] {
  const problems: string[] = [];
  const needed = settings.sweepIntervalSeconds + LONGEST_CALLBACK_SECONDS;
  if (settings.expiryMarginSeconds <= needed) {
    problems.push(
      `EXPIRY_MARGIN_SECONDS (${settings.expiryMarginSeconds}) must be greater than SWEEP_INTERVAL_SECONDS (${settings.sweepIntervalSeconds}) + the longest callback (${LONGEST_CALLBACK_SECONDS}s) = ${needed}s, or the expiry action may land after the deadline`,
    );
  }
  if (settings.stuckAfterSeconds <= 0) problems.push(`STUCK_AFTER_SECONDS (${settings.stuckAfterSeconds}) must be greater than 0, or every live item is re-driven on every sweep`);
  const retentionSeconds = settings.retentionDays * 86_400;
  const outlive = settings.callbackWindowSeconds + settings.workQueueRetentionSeconds;
  if (retentionSeconds < outlive) {
    problems.push(
      `RETENTION_DAYS (${settings.retentionDays}) must be at least CALLBACK_WINDOW_SECONDS (${settings.callbackWindowSeconds}) + WORK_QUEUE_RETENTION_SECONDS (${settings.workQueueRetentionSeconds}) = ${Math.ceil((outlive / 86_400) * 100) / 100} days, or a late work message could find its item gone and decide it again`,
    );
  }
  return problems;
}

export function loadPipelineSettings(env: NodeJS.ProcessEnv = process.env): PipelineSettings {
  const settings = parsePipelineSettings(env);
  const problems = deadlineProblems(settings);
  if (problems.length > 0) throw new ConfigurationError(`Invalid configuration: ${problems.join('; ')}`);
  return settings;
}

/** Every function's configuration, its deadline rules checked (see deadlineProblems). */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  return Object.freeze({ ...parseConfig(env), ...loadPipelineSettings(env) });
}

/** The configuration as the schemas read it, before the deadline rules. */
export function parseConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  const pipeline = parsePipelineSettings(env);
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

/** What the API functions verify tokens against (createTokenVerifier): the same as the authorizer's. */
export interface ApiTokenSettings {
  issuer: string;
  /** JWT_AUDIENCE, comma-separated: the moderators' client and the chat apps' (memberJwtAudiences). */
  audience: string[];
}

/** Where the API runs: JWT_ISSUER is required (the functions verify every token against it). */
export function apiTokenSettings(settings: ReviewApiSettings): ApiTokenSettings {
  if (!settings.jwtIssuer) {
    throw new ConfigurationError("Invalid configuration: JWT_ISSUER is required: the API verifies every bearer token against its issuer (the JWT authorizer's issuerUrl)");
  }
  return { issuer: settings.jwtIssuer, audience: settings.jwtAudience.split(',').map((aud) => aud.trim()).filter(Boolean) };
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
    members: { rule: parseMemberRule(parsed.MEMBER_IDENTITY) as MemberRule, serviceGroup: parsed.SERVICE_GROUP },
  });
}

/** Live policies (the worker's cache of stored policies; README "Live policies"). */
const LivePolicyEnv = z.object({
  /**
   * At most this long between two version checks of the stored policies a worker uses: a change
   * takes effect within it in every running worker. Fractions are allowed (tests use 0.5).
   */
  POLICY_REFRESH_SECONDS: z._default(z.coerce.number('must be a number of seconds').check(z.gte(0.1, 'must be at least 0.1'), z.lte(3600, 'must be at most 3600')), 10),
});

export interface LivePolicySettings {
  refreshSeconds: number;
}

export function loadLivePolicySettings(env: NodeJS.ProcessEnv = process.env): LivePolicySettings {
  const parsed = parseOrExplain(LivePolicyEnv, env);
  return Object.freeze({ refreshSeconds: parsed.POLICY_REFRESH_SECONDS });
}
