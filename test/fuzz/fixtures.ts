/**
 * The fixed world the fuzz inputs aim at: one app instance, its channels and a sender, held
 * items with known CallbackIds (seeded before the run), and a policy document that is valid
 * everywhere. Known ids keep the generated inputs a function of the seed alone.
 */
export const APP_INSTANCE = 'arn:aws:chime:us-east-1:123456789012:app-instance/f0220000-0000-4000-8000-00000000f022';
export const CHANNEL = `${APP_INSTANCE}/channel/fuzz-general`;
export const SENDER = `${APP_INSTANCE}/user/fuzz-sender`;

/** PENDING_REVIEW items the run seeds (40 characters of [A-Za-z0-9], inside Chime's 32-64). */
export const PENDING_IDS = ['FuzzHeldItemAlpha000000000000000000000001', 'FuzzHeldItemBravo000000000000000000000002', 'FuzzHeldItemCharlie0000000000000000000003'] as const;

const day = 86_400_000;
const at = Date.now();
export const ISO_NOW = new Date(at).toISOString();
export const ISO_DAY_AGO = new Date(at - day).toISOString();

/** A valid policy document for a channel scope, with every section, so that every section can be broken. */
export const POLICY_DOCUMENT = {
  version: 1,
  description: 'fuzz baseline',
  mode: 'enforce',
  terms: { block: ['fuzzword'], review: ['maybe later'] },
  pii: { email: true, phone: false, card: true, action: 'UPDATE' },
  links: { allow: ['example.com'], deny: ['evil.example'], unknown: 'REVIEW' },
  content: { maxLength: 500, action: 'REVIEW' },
  metadata: { requireJson: true, maxBytes: 512, action: 'REVIEW' },
  senders: { allow: [], deny: [`${APP_INSTANCE}/user/spam*`] },
  // The community sections (src/policy/community.ts), each with every kind of field; thresholds
  // no fuzz run reaches (it must not ban or hide anything on its own).
  rules: { 'terms.block': { publicReason: 'it uses words this channel does not allow', strike: true } },
  reports: { categories: { spam: { label: 'Spam', severity: 2, sla: '4h' } }, rateLimits: [{ max: 10_000, within: '1h' }], autoHide: { reporters: 1000, within: '30m' }, notifyReporter: true },
  notices: { deny: { enabled: true, text: 'Not sent: {reason}' }, hold: false, appealUrl: 'https://example.com/appeal?ref={ref}' },
  appeals: { window: '14d', allowance: '1d' },
  strikes: { decay: '30d' },
  escalation: [{ strikes: 1000, within: '1h', action: 'BAN', for: '1h', scope: 'channel', notify: true }],
  approvals: { banLongerThan: '1d', appInstanceBans: true },
  cannedReasons: { deny: ['Spam'], ban: ['Ban evasion'], case: ['Not a violation'], appeal: ['Upheld'] },
};

/** Strings that satisfy the documented patterns, tried in order when a request must be made up from a schema. */
export const SAMPLE_STRINGS: readonly string[] = [PENDING_IDS[0], CHANNEL, SENDER, APP_INSTANCE, ISO_NOW, 'fuzz-message-1', 'terms.review', 'FAILED', 'fuzz'];
