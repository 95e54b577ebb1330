/**
 * The Comprehend emulator's server: the JSON 1.1 wire, faults and quota in front of
 * DetectToxicContent, and the `/_emulator/*` endpoints. Scores come from a fixture when a
 * segment equals one, otherwise from the development lexicon (src/local/classifier-lexicon.ts).
 */
import type { IncomingMessage } from 'node:http';
import { comprehendScores, TOXIC_LABELS, type ToxicLabel } from '../classifier-lexicon.js';
import {
  ControlError,
  EmulatorControls,
  isObject,
  isScore,
  json,
  notAControlRoute,
  sleep,
  startHttpEmulator,
  type ControlReply,
  type EmulatorFaults,
} from '../emulator-controls.js';
import { ComprehendError, JSON_11, parseDetectToxicContent, TARGET_PREFIX } from './wire.js';

export interface ComprehendFixture {
  text: string;
  toxicity: number;
  /** Labels not given score 0. */
  labels: Partial<Record<ToxicLabel, number>>;
}

export interface ComprehendCall {
  operation: string;
  /** The segments' texts, in the order received. */
  segments: string[];
  language: string | null;
  at: string;
  /** `OK`, or the error type answered (throttled calls are listed too). */
  outcome: string;
}

export interface ComprehendEmulatorOptions {
  /** 0 (the default) = an ephemeral port. */
  port?: number;
  host?: string;
  /** Requests per second admitted (sliding one-second window). Default 25. */
  quota?: number;
  faults?: Partial<EmulatorFaults>;
  fixtures?: ComprehendFixture[];
  /** The error a throttled call gets. Default TooManyRequestsException (see wire.ts). */
  throttleError?: 'TooManyRequestsException' | 'ThrottlingException';
  now?: () => number;
  random?: () => number;
  log?: (message: string, error?: unknown) => void;
}

export interface ComprehendEmulator {
  endpoint: string;
  port: number;
  calls(): ComprehendCall[];
  setFaults(faults: Partial<EmulatorFaults>): void;
  setQuota(requestsPerSecond: number): void;
  addFixture(fixture: ComprehendFixture): void;
  close(): Promise<void>;
}

const MAX_BODY_BYTES = 1024 * 1024;

export function parseFixture(body: unknown): ComprehendFixture {
  if (!isObject(body)) throw new ControlError('A fixture is a JSON object {text, toxicity, labels}');
  const { text, toxicity, labels } = body;
  if (typeof text !== 'string' || text === '') throw new ControlError('fixture text must be a non-empty string');
  if (!isScore(toxicity)) throw new ControlError('fixture toxicity must be a number from 0 to 1');
  const out: Partial<Record<ToxicLabel, number>> = {};
  if (labels !== undefined) {
    if (!isObject(labels)) throw new ControlError('fixture labels must be an object of label → score');
    for (const [name, score] of Object.entries(labels)) {
      if (!(TOXIC_LABELS as readonly string[]).includes(name)) throw new ControlError(`Unknown label ${name} (known: ${TOXIC_LABELS.join(', ')})`);
      if (!isScore(score)) throw new ControlError(`fixture label ${name} must be a number from 0 to 1`);
      out[name as ToxicLabel] = score;
    }
  }
  return { text, toxicity, labels: out };
}

export async function startComprehendEmulator(options: ComprehendEmulatorOptions = {}): Promise<ComprehendEmulator> {
  const now = options.now ?? Date.now;
  const random = options.random ?? Math.random;
  const throttleError = options.throttleError ?? 'TooManyRequestsException';
  const state = new EmulatorControls<ComprehendCall, ComprehendFixture>(parseFixture, { ...options, quotaWindow: 'sliding 1 s over admitted requests' });
  const { fixtures, quota } = state;

  function result(text: string) {
    const fixture = fixtures.get(text);
    if (fixture) {
      return { Labels: TOXIC_LABELS.map((Name) => ({ Name, Score: fixture.labels[Name] ?? 0 })), Toxicity: fixture.toxicity };
    }
    const scored = comprehendScores(text);
    return { Labels: TOXIC_LABELS.map((Name) => ({ Name, Score: scored.labels[Name] })), Toxicity: scored.toxicity };
  }

  function errorReply(e: ComprehendError): ControlReply {
    return json(e.status, { __type: e.type, Message: e.message }, { 'content-type': JSON_11 });
  }

  async function service(req: IncomingMessage, raw: Buffer): Promise<ControlReply> {
    const target = String(req.headers['x-amz-target'] ?? '');
    const operation = target.startsWith(TARGET_PREFIX) ? target.slice(TARGET_PREFIX.length) : target;
    let body: unknown;
    try {
      body = JSON.parse(raw.toString('utf8') || '{}');
    } catch {
      body = undefined;
    }
    const call: ComprehendCall = {
      operation,
      segments: isObject(body) && Array.isArray(body.TextSegments) ? body.TextSegments.map((s) => (isObject(s) && typeof s.Text === 'string' ? s.Text : '')) : [],
      language: isObject(body) && typeof body.LanguageCode === 'string' ? body.LanguageCode : null,
      at: new Date(now()).toISOString(),
      outcome: 'OK',
    };
    state.log(call);
    const faults = state.faults;
    if (faults.latencyMs > 0) await sleep(faults.latencyMs);
    try {
      if (req.method !== 'POST' || !target.startsWith(TARGET_PREFIX)) throw new ComprehendError('UnknownOperationException', `Unknown operation ${target || '(no X-Amz-Target)'}`);
      if (operation !== 'DetectToxicContent') throw new ComprehendError('UnknownOperationException', `The emulator implements DetectToxicContent only, not ${operation}`);
      if (faults.throttleRate > 0 && random() < faults.throttleRate) throw new ComprehendError(throttleError, 'Rate exceeded (emulated fault throttleRate)');
      if (faults.unavailableRate > 0 && random() < faults.unavailableRate) throw new ComprehendError('ServiceUnavailableException', 'Service unavailable (emulated fault unavailableRate)');
      if (!quota.admit(now())) throw new ComprehendError(throttleError, `Rate exceeded: more than ${quota.requestsPerSecond} requests per second`);
      if (body === undefined) throw new ComprehendError('SerializationException', 'Malformed JSON in the request body');
      const request = parseDetectToxicContent(body);
      return json(200, { ResultList: request.segments.map(result) }, { 'content-type': JSON_11 });
    } catch (e) {
      if (!(e instanceof ComprehendError)) throw e;
      call.outcome = e.type;
      return errorReply(e);
    }
  }

  const control = (method: string, name: string, body: unknown): ControlReply => state.control(method, name, body) ?? notAControlRoute(method, name);

  const http = await startHttpEmulator({
    port: options.port ?? 0,
    host: options.host ?? '127.0.0.1',
    name: 'comprehend-emulator',
    maxBodyBytes: MAX_BODY_BYTES,
    control,
    service,
    tooLarge: () => errorReply(new ComprehendError('TextSizeLimitExceededException', `Request body exceeds ${MAX_BODY_BYTES} bytes`)),
    ...(options.log ? { log: options.log } : {}),
  });

  return {
    endpoint: http.endpoint,
    port: http.port,
    calls: () => structuredClone(state.calls),
    setFaults: (f) => state.setFaults(f),
    setQuota: (rps) => state.setQuota(rps),
    addFixture: (f) => state.addFixture(f),
    close: () => http.close(),
  };
}
