/**
 * A Serverless Framework plugin (serverless.yml `plugins`): the deadline rules of src/config.ts
 * (`deadlineProblems`), checked on the stage params when packaging, so `serverless package` and
 * `serverless deploy` stop with one line naming the param and the rule before anything reaches
 * AWS. The functions check the same rules again at every cold start.
 *
 * It also makes the sweeper's schedule the one source of its interval: SWEEP_INTERVAL_SECONDS
 * (every function's environment) is set from the `sweepSchedule` param's rate expression, and it
 * checks that the sweeper's schedules cover every shard group once (src/sweeper/sweep.ts
 * shardsOfGroup) with a reserved concurrency of one invocation per group.
 *
 * CommonJS because the framework loads plugins with require(); the rules themselves are the
 * TypeScript module's, loaded through tsx (a devDependency, like the framework itself).
 */
'use strict';

const { execFileSync } = require('node:child_process');
const path = require('node:path');

/** The stage param behind each variable the rules name. */
const PARAMS = {
  CALLBACK_WINDOW_SECONDS: 'callbackWindowSeconds',
  EXPIRY_MARGIN_SECONDS: 'expiryMarginSeconds',
  STUCK_AFTER_SECONDS: 'stuckAfterSeconds',
  RETENTION_DAYS: 'retentionDays',
  SWEEP_INTERVAL_SECONDS: 'sweepSchedule',
};

/** `rate(5 minutes)` → 300. EventBridge rate expressions: minute(s), hour(s), day(s). */
function rateSeconds(expression) {
  const match = /^rate\((\d+)\s+(minute|minutes|hour|hours|day|days)\)$/.exec(String(expression).trim());
  if (!match) return undefined;
  const unit = { minute: 60, minutes: 60, hour: 3600, hours: 3600, day: 86400, days: 86400 }[match[2]];
  return Number(match[1]) * unit;
}

/** The sweeper's schedule events as { rate, input }. */
function sweeperSchedules(service) {
  const sweeper = service.functions && service.functions.sweeper;
  if (!sweeper) return { sweeper: undefined, schedules: [] };
  const schedules = (sweeper.events || [])
    .filter((event) => event && event.schedule)
    .map((event) => ({ rate: [].concat(event.schedule.rate)[0], input: event.schedule.input || {} }));
  return { sweeper, schedules };
}

/** Everything wrong with the sweeper's fan-out, in words. */
function fanOutProblems(sweeper, schedules) {
  if (!sweeper) return [];
  const problems = [];
  const groups = schedules[0] && schedules[0].input.shardGroups;
  const seen = schedules.map((s) => s.input.shardGroup).sort((a, b) => a - b);
  if (!Number.isInteger(groups) || groups < 1) return ['the sweeper\'s schedules must each carry input { shardGroup, shardGroups }'];
  if (schedules.some((s) => s.input.shardGroups !== groups)) problems.push('every sweeper schedule must name the same shardGroups');
  if (seen.length !== groups || seen.some((group, i) => group !== i)) problems.push(`the sweeper needs one schedule per shard group 0..${groups - 1} (has ${JSON.stringify(seen)})`);
  if (new Set(schedules.map((s) => s.rate)).size > 1) problems.push('every sweeper schedule must use the same rate (sweepSchedule)');
  if (sweeper.reservedConcurrency !== undefined && Number(sweeper.reservedConcurrency) < groups) {
    problems.push(`the sweeper's reservedConcurrency (${sweeper.reservedConcurrency}) must be at least its ${groups} shard groups, or a group's sweep is throttled`);
  }
  return problems;
}

/**
 * The rules of src/config.ts on these variables, run by Node with tsx (the module is TypeScript,
 * and the framework's own process has no loader for it): one problem per line on stdout.
 */
function pipelineProblems(env) {
  const script = `
    import { parsePipelineSettings, deadlineProblems } from ${JSON.stringify(path.join(__dirname, '..', 'src', 'config.ts'))};
    const env = JSON.parse(process.argv[1]);
    let problems;
    try { problems = deadlineProblems(parsePipelineSettings(env)); } catch (error) { problems = [error.message.replace(/^Invalid configuration: /, '')]; }
    process.stdout.write(problems.join('\\n'));`;
  const out = execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script, JSON.stringify(env)], { encoding: 'utf8', cwd: path.join(__dirname, '..') });
  return out.split('\n').filter(Boolean);
}

class ConfigGuard {
  constructor(serverless) {
    this.serverless = serverless;
    this.hooks = { 'before:package:initialize': () => this.check() };
  }

  async check() {
    const { service } = this.serverless;
    const environment = service.provider.environment || (service.provider.environment = {});
    const { sweeper, schedules } = sweeperSchedules(service);
    const problems = fanOutProblems(sweeper, schedules);
    if (schedules.length > 0) {
      const seconds = rateSeconds(schedules[0].rate);
      if (seconds === undefined) problems.push(`sweepSchedule must be a rate expression such as rate(1 minute) (got "${schedules[0].rate}")`);
      else environment.SWEEP_INTERVAL_SECONDS = String(seconds);
    }
    // Params with a CloudFormation value (a !Ref, an !If) are not known here: the functions check them at cold start.
    const known = Object.fromEntries(Object.entries(environment).filter(([, value]) => typeof value === 'string' || typeof value === 'number').map(([k, v]) => [k, String(v)]));
    problems.push(...pipelineProblems(known));
    if (problems.length > 0) {
      // Name the stage param a person sets, beside the variable the functions read.
      const named = problems.map((problem) => problem.replace(/\b([A-Z][A-Z_]+) \(([^)]*)\)/g, (all, variable, value) => (PARAMS[variable] ? `${PARAMS[variable]} (${variable} = ${value})` : all)));
      throw new this.serverless.classes.Error(`Invalid stage params (serverless.yml params, or --param): ${named.join('; ')}`);
    }
  }
}

module.exports = ConfigGuard;
module.exports.rateSeconds = rateSeconds;
module.exports.fanOutProblems = fanOutProblems;
