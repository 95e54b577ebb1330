import { loadReviewApiSettings } from '../config.js';
import { localEndpoints } from './discovery.js';
import { loadLocalIssuer } from './issuer.js';
import { parseCommandLine } from './command-line.js';
import { memberClaims } from '../http/member.js';

/**
 * `npm run --silent token -- --user alice --groups moderators [--ttl 3600] [--sub <subject>]`
 * `npm run --silent token -- --user carol --groups '' --member-arn <AppInstanceUser ARN>` (a chat member)
 * prints a bearer token that the local review API (`npm start`) accepts: signed with the same
 * persisted key, for the same issuer and audience. Only the token goes to stdout, so
 * `TOKEN=$(npm run --silent token -- --user alice --groups moderators)` works.
 */
const usage = 'usage: npm run --silent token -- --user <name> [--groups moderators,admins] [--ttl <seconds>] [--sub <subject>] [--member-arn <AppInstanceUser ARN>]';

const { values } = parseCommandLine(
  {
    options: {
      user: { type: 'string', short: 'u' },
      groups: { type: 'string', short: 'g', default: 'moderators' },
      ttl: { type: 'string', default: '3600' },
      sub: { type: 'string' },
      'member-arn': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  },
  usage,
);
if (!values.user) {
  console.error(`--user is required\n${usage}`);
  process.exit(2);
}
const ttlSeconds = Number(values.ttl);
if (!Number.isInteger(ttlSeconds) || ttlSeconds < 1) {
  console.error(`--ttl must be a positive whole number of seconds\n${usage}`);
  process.exit(2);
}

// The same settings `npm start` uses (only the JWT ones matter here), and the issuer of the stack
// it is running now (.local/stack.json), so a token works whatever ports that stack was given.
const settings = loadReviewApiSettings({ ...process.env, CURSOR_SECRET: 'x'.repeat(32) });
const issuer = await loadLocalIssuer({
  issuer: localEndpoints().issuer,
  audience: settings.jwtAudience,
  groupsClaim: settings.groupsClaim,
});
const groups = (values.groups ?? '').split(',').map((g) => g.trim()).filter(Boolean);
// A chat member's token names their Chime member the way MEMBER_IDENTITY says the API reads it.
let member: { claims?: Record<string, string>; subject?: string } = {};
const memberArn = values['member-arn'];
if (memberArn !== undefined) {
  const named = memberClaims(memberArn, settings.members.rule);
  if (typeof named === 'string') {
    console.error(`--member-arn ${named}\n${usage}`);
    process.exit(2);
  }
  member = named;
}
const subject = values.sub ?? member.subject;
console.log(await issuer.mint({ user: values.user, groups, ttlSeconds, ...(subject ? { subject } : {}), ...(member.claims ? { claims: member.claims } : {}) }));
