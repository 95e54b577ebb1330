/**
 * The `comprehend-toxicity` provider: Amazon Comprehend DetectToxicContent.
 *
 * Context: Comprehend reads segment order as context, so the request is the previous messages,
 * oldest first, then the message. The request must fit the service's limits (1–10 segments,
 * each at most 1 KB of UTF-8, 10 KB in all; src/local/comprehend/wire.ts cites the model):
 *   - the message is never cut: one longer than 1 KB (a Chime message may hold 4 KB) is sent
 *     as consecutive segments of at most 1 KB, split between characters, and its scores are the
 *     highest of its segments';
 *   - a context message longer than 1 KB keeps its LAST 1 KB (the part nearest the message);
 *   - empty context messages are left out (the model's CustomerInputString is min 1);
 *   - then the oldest context messages are dropped until there are at most 10 segments and
 *     10 KB in all.
 * Language: DetectToxicContent serves English only; the stage's pre-screen keeps other
 * languages away, and a call that reaches it anyway is REFUSED (UnsupportedLanguageException).
 *
 * Units (billing): 100-character units over all the segments sent, with a minimum of 3 units
 * (300 characters) per request.
 *
 * Scores: `Toxicity` (the overall score) and each label's score, for the message.
 */
import { DetectToxicContentCommand, type ComprehendClient } from '@aws-sdk/client-comprehend';
import type { ClassifierProvider, ClassifyAnswer, ClassifyRequest } from '../classifiers/ports.js';
import { answerForSdkError, DEADLINE_PASSED, deadlineSignal, refused } from './classifier-failures.js';

export const COMPREHEND_LIMITS = { segments: 10, segmentBytes: 1024, totalBytes: 10 * 1024 } as const;
export const COMPREHEND_MODEL = 'comprehend:DetectToxicContent';

const bytes = (s: string) => Buffer.byteLength(s, 'utf8');
const characters = (s: string) => [...s].length;

/** Consecutive pieces of at most `maxBytes` of UTF-8 each, split between code points. */
export function splitUtf8(text: string, maxBytes: number): string[] {
  const pieces: string[] = [];
  let current = '';
  let size = 0;
  for (const ch of text) {
    const n = bytes(ch);
    if (size + n > maxBytes) {
      pieces.push(current);
      current = '';
      size = 0;
    }
    current += ch;
    size += n;
  }
  if (current !== '') pieces.push(current);
  return pieces;
}

/** The last `maxBytes` of UTF-8 of a text, cut between code points. */
export function lastUtf8(text: string, maxBytes: number): string {
  if (bytes(text) <= maxBytes) return text;
  const points = [...text];
  let size = 0;
  let from = points.length;
  while (from > 0 && size + bytes(points[from - 1]!) <= maxBytes) {
    from -= 1;
    size += bytes(points[from]!);
  }
  return points.slice(from).join('');
}

/**
 * The segments of one request: kept context (oldest first), then the message's pieces. Returns
 * undefined when the message alone does not fit (more than 10 KB: not possible for a Chime
 * message, whose content is at most 4 KB).
 */
export function fitSegments(text: string, context: readonly string[]): { segments: string[]; messageSegments: number; contextKept: number } | undefined {
  const message = splitUtf8(text, COMPREHEND_LIMITS.segmentBytes);
  const messageBytes = bytes(text);
  if (message.length > COMPREHEND_LIMITS.segments || messageBytes > COMPREHEND_LIMITS.totalBytes) return undefined;
  const kept: string[] = [];
  let total = messageBytes;
  // Walk back from the newest context message; stop at the first that no longer fits.
  for (let i = context.length - 1; i >= 0; i -= 1) {
    const c = context[i]!;
    if (c === '') continue;
    const trimmed = lastUtf8(c, COMPREHEND_LIMITS.segmentBytes);
    const size = bytes(trimmed);
    if (kept.length + message.length + 1 > COMPREHEND_LIMITS.segments || total + size > COMPREHEND_LIMITS.totalBytes) break;
    kept.unshift(trimmed);
    total += size;
  }
  return { segments: [...kept, ...message], messageSegments: message.length, contextKept: kept.length };
}

/** Billing units of one request: 100-character units over all segments, 3 at least. */
export function comprehendUnits(segments: readonly string[]): number {
  const chars = segments.reduce((n, s) => n + characters(s), 0);
  return Math.max(3, Math.ceil(chars / 100));
}

export class ComprehendToxicityProvider implements ClassifierProvider {
  readonly kind = 'comprehend-toxicity' as const;

  constructor(
    /** Built once by the caller with maxAttempts 1 (src/adapters/classifier-clients.ts): the stage retries, within the deadline. */
    private readonly client: ComprehendClient,
    private readonly options: { languageCode?: 'en'; now?: () => number } = {},
  ) {}

  async classify(request: ClassifyRequest): Promise<ClassifyAnswer> {
    const now = this.options.now ?? Date.now;
    try {
      if (request.text === '') return refused('ValidationException', 'An empty message is not sent to Comprehend (TextSegment.Text is min 1)');
      const fit = fitSegments(request.text, request.context);
      if (!fit) return refused('TextSizeLimitExceededException', `The message is ${bytes(request.text)} bytes; DetectToxicContent takes at most ${COMPREHEND_LIMITS.totalBytes}`);
      const started = now();
      const deadline = deadlineSignal(request.answerBy, started);
      if (!deadline) return DEADLINE_PASSED;
      try {
        const reply = await this.client.send(
          new DetectToxicContentCommand({ LanguageCode: this.options.languageCode ?? 'en', TextSegments: fit.segments.map((Text) => ({ Text })) }),
          { abortSignal: deadline.signal },
        );
        const results = reply.ResultList ?? [];
        if (results.length !== fit.segments.length) {
          return { kind: 'UNAVAILABLE', reason: 'FAULT', message: `DetectToxicContent answered ${results.length} results for ${fit.segments.length} segments` };
        }
        const scores: Record<string, number> = { Toxicity: 0 };
        for (const result of results.slice(fit.contextKept)) {
          scores.Toxicity = Math.max(scores.Toxicity!, result.Toxicity ?? 0);
          for (const label of result.Labels ?? []) {
            if (label.Name === undefined) continue;
            scores[label.Name] = Math.max(scores[label.Name] ?? 0, label.Score ?? 0);
          }
        }
        return { kind: 'SCORED', scores, model: COMPREHEND_MODEL, latencyMs: Math.max(0, now() - started), units: comprehendUnits(fit.segments) };
      } catch (error) {
        return answerForSdkError(error, deadline.fired());
      }
    } catch (error) {
      // Never throws: anything unforeseen is no judgement, not a failed message.
      return { kind: 'UNAVAILABLE', reason: 'FAULT', message: `Unexpected error in the Comprehend adapter: ${error instanceof Error ? error.message : String(error)}` };
    }
  }
}
