/**
 * The Bedrock runtime emulator's server: ApplyGuardrail's REST wire behind faults and the
 * quota, and the `/_emulator/*` endpoints (see index.ts).
 */
import type { IncomingMessage } from 'node:http';
import {
  EmulatorControls,
  json,
  notAControlRoute,
  sleep,
  startHttpEmulator,
  type ControlReply,
  type EmulatorFaults,
} from '../emulator-controls.js';
import { assess, parseGuardrailConfig, parseGuardrailFixture, type GuardrailConfig, type GuardrailFixture } from './guardrails.js';
import { BedrockError, matchApplyPath, parseApplyGuardrail } from './wire.js';

export interface BedrockCall {
  operation: string;
  guardrailIdentifier: string | null;
  guardrailVersion: string | null;
  source: string | null;
  /** The text blocks' texts, in the order received. */
  segments: string[];
  /** Each block's qualifiers, in the same order. */
  qualifiers: string[][];
  at: string;
  /** `OK`, or the error type answered (throttled calls are listed too). */
  outcome: string;
  /** The action answered, when OK. */
  action?: string;
}

export interface BedrockRuntimeEmulatorOptions {
  /** 0 (the default) = an ephemeral port. */
  port?: number;
  host?: string;
  guardrails?: GuardrailConfig[];
  /** Requests per second admitted (sliding one-second window). Default 25. */
  quota?: number;
  faults?: Partial<EmulatorFaults>;
  fixtures?: GuardrailFixture[];
  now?: () => number;
  random?: () => number;
  log?: (message: string, error?: unknown) => void;
}

export interface BedrockRuntimeEmulator {
  endpoint: string;
  port: number;
  calls(): BedrockCall[];
  setFaults(faults: Partial<EmulatorFaults>): void;
  setQuota(requestsPerSecond: number): void;
  putGuardrail(guardrail: GuardrailConfig): void;
  addFixture(fixture: GuardrailFixture): void;
  close(): Promise<void>;
}

const MAX_BODY_BYTES = 1024 * 1024;
const QUOTA_WINDOW = 'sliding 1 s over admitted requests';

export async function startBedrockRuntimeEmulator(options: BedrockRuntimeEmulatorOptions = {}): Promise<BedrockRuntimeEmulator> {
  const now = options.now ?? Date.now;
  const random = options.random ?? Math.random;
  const state = new EmulatorControls<BedrockCall, GuardrailFixture>(parseGuardrailFixture, { ...options, quotaWindow: QUOTA_WINDOW });
  const { fixtures, quota } = state;
  const guardrails = new Map<string, ReturnType<typeof parseGuardrailConfig>>();
  for (const g of options.guardrails ?? []) guardrails.set(g.id, parseGuardrailConfig(g));

  const errorReply = (e: BedrockError): ControlReply => json(e.status, { message: e.message }, { 'x-amzn-errortype': e.type });

  async function service(req: IncomingMessage, raw: Buffer): Promise<ControlReply> {
    const started = now();
    const url = new URL(req.url ?? '/', 'http://emulator');
    let body: unknown;
    try {
      body = JSON.parse(raw.toString('utf8') || '{}');
    } catch {
      body = undefined;
    }
    const b = typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : {};
    const blocks = Array.isArray(b.content) ? (b.content as Array<{ text?: { text?: unknown; qualifiers?: unknown } }>) : [];
    const labels = (() => {
      try {
        return matchApplyPath(url.pathname);
      } catch {
        return undefined;
      }
    })();
    const call: BedrockCall = {
      operation: labels ? 'ApplyGuardrail' : `${req.method} ${url.pathname}`,
      guardrailIdentifier: labels?.identifier ?? null,
      guardrailVersion: labels?.version ?? null,
      source: typeof b.source === 'string' ? b.source : null,
      segments: blocks.map((x) => (typeof x?.text?.text === 'string' ? x.text.text : '')),
      qualifiers: blocks.map((x) => (Array.isArray(x?.text?.qualifiers) ? (x.text.qualifiers as unknown[]).map(String) : [])),
      at: new Date(started).toISOString(),
      outcome: 'OK',
    };
    state.log(call);
    const faults = state.faults;
    if (faults.latencyMs > 0) await sleep(faults.latencyMs);
    try {
      if (req.method !== 'POST' || !labels) throw new BedrockError('UnknownOperationException', `The emulator implements ApplyGuardrail only, not ${req.method} ${url.pathname}`);
      if (faults.throttleRate > 0 && random() < faults.throttleRate) throw new BedrockError('ThrottlingException', 'Too many requests, please wait before trying again. (emulated fault throttleRate)');
      if (faults.unavailableRate > 0 && random() < faults.unavailableRate) throw new BedrockError('ServiceUnavailableException', 'Service unavailable (emulated fault unavailableRate)');
      if (!quota.admit(now())) throw new BedrockError('ThrottlingException', `Too many requests, please wait before trying again. (more than ${quota.requestsPerSecond} requests per second)`);
      if (body === undefined) throw new BedrockError('SerializationException', 'Malformed JSON in the request body');
      const request = parseApplyGuardrail(labels, body);
      const guardrail = guardrails.get(request.guardrailId);
      if (!guardrail || !guardrail.versions.includes(request.guardrailVersion)) {
        throw new BedrockError('ResourceNotFoundException', `The guardrail identifier or version provided in the request does not exist: ${request.guardrailIdentifier} version ${request.guardrailVersion}`);
      }
      const answer = assess(guardrail, request, fixtures, Math.max(0, now() - started));
      call.action = answer.action;
      return json(200, answer);
    } catch (e) {
      if (!(e instanceof BedrockError)) throw e;
      call.outcome = e.type;
      return errorReply(e);
    }
  }

  function control(method: string, name: string, body: unknown): ControlReply {
    switch (`${method} ${name}`) {
      case 'GET guardrails':
        return json(200, [...guardrails.values()]);
      case 'POST guardrails': {
        const list = (Array.isArray(body) ? body : [body]).map(parseGuardrailConfig);
        for (const g of list) guardrails.set(g.id, g);
        return json(200, [...guardrails.values()]);
      }
      default:
        return state.control(method, name, body) ?? notAControlRoute(method, name);
    }
  }

  const http = await startHttpEmulator({
    port: options.port ?? 0,
    host: options.host ?? '127.0.0.1',
    name: 'bedrock-runtime-emulator',
    maxBodyBytes: MAX_BODY_BYTES,
    control,
    service,
    tooLarge: () => errorReply(new BedrockError('ValidationException', `Request body exceeds ${MAX_BODY_BYTES} bytes`)),
    ...(options.log ? { log: options.log } : {}),
  });

  return {
    endpoint: http.endpoint,
    port: http.port,
    calls: () => structuredClone(state.calls),
    setFaults: (f) => state.setFaults(f),
    setQuota: (rps) => state.setQuota(rps),
    putGuardrail(g) {
      const parsed = parseGuardrailConfig(g);
      guardrails.set(parsed.id, parsed);
    },
    addFixture: (f) => state.addFixture(f),
    close: () => http.close(),
  };
}
