/**
 * The policy's settings for the people in the chat (README "Reports, notices, appeals and
 * escalation"): what the rules tell a sender, report categories and their SLAs, notices,
 * appeals, strikes, the escalation ladder, the two-person rule, and canned reasons. They live in
 * the same documents as the rules, per scope (global → app instance → channel), and merge the
 * same way (src/policy/merge.ts): a narrower scope overrides the settings it writes.
 *
 * This module is the contract the rooms read: `CommunityPolicy`, with every default applied.
 * The documents' schema for these sections is in src/policy/schema.ts.
 */

/** Durations as written in a policy: `90s`, `15m`, `24h`, `7d` (whole numbers). */
export type Duration = string;

export const REPORT_CATEGORIES = ['spam', 'harassment', 'hate', 'sexual', 'violence', 'self-harm', 'scam', 'other'] as const;
export type ReportCategory = (typeof REPORT_CATEGORIES)[number];

export interface CategorySettings {
  /** What members and moderators see ("Self-harm"). */
  label: string;
  /** 1 (low) to 5 (highest): part of a case's priority. */
  severity: number;
  /** The SLA target: a case of this category should be acted on within this long of its first report. */
  slaSeconds: number;
}

/** What a rule tells the sender in a notice, and whether its DENY counts as a strike. */
export interface RuleSettings {
  /** Never the blocked term or the list: "it contains language this channel does not allow". */
  publicReason: string;
  strike: boolean;
}

export type EscalationAction = 'HOLD' | 'BAN';

export interface EscalationStep {
  /** At least this many strikes that still count … */
  strikes: number;
  /** … recorded within this long (seconds) … */
  withinSeconds: number;
  /** … hold every message of the sender for review, or ban them … */
  action: EscalationAction;
  /** … for this long (seconds). */
  forSeconds: number;
  /** BAN: this channel (CreateChannelBan) or every channel of the AppInstance. */
  scope: 'channel' | 'app-instance';
  /** Tell the sender (a `restriction` notice). */
  notify: boolean;
}

export interface NoticeSettings {
  enabled: boolean;
  /** `{reason}`, `{appealUrl}`, `{outcome}`, `{until}`, `{category}` are filled in; anything else in braces is left as written. */
  text: string;
}

export interface CommunityPolicy {
  /** By rule id (`terms.block`, `links.deny`, … and `moderator`, `expiry`, `escalation`): every rule has one. */
  rules: Record<string, RuleSettings>;
  reports: {
    categories: Record<ReportCategory, CategorySettings>;
    /** Per reporter: at most `max` reports within `withinSeconds` (each limit applies). */
    rateLimits: Array<{ max: number; withinSeconds: number }>;
    /** N distinct reporters within a window redact the message at once and mark the case urgent. Off unless set. */
    autoHide?: { reporters: number; withinSeconds: number };
    /** Tell reporters the outcome (a `reportOutcome` notice). */
    notifyReporter: boolean;
  };
  notices: Record<'deny' | 'update' | 'hold' | 'reportOutcome' | 'appealOutcome' | 'restriction' | 'warning', NoticeSettings> & {
    /** Filled into `{appealUrl}`; `{ref}` in it becomes the decision's reference (a CallbackId or a case id). */
    appealUrl: string;
  };
  appeals: {
    /** How long after a decision it can be appealed. */
    windowSeconds: number;
    /** How long an overturned DENY's exact content is allowed for its sender in its channel. */
    allowanceSeconds: number;
  };
  strikes: {
    /** How long a strike counts. */
    decaySeconds: number;
  };
  /** Steps, checked from the most strikes down: the first that matches applies. Empty: no escalation. */
  escalation: EscalationStep[];
  approvals: {
    /** A ban longer than this needs a second moderator's approval (the two-person rule). */
    banLongerThanSeconds: number;
    /** A ban across an AppInstance always needs one. */
    appInstanceBans: boolean;
  };
  /** The reason pickers of the console's forms. */
  cannedReasons: { deny: string[]; ban: string[]; case: string[]; appeal: string[] };
}

