/**
 * The `bedrock-guardrail` provider: Amazon Bedrock ApplyGuardrail on one guardrail id and version.
 *
 * Context: the request's `content` is the previous messages, oldest first, as plain text blocks,
 * then the message as a text block with the `guard_content` qualifier. When a request marks
 * blocks with guard_content, the guardrail judges those and reads the rest as context (the rule
 * Bedrock documents for guardContent in Converse; the local emulator applies it to
 * ApplyGuardrail). Should a guardrail judge the unqualified blocks as well, an earlier message
 * could make this one intervene: set `context: 0` for that guardrail in the policy if so.
 * `source` is INPUT (what a user wrote), and `outputScope` FULL, so every configured filter
 * answers its confidence, NONE included.
 *
 * Scores (src/classifiers/ports.ts): each content filter's confidence, NONE 0, LOW 1/3,
 * MEDIUM 2/3, HIGH 1 (the highest over the assessments), with the level in `levels`. Other
 * policies score 1 when they acted: `TOPIC:<name>` for a denied topic, `WORDS` for a custom or
 * managed word, `PII:<TYPE>` for sensitive information. `intervened` is the guardrail's action.
 *
 * Units: Bedrock bills each policy per text unit (up to 1,000 characters); `units` is the
 * largest of `usage`'s policy units (the text units the call processed), or ceil(characters /
 * 1,000) over the guarded text when `usage` says nothing.
 */
import { ApplyGuardrailCommand, type ApplyGuardrailCommandOutput, type BedrockRuntimeClient } from '@aws-sdk/client-bedrock-runtime';
import type { ClassifierProvider, ClassifyAnswer, ClassifyRequest } from '../classifiers/ports.js';
import { answerForSdkError, DEADLINE_PASSED, deadlineSignal, refused } from './classifier-failures.js';

type Level = 'NONE' | 'LOW' | 'MEDIUM' | 'HIGH';
export const CONFIDENCE_SCORE: Record<Level, number> = { NONE: 0, LOW: 1 / 3, MEDIUM: 2 / 3, HIGH: 1 };
const ORDER: readonly Level[] = ['NONE', 'LOW', 'MEDIUM', 'HIGH'];

export interface GuardrailRef {
  /** The guardrail's id or ARN. */
  id: string;
  /** A version number or DRAFT. */
  version: string;
}

/** Reads one ApplyGuardrail answer into scores and levels. */
export function readGuardrailAnswer(reply: Pick<ApplyGuardrailCommandOutput, 'action' | 'assessments' | 'usage'>): {
  scores: Record<string, number>;
  levels: Record<string, Level>;
  intervened: boolean;
  units: number | undefined;
} {
  const scores: Record<string, number> = {};
  const levels: Record<string, Level> = {};
  for (const a of reply.assessments ?? []) {
    for (const f of a.contentPolicy?.filters ?? []) {
      if (!f.type || !f.confidence || !(ORDER as readonly string[]).includes(f.confidence)) continue;
      const level = f.confidence as Level;
      if (levels[f.type] === undefined || ORDER.indexOf(level) > ORDER.indexOf(levels[f.type]!)) levels[f.type] = level;
      scores[f.type] = CONFIDENCE_SCORE[levels[f.type]!];
    }
    for (const t of a.topicPolicy?.topics ?? []) if (t.action === 'BLOCKED' || t.detected) scores[`TOPIC:${t.name}`] = 1;
    const words = [...(a.wordPolicy?.customWords ?? []), ...(a.wordPolicy?.managedWordLists ?? [])];
    if (words.some((w) => w.action === 'BLOCKED' || w.detected)) scores.WORDS = 1;
    for (const p of a.sensitiveInformationPolicy?.piiEntities ?? []) if (p.type && (p.action !== 'NONE' || p.detected)) scores[`PII:${p.type}`] = 1;
  }
  const u = reply.usage;
  const policyUnits = u ? [u.contentPolicyUnits, u.topicPolicyUnits, u.wordPolicyUnits, u.sensitiveInformationPolicyUnits, u.contextualGroundingPolicyUnits].map((n) => n ?? 0) : [];
  const units = policyUnits.length > 0 && Math.max(...policyUnits) > 0 ? Math.max(...policyUnits) : undefined;
  return { scores, levels, intervened: reply.action === 'GUARDRAIL_INTERVENED', units };
}

export class BedrockGuardrailProvider implements ClassifierProvider {
  readonly kind = 'bedrock-guardrail' as const;

  constructor(
    /** Built once by the caller with maxAttempts 1 (src/adapters/classifier-clients.ts): the stage retries, within the deadline. */
    private readonly client: BedrockRuntimeClient,
    private readonly guardrail: GuardrailRef,
    private readonly options: { now?: () => number } = {},
  ) {}

  get model(): string {
    return `guardrail:${this.guardrail.id}:${this.guardrail.version}`;
  }

  async classify(request: ClassifyRequest): Promise<ClassifyAnswer> {
    const now = this.options.now ?? Date.now;
    try {
      if (request.text === '') return refused('ValidationException', 'An empty message is not sent to the guardrail');
      const started = now();
      const deadline = deadlineSignal(request.answerBy, started);
      if (!deadline) return DEADLINE_PASSED;
      try {
        const reply = await this.client.send(
          new ApplyGuardrailCommand({
            guardrailIdentifier: this.guardrail.id,
            guardrailVersion: this.guardrail.version,
            source: 'INPUT',
            outputScope: 'FULL',
            content: [...request.context.filter((c) => c !== '').map((text) => ({ text: { text } })), { text: { text: request.text, qualifiers: ['guard_content'] } }],
          }),
          { abortSignal: deadline.signal },
        );
        const read = readGuardrailAnswer(reply);
        return {
          kind: 'SCORED',
          scores: read.scores,
          levels: read.levels,
          intervened: read.intervened,
          model: this.model,
          latencyMs: Math.max(0, now() - started),
          units: read.units ?? Math.max(1, Math.ceil([...request.text].length / 1000)),
        };
      } catch (error) {
        return answerForSdkError(error, deadline.fired());
      }
    } catch (error) {
      return { kind: 'UNAVAILABLE', reason: 'FAULT', message: `Unexpected error in the Bedrock adapter: ${error instanceof Error ? error.message : String(error)}` };
    }
  }
}
