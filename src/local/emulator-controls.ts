/**
 * What the classifier emulators (src/local/comprehend/, src/local/bedrock/) share: the fault
 * knobs, the request quota, the call log, and a small HTTP server that routes the plain-JSON
 * `/_emulator/*` endpoints next to the service's own wire.
 *
 * The quota is a SLIDING one-second window over the requests it admitted: a request is
 * admitted when fewer than `requestsPerSecond` requests were admitted in the 1,000 ms before
 * it, otherwise it is throttled. Throttled requests are not counted (AWS does not charge a
 * refused request against the rate either), so a steady caller above the rate gets exactly the
 * rate through, in any window of one second, and a burst after a quiet second gets the whole
 * quota at once, as a token bucket with a one-second burst would give it.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createHttp2Server, type Http2ServerRequest, type Http2ServerResponse, type Http2Session } from 'node:http2';
import { createServer as createNetServer, type AddressInfo, type Socket } from 'node:net';
import { readBody } from './read-body.js';

export interface EmulatorFaults {
  /** 0..1: fraction of requests answered with the service's throttling error before they are looked at. */
  throttleRate: number;
  /** 0..1: fraction of requests answered 503 ServiceUnavailableException. */
  unavailableRate: number;
  /** Delay before every answer, in ms (a caller's timeout can be shown with it). */
  latencyMs: number;
}

export const NO_FAULTS: EmulatorFaults = { throttleRate: 0, unavailableRate: 0, latencyMs: 0 };

export const DEFAULT_REQUESTS_PER_SECOND = 25;

/** The call log keeps the newest this many calls (`npm start` runs for hours). */
export const MAX_LOGGED_CALLS = 10_000;

/** Appends to a call log, dropping the oldest beyond MAX_LOGGED_CALLS. */
export function logCall<T>(calls: T[], call: T): void {
  calls.push(call);
  if (calls.length > MAX_LOGGED_CALLS) calls.splice(0, calls.length - MAX_LOGGED_CALLS);
}

/** A bad body on an `/_emulator/*` endpoint: answered 400 `{message}`. */
export class ControlError extends Error {}

export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function isScore(v: unknown): v is number {
  return typeof v === 'number' && Number.isFinite(v) && v >= 0 && v <= 1;
}

/** Merges a partial body into the faults; anything out of range is a ControlError and changes nothing. */
export function mergeFaults(current: EmulatorFaults, body: unknown): EmulatorFaults {
  if (!isObject(body)) throw new ControlError('The faults must be a JSON object');
  const next = { ...current };
  for (const key of Object.keys(body)) {
    if (!(key in NO_FAULTS)) throw new ControlError(`Unknown fault ${key} (known: throttleRate, unavailableRate, latencyMs)`);
    const v = body[key];
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) throw new ControlError(`fault ${key} must be a non-negative number`);
    if (key !== 'latencyMs' && v > 1) throw new ControlError(`fault ${key} must be between 0 and 1`);
    next[key as keyof EmulatorFaults] = v;
  }
  return next;
}

export function parseQuota(body: unknown): number {
  const rps = isObject(body) ? body.requestsPerSecond : undefined;
  if (typeof rps !== 'number' || !Number.isInteger(rps) || rps < 1) throw new ControlError('requestsPerSecond must be a positive integer');
  return rps;
}

/** The sliding one-second window described above. */
export class SlidingWindowQuota {
  private admitted: number[] = [];

  constructor(public requestsPerSecond: number) {}

  /** True when the request at `nowMs` is admitted (and then counted). */
  admit(nowMs: number): boolean {
    const from = nowMs - 1000;
    let drop = 0;
    while (drop < this.admitted.length && this.admitted[drop]! <= from) drop += 1;
    if (drop > 0) this.admitted = this.admitted.slice(drop);
    if (this.admitted.length >= this.requestsPerSecond) return false;
    this.admitted.push(nowMs);
    return true;
  }

  reset(): void {
    this.admitted = [];
  }
}

export interface ControlReply {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

export const json = (status: number, body: unknown, headers?: Record<string, string>): ControlReply => ({ status, body, ...(headers ? { headers } : {}) });

export interface HttpEmulator {
  endpoint: string;
  port: number;
  close(): Promise<void>;
}

/**
 * Starts an HTTP server. `/_emulator/*` requests go to `control(method, name, body)` (answers
 * `{message}` on a ControlError); everything else to `service(req, rawBody)`. Bodies larger
 * than `maxBodyBytes` are answered by `tooLarge()`.
 *
 * It speaks HTTP/1.1 and cleartext HTTP/2 (prior knowledge) on the same port, told apart by the
 * HTTP/2 connection preface: the stock Bedrock runtime client's default handler is HTTP/2
 * (the model says `h2: optional`), the other clients and curl use HTTP/1.1.
 */
export async function startHttpEmulator(options: {
  port: number;
  host: string;
  name: string;
  maxBodyBytes: number;
  control: (method: string, name: string, body: unknown) => ControlReply;
  service: (req: IncomingMessage, body: Buffer) => Promise<ControlReply>;
  tooLarge: () => ControlReply;
  log?: (message: string, error?: unknown) => void;
}): Promise<HttpEmulator> {
  const log = options.log ?? ((m: string, e?: unknown) => console.error(`[${options.name}] ${m}`, e ?? ''));
  const sockets = new Set<Socket>();
  const sessions = new Set<Http2Session>();

  function send(res: ServerResponse, reply: ControlReply): void {
    const text = reply.body === undefined ? '' : JSON.stringify(reply.body);
    try {
      res.writeHead(reply.status, { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(text)), 'x-amzn-requestid': crypto.randomUUID(), ...reply.headers });
      res.end(text);
    } catch {
      // The caller has gone (its timeout); nobody is left to answer.
    }
  }

