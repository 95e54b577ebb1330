import type { WorkMessage } from '../domain/item.js';
import type { ClassifierSettings } from '../policy/classifiers.js';
import { runClassifierStage, type ClassifierStageDeps } from '../classifiers/stage.js';
import type { WorkerVerdict } from './process.js';

/**
 * The classifier stage in the worker: after the rules (and inside the sender gate, so that the
 * moderation bot's notices and a banned member's messages are never sent to a classifier, and an
 * appeal's allowance still lets its exact content through), the classifiers of the channel's
 * applied policy judge the message, and their records join the verdict that is recorded.
 */
export interface WorkerClassifiers {
  /** The classifiers of a channel's applied policy (live policies: the same cached chain as the rules). */
  settingsFor(channelArn: string): readonly ClassifierSettings[] | Promise<readonly ClassifierSettings[]>;
  /** Providers, budget, breaker, context: built once per container. */
  stage: ClassifierStageDeps;
}

/** No answer is waited for past this long before the message's deadline (the sweeper's margin is far larger). */
const DEADLINE_GUARD_MS = 60_000;

export function classifyStep(classifiers: WorkerClassifiers): (work: WorkMessage, rules: WorkerVerdict) => Promise<WorkerVerdict> {
  return async (work, rules) => {
    const settings = await classifiers.settingsFor(work.message.channelArn);
    if (settings.length === 0) return rules;
    return runClassifierStage(classifiers.stage, { message: work.message, rules, classifiers: settings, latestAnswerBy: Date.parse(work.deadline) - DEADLINE_GUARD_MS });
  };
}