const MINUTE = 60;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** Every rule's public reason unless a policy says otherwise, and whether it strikes. */
export const DEFAULT_RULES: Record<string, RuleSettings> = {
  'sender.deny': { publicReason: 'you are not allowed to post in this channel', strike: false },
  'content.length': { publicReason: 'it is longer than this channel allows', strike: false },
  'metadata.malformed': { publicReason: 'it carries data this channel cannot accept', strike: false },
  'terms.block': { publicReason: 'it contains language this channel does not allow', strike: true },
  'terms.review': { publicReason: 'it needs a moderator to look at it first', strike: false },
  'links.deny': { publicReason: 'it links to a site this channel does not allow', strike: false },
  'links.unknown': { publicReason: 'it links to a site a moderator has to check first', strike: false },
  'pii.email': { publicReason: 'it contained an e-mail address, which was hidden', strike: false },
  'pii.phone': { publicReason: 'it contained a phone number, which was hidden', strike: false },
  'pii.card': { publicReason: 'it contained a card number, which was hidden', strike: false },
  'callback.limits': { publicReason: 'it needs a moderator to look at it first', strike: false },
  /** A moderator's DENY (their reason is for the audit log; this is what the sender reads). */
  moderator: { publicReason: 'a moderator found it breaks this channel’s rules', strike: true },
  /** Nobody decided in time and the expiry action applied. */
  expiry: { publicReason: 'it could not be reviewed in time', strike: false },
};

export const DEFAULT_COMMUNITY_POLICY: CommunityPolicy = {
  rules: DEFAULT_RULES,
  reports: {
    categories: {
      spam: { label: 'Spam', severity: 1, slaSeconds: DAY },
      harassment: { label: 'Harassment', severity: 3, slaSeconds: 4 * HOUR },
      hate: { label: 'Hate', severity: 4, slaSeconds: HOUR },
      sexual: { label: 'Sexual content', severity: 3, slaSeconds: 4 * HOUR },
      violence: { label: 'Violence or threats', severity: 4, slaSeconds: HOUR },
      'self-harm': { label: 'Self-harm', severity: 5, slaSeconds: 15 * MINUTE },
      scam: { label: 'Scam or fraud', severity: 2, slaSeconds: 4 * HOUR },
      other: { label: 'Something else', severity: 1, slaSeconds: DAY },
    },
    rateLimits: [
      { max: 10, withinSeconds: HOUR },
      { max: 50, withinSeconds: DAY },
    ],
    notifyReporter: true,
  },
  notices: {
    deny: { enabled: true, text: 'Your message was not sent: {reason}. If you think this is a mistake, appeal: {appealUrl}' },
    update: { enabled: true, text: 'Your message was changed before it was sent: {reason}.' },
    hold: { enabled: false, text: 'Your message is waiting for a moderator: {reason}.' },
    reportOutcome: { enabled: true, text: 'Thank you for your report. A moderator reviewed it: {outcome}.' },
    appealOutcome: { enabled: true, text: 'Your appeal was reviewed: {outcome}. {reason}' },
    restriction: { enabled: true, text: 'Because of repeated rule breaks, {outcome} until {until}.' },
    warning: { enabled: true, text: 'A moderator asks you to keep to this channel’s rules: {reason}' },
    appealUrl: 'https://example.com/appeal?ref={ref}',
  },
  appeals: { windowSeconds: 14 * DAY, allowanceSeconds: DAY },
  strikes: { decaySeconds: 30 * DAY },
  escalation: [],
  approvals: { banLongerThanSeconds: DAY, appInstanceBans: true },
  cannedReasons: {
    deny: ['Spam or advertising', 'Harassment of another member', 'Hate speech', 'Personal information', 'Off-topic for this channel'],
    ban: ['Repeated spam', 'Harassment after a warning', 'Hate speech', 'Ban evasion'],
    case: ['Breaks the channel rules', 'Harassment', 'Spam', 'Not a violation'],
    appeal: ['The decision stands: the message breaks the rules', 'Overturned: the message was within the rules', 'Overturned: context shows it was not abuse'],
  },
};

/** `90s`, `15m`, `24h`, `7d` → seconds; undefined for anything else. */
export function parseDuration(text: string): number | undefined {
  const match = /^(\d{1,6})([smhd])$/.exec(text.trim());
  if (!match) return undefined;
  const n = Number(match[1]);
  return n * { s: 1, m: MINUTE, h: HOUR, d: DAY }[match[2] as 's' | 'm' | 'h' | 'd'];
}

/** Seconds → the shortest exact duration (`86400` → `1d`). */
export function formatDuration(seconds: number): Duration {
  for (const [unit, size] of [['d', DAY], ['h', HOUR], ['m', MINUTE]] as const) {
    if (seconds % size === 0 && seconds >= size) return `${seconds / size}${unit}`;
  }
  return `${seconds}s`;
}

/**
 * A notice's text: `{name}` replaced by its value when `values` has it, left as written
 * otherwise. Values are inserted as they are, once (a value holding `{reason}` is not expanded).
 */
export function renderTemplate(template: string, values: Readonly<Record<string, string>>): string {
  return template.replace(/\{([A-Za-z]+)\}/g, (whole, name: string) => (Object.hasOwn(values, name) ? values[name]! : whole));
}

/** The rule settings of the rules that fired, in order (a rule no policy names gets a plain default). */
export function ruleSettingsOf(policy: CommunityPolicy, ruleIds: readonly string[]): RuleSettings[] {
  return ruleIds.map((id) => policy.rules[id] ?? { publicReason: 'it breaks this channel’s rules', strike: false });
}