  const onRequest = (req: IncomingMessage, res: ServerResponse) => {
    void (async () => {
      const url = new URL(req.url ?? '/', 'http://emulator');
      try {
        const raw = await readBody(req, options.maxBodyBytes);
        if (raw === undefined) return send(res, options.tooLarge());
        if (url.pathname.startsWith('/_emulator/')) {
          let body: unknown;
          try {
            body = raw.length === 0 ? undefined : JSON.parse(raw.toString('utf8'));
          } catch {
            return send(res, json(400, { message: 'Malformed JSON in the request body' }));
          }
          try {
            return send(res, options.control(req.method ?? 'GET', url.pathname.slice('/_emulator/'.length), body));
          } catch (e) {
            if (e instanceof ControlError) return send(res, json(400, { message: e.message }));
            throw e;
          }
        }
        const reply = await options.service(req, raw);
        send(res, reply); // (if the caller gave up while we waited, send() finds nobody to answer)
      } catch (error) {
        log(`internal error on ${req.method} ${url.pathname}`, error);
        if (!res.headersSent) send(res, json(500, { message: 'emulator internal error' }));
      }
    })();
  };
  const http1 = createServer(onRequest);
  const http2 = createHttp2Server((req: Http2ServerRequest, res: Http2ServerResponse) => onRequest(req as unknown as IncomingMessage, res as unknown as ServerResponse));
  http2.on('session', (session) => {
    sessions.add(session);
    session.on('close', () => sessions.delete(session));
  });
  const PREFACE = Buffer.from('PRI * HTTP/2.0');
  const server = createNetServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    // A caller that resets before its first byte must not take the emulator down.
    socket.on('error', () => undefined);
    socket.once('data', (first: Buffer) => {
      socket.pause();
      socket.unshift(first);
      const h2 = first.subarray(0, PREFACE.length).equals(PREFACE.subarray(0, Math.min(first.length, PREFACE.length)));
      // Both servers take the bytes already read from the socket's buffer.
      (h2 ? http2 : http1).emit('connection', socket);
      if (!h2) socket.resume();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  let closed = false;
  return {
    endpoint: `http://${options.host}:${port}`,
    port,
    async close() {
      if (closed) return;
      closed = true;
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        http1.closeAllConnections();
        for (const s of sessions) s.destroy();
        for (const s of sockets) s.destroy();
      });
    },
  };
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * What both classifier emulators keep and expose the same way: the calls received, the faults,
 * the quota and the fixtures (by the text they score), with the `/_emulator/{calls, fixtures,
 * faults, quota}` endpoints over them. An emulator adds its own endpoints (Bedrock: guardrails)
 * before these.
 */
export class EmulatorControls<Call, Fixture extends { text: string }> {
  calls: Call[] = [];
  faults: EmulatorFaults;
  readonly quota: SlidingWindowQuota;
  readonly fixtures = new Map<string, Fixture>();
  private readonly quotaWindow: string;

  constructor(
    private readonly parseFixture: (body: unknown) => Fixture,
    options: { quota?: number; faults?: Partial<EmulatorFaults>; fixtures?: readonly unknown[]; quotaWindow: string },
  ) {
    this.faults = mergeFaults(NO_FAULTS, options.faults ?? {});
    this.quota = new SlidingWindowQuota(options.quota ?? DEFAULT_REQUESTS_PER_SECOND);
    this.quotaWindow = options.quotaWindow;
    for (const f of options.fixtures ?? []) this.addFixture(f);
  }

  log(call: Call): void {
    logCall(this.calls, call);
  }

  addFixture(body: unknown): void {
    const fixture = this.parseFixture(body);
    this.fixtures.set(fixture.text, fixture);
  }

  setFaults(body: unknown): void {
    this.faults = mergeFaults(this.faults, body);
  }

  setQuota(requestsPerSecond: number): void {
    this.quota.requestsPerSecond = parseQuota({ requestsPerSecond });
    this.quota.reset();
  }

  /** The shared endpoints; undefined for a route that is not one of them. */
  control(method: string, name: string, body: unknown): ControlReply | undefined {
    switch (`${method} ${name}`) {
      case 'GET calls':
        return json(200, this.calls);
      case 'DELETE calls':
        this.calls = [];
        return json(200, []);
      case 'GET fixtures':
        return json(200, [...this.fixtures.values()]);
      case 'POST fixtures':
        for (const f of Array.isArray(body) ? body : [body]) this.addFixture(f);
        return json(200, [...this.fixtures.values()]);
      case 'DELETE fixtures':
        this.fixtures.clear();
        return json(200, []);
      case 'GET faults':
        return json(200, this.faults);
      case 'POST faults':
        this.setFaults(body);
        return json(200, this.faults);
      case 'GET quota':
        return json(200, { requestsPerSecond: this.quota.requestsPerSecond, window: this.quotaWindow });
      case 'POST quota':
        this.setQuota(parseQuota(body));
        return json(200, { requestsPerSecond: this.quota.requestsPerSecond, window: this.quotaWindow });
      default:
        return undefined;
    }
  }
}

export const notAControlRoute = (method: string, name: string): ControlReply => json(404, { message: `No emulator route ${method} /_emulator/${name}` });