// ─── The effective settings of a merged document ───────────────────────────────────────────

/** The community sections as written (src/policy/schema.ts CommunityDocument): what this reads. */
type WrittenCommunity = import('./schema.js').CommunityDocument;

const secondsOr = (text: string | undefined, fallback: number): number => (text === undefined ? fallback : (parseDuration(text) ?? fallback));

type NoticeKey = Exclude<keyof CommunityPolicy['notices'], 'appealUrl'>;
const NOTICE_KEYS = Object.keys(DEFAULT_COMMUNITY_POLICY.notices).filter((k): k is NoticeKey => k !== 'appealUrl');
const CANNED_KINDS = ['deny', 'ban', 'case', 'appeal'] as const;

/**
 * The community policy of a merged document (src/policy/merge.ts `MergedPolicy.community`, or a
 * single validated document such as POLICY_FILE), every default applied and every duration in
 * seconds, frozen. Pure. A setting nobody wrote has DEFAULT_COMMUNITY_POLICY's value; a list a scope
 * writes (`rateLimits`, a canned-reasons list, `escalation`) stands instead of the default's.
 */
export function communityPolicyOf(document: WrittenCommunity): CommunityPolicy {
  const defaults = DEFAULT_COMMUNITY_POLICY;
  const written = document;

  const rules: Record<string, RuleSettings> = { ...defaults.rules };
  for (const [id, own] of Object.entries(written.rules ?? {})) {
    if (!own) continue;
    const base = defaults.rules[id] ?? ruleSettingsOf(defaults, [id])[0]!;
    rules[id] = { publicReason: own.publicReason ?? base.publicReason, strike: own.strike ?? base.strike };
  }

  const reports = written.reports ?? {};
  const categories = { ...defaults.reports.categories };
  for (const category of REPORT_CATEGORIES) {
    const own = reports.categories?.[category];
    if (!own) continue;
    const base = defaults.reports.categories[category];
    categories[category] = { label: own.label ?? base.label, severity: own.severity ?? base.severity, slaSeconds: secondsOr(own.sla, base.slaSeconds) };
  }
  const autoHide = reports.autoHide ? { reporters: reports.autoHide.reporters, withinSeconds: secondsOr(reports.autoHide.within, HOUR) } : undefined;

  const notices = { ...defaults.notices };
  for (const kind of NOTICE_KEYS) {
    const own = written.notices?.[kind];
    if (own === undefined) continue;
    const base = defaults.notices[kind];
    notices[kind] = own === false ? { enabled: false, text: base.text } : { enabled: own.enabled ?? base.enabled, text: own.text ?? base.text };
  }
  if (written.notices?.appealUrl !== undefined) notices.appealUrl = written.notices.appealUrl;

  const escalation = written.escalation
    ? written.escalation.map(
        (step): EscalationStep => ({
          strikes: step.strikes,
          withinSeconds: secondsOr(step.within, DAY),
          action: step.action,
          forSeconds: secondsOr(step.for, DAY),
          scope: step.action === 'BAN' ? (step.scope ?? 'channel') : 'channel',
          notify: step.notify ?? true,
        }),
      )
    : [];

  const canned = { ...defaults.cannedReasons };
  for (const kind of CANNED_KINDS) {
    const own = written.cannedReasons?.[kind];
    if (own !== undefined) canned[kind] = [...own];
  }

  // A fresh copy, frozen: the loaders hand one policy to every caller of a channel's chain.
  return deepFreeze(structuredClone({
    rules,
    reports: {
      categories,
      rateLimits: reports.rateLimits ? reports.rateLimits.map((limit) => ({ max: limit.max, withinSeconds: secondsOr(limit.within, HOUR) })) : defaults.reports.rateLimits.map((l) => ({ ...l })),
      ...(autoHide ? { autoHide } : {}),
      notifyReporter: reports.notifyReporter ?? defaults.reports.notifyReporter,
    },
    notices,
    appeals: {
      windowSeconds: secondsOr(written.appeals?.window, defaults.appeals.windowSeconds),
      allowanceSeconds: secondsOr(written.appeals?.allowance, defaults.appeals.allowanceSeconds),
    },
    strikes: { decaySeconds: secondsOr(written.strikes?.decay, defaults.strikes.decaySeconds) },
    escalation,
    approvals: {
      banLongerThanSeconds: secondsOr(written.approvals?.banLongerThan, defaults.approvals.banLongerThanSeconds),
      appInstanceBans: written.approvals?.appInstanceBans ?? defaults.approvals.appInstanceBans,
    },
    cannedReasons: canned,
  }));
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}
