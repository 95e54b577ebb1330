/**
 * The emulator's HTTP server: routing, the wire plumbing, the fault knobs and the
 * `/_simulator/*` endpoints. The operations live in ops-*.ts, the state in store.ts and the
 * flow execution in processing.ts.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { randomUUID } from 'node:crypto';
import type { Ctx, Deps, Result } from './context.js';
import * as channels from './ops-channels.js';
import * as flows from './ops-flows.js';
import * as messages from './ops-messages.js';
import { FlowRunner } from './processing.js';
import { parseRoute, type OperationName, type Route } from './routes.js';
import { ChimeStore } from './store.js';
import {
  DEFAULT_PROCESSOR_ARN,
  ProcessorInvokeError,
  type ChimeSimulator,
  type ChimeSimulatorOptions,
  type FlowDefinition,
  type InvokeLambda,
  type RecordedCallback,
  type SimulatedChannel,
  type SimulatedFlow,
  type SimulatorFaults,
} from './types.js';
import { badRequest, isObject, notFound, SimError, validateMemberArn } from './wire.js';

const DEFAULT_FAULTS: SimulatorFaults = {
  callbackThrottleRate: 0,
  callbackUnavailableRate: 0,
  duplicateInvocations: 0,
  duplicateDelayMs: 139,
  invokeFailureRate: 0,
  callbackForbiddenRate: 0,
  loseAnswerRate: 0,
  loseSendAnswerRate: 0,
  sendTokenWindowMs: 0,
  sendAnswerDelayMs: 0,
};
const RATE_FAULTS = new Set<keyof SimulatorFaults>(['callbackThrottleRate', 'callbackUnavailableRate', 'invokeFailureRate', 'callbackForbiddenRate', 'loseAnswerRate', 'loseSendAnswerRate']);

/** The calls `loseAnswerRate` applies to: those our system makes that change something. */
const LOSABLE_OPERATIONS = new Set<OperationName>(['ChannelFlowCallback', 'CreateChannelBan', 'DeleteChannelBan', 'RedactChannelMessage', 'DeleteChannelMessage']);

const MAX_BODY_BYTES = 1024 * 1024;

const OPERATIONS: Record<OperationName, (d: Deps, ctx: Ctx) => Result> = {
  SendChannelMessage: messages.sendChannelMessage,
  UpdateChannelMessage: messages.updateChannelMessage,
  GetChannelMessage: messages.getChannelMessage,
  GetChannelMessageStatus: messages.getChannelMessageStatus,
  ListChannelMessages: messages.listChannelMessages,
  RedactChannelMessage: messages.redactChannelMessage,
  DeleteChannelMessage: messages.deleteChannelMessage,
  ChannelFlowCallback: messages.channelFlowCallback,
  CreateChannel: channels.createChannel,
  DescribeChannel: channels.describeChannel,
  ListChannels: channels.listChannels,
  CreateChannelMembership: channels.createChannelMembership,
  ListChannelMemberships: channels.listChannelMemberships,
  ListChannelMembershipsForAppInstanceUser: channels.listChannelMembershipsForAppInstanceUser,
  DescribeChannelMembership: channels.describeChannelMembership,
  DeleteChannelMembership: channels.deleteChannelMembership,
  CreateChannelBan: channels.createChannelBan,
  ListChannelBans: channels.listChannelBans,
  DescribeChannelBan: channels.describeChannelBan,
  DeleteChannelBan: channels.deleteChannelBan,
  CreateChannelFlow: flows.createChannelFlow,
  DescribeChannelFlow: flows.describeChannelFlow,
  ListChannelFlows: flows.listChannelFlows,
  UpdateChannelFlow: flows.updateChannelFlow,
  DeleteChannelFlow: flows.deleteChannelFlow,
  AssociateChannelFlow: flows.associateChannelFlow,
  DisassociateChannelFlow: flows.disassociateChannelFlow,
  ListChannelsAssociatedWithChannelFlow: flows.listChannelsAssociatedWithChannelFlow,
};

const clone = <T>(v: T): T => (v === undefined ? v : (structuredClone(v) as T));
const iso = (ms: number) => new Date(ms).toISOString();

/** The flow a channel created on first use gets when the caller only gave `invokeProcessor`. */
function legacyDefaultFlow(): FlowDefinition {
  return {
    name: 'default-flow',
    processors: [
      { Name: 'processor', ExecutionOrder: 1, FallbackAction: 'ABORT', Configuration: { Lambda: { ResourceArn: DEFAULT_PROCESSOR_ARN, InvocationType: 'ASYNC' } } },
    ],
  };
}

export async function startChimeSimulator(options: ChimeSimulatorOptions): Promise<ChimeSimulator> {
  const host = options.host ?? '127.0.0.1';
  const now = options.now ?? Date.now;
  const random = options.random ?? Math.random;
  const log = options.log ?? ((message: string, error?: unknown) => console.error(`[chime-simulator] ${message}`, error ?? ''));
  const strict = options.strict ?? false;
  let faults: SimulatorFaults = { ...DEFAULT_FAULTS };
  let recorded: RecordedCallback[] = [];

  const defaultFlow = options.defaultFlow !== undefined ? options.defaultFlow : options.invokeProcessor ? legacyDefaultFlow() : null;
  const store = new ChimeStore(strict, options.appInstanceAdmins ?? [], defaultFlow, now, options.userName ?? (() => undefined));

  const invoke: InvokeLambda = async (functionArn, event) => {
    if (options.invokeProcessor && functionArn === DEFAULT_PROCESSOR_ARN) {
      // Lambda has accepted the event; what the function does with it is its own business.
      try {
        await options.invokeProcessor(event);
      } catch (error) {
        log(`processor failed for CallbackId ${event.CallbackId}`, error);
      }
      return;
    }
    if (!options.invokeLambda) throw new ProcessorInvokeError('ResourceNotFoundException', `Function not found: ${functionArn}`);
    await options.invokeLambda(functionArn, event);
  };
  const runner = new FlowRunner({ store, invoke, faults: () => faults, random, log });
  const deps: Deps = { store, runner, windowMs: (options.callbackWindowSeconds ?? 172_800) * 1000, sendTokenWindowMs: () => faults.sendTokenWindowMs };

  function setFaults(f: Partial<SimulatorFaults>): void {
    const next = { ...faults };
    for (const key of Object.keys(DEFAULT_FAULTS) as Array<keyof SimulatorFaults>) {
      const v = f[key];
      if (v === undefined) continue;
      if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) throw badRequest(`fault ${key} must be a non-negative number`);
      if (RATE_FAULTS.has(key) && v > 1) throw badRequest(`fault ${key} must be between 0 and 1`);
      next[key] = key === 'duplicateInvocations' ? Math.floor(v) : v;
    }
    faults = next;
  }
  setFaults(options.faults ?? {});

  function allMessages() {
    const all = [...store.channels.values()].flatMap((c) => [...c.messages.values()]);
    return all.sort((a, b) => a.seq - b.seq).map(messages.snapshot);
  }

  function allChannels(): SimulatedChannel[] {
    return [...store.channels.values()]
      .sort((a, b) => a.seq - b.seq)
      .map((c) => ({
        channelArn: c.arn,
        name: c.name,
        mode: c.mode,
        privacy: c.privacy,
        implicit: c.implicit,
        ...(c.flowArn !== undefined ? { channelFlowArn: c.flowArn } : {}),
        members: [...c.members.keys()],
        moderators: [...c.moderators],
        bans: [...c.bans.keys()],
      }));
  }

  function allFlows(): SimulatedFlow[] {
    return [...store.flows.values()]
      .sort((a, b) => a.seq - b.seq)
      .map((f) => ({
        channelFlowArn: f.arn,
        appInstanceArn: f.appInstanceArn,
        name: f.name,
        processors: clone(f.processors),
        channels: store.channelsOfFlow(f.arn).map((c) => c.arn),
      }));
  }

  function addAdmin(arn: unknown): void {
    if (typeof arn !== 'string') throw badRequest('arn (an AppInstanceUser or AppInstanceBot ARN) is required');
    validateMemberArn(arn, 'arn');
    store.admins.add(arn);
  }

  function simulatorRoute(path: string, body: unknown): Result {
    switch (path) {
      case 'GET /_simulator/callbacks':
        return [200, clone(recorded)];
      case 'GET /_simulator/messages':
        return [200, allMessages()];
      case 'GET /_simulator/invocations':
        return [200, clone(runner.invoked)];
      case 'GET /_simulator/channels':
        return [200, allChannels()];
      case 'GET /_simulator/flows':
        return [200, allFlows()];
      case 'GET /_simulator/faults':
        return [200, { ...faults }];
      case 'POST /_simulator/faults':
        if (!isObject(body)) throw badRequest('The faults must be a JSON object');
        setFaults(body as Partial<SimulatorFaults>);
        return [200, { ...faults }];
      case 'GET /_simulator/app-instance-admins':
        return [200, [...store.admins]];
      case 'POST /_simulator/app-instance-admins':
        addAdmin(isObject(body) ? body.arn : undefined);
        return [200, [...store.admins]];
      default:
        throw notFound(`No simulator route ${path}`);
    }
  }

  function send(res: ServerResponse, status: number, body: unknown, extra: Record<string, string> = {}): void {
    const text = body === undefined ? '' : JSON.stringify(body);
    res.writeHead(status, {
      'content-type': 'application/json',
      'content-length': String(Buffer.byteLength(text)),
      'x-amzn-requestid': randomUUID(),
      ...extra,
    });
    res.end(text);
  }

  function sendError(res: ServerResponse, e: SimError): void {
    send(res, e.status, { Code: e.code, Message: e.message }, { 'x-amzn-errortype': `${e.code}Exception` });
  }

  function readBody(req: IncomingMessage): Promise<{ text: string; tooLarge: boolean }> {
    return new Promise((resolve, reject) => {
      const chunks: Buffer[] = [];
      let size = 0;
      let tooLarge = false;
      req.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > MAX_BODY_BYTES) {
          tooLarge = true; // keep draining so the client can read the answer
          chunks.length = 0;
        } else if (!tooLarge) {
          chunks.push(chunk);
        }
      });
      req.on('end', () => resolve({ text: tooLarge ? '' : Buffer.concat(chunks).toString('utf8'), tooLarge }));
      req.on('error', reject);
    });
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const method = req.method ?? 'GET';
    const url = new URL(req.url ?? '/', 'http://simulator');
    let route: Route = { op: 'Unknown' };
    let record: RecordedCallback | undefined;
    try {
      route = parseRoute(method, url);
      if (route.op === 'ChannelFlowCallback') {
        record = { receivedAt: iso(now()), callbackId: '', channelArn: route.channelArn!, deleteResource: false, channelMessage: undefined, outcome: { status: 0 } };
        recorded.push(record);
      }
      const { text, tooLarge } = await readBody(req);
      if (tooLarge) throw new SimError(413, 'BadRequest', `Request body exceeds ${MAX_BODY_BYTES} bytes`);
      let body: unknown;
      let malformed = false;
      if (text.trim() !== '') {
        try {
          body = JSON.parse(text);
        } catch {
          malformed = true;
        }
      }
      if (record) {
        if (isObject(body)) {
          if (typeof body.CallbackId === 'string') record.callbackId = body.CallbackId;
          record.deleteResource = body.DeleteResource === true;
          record.channelMessage = clone(body.ChannelMessage);
        }
        // Faults come before anything else and do not consume the CallbackId.
        if (faults.callbackThrottleRate > 0 && random() < faults.callbackThrottleRate) {
          throw new SimError(429, 'ThrottledClient', 'Rate exceeded (simulated fault)');
        }
        if (faults.callbackUnavailableRate > 0 && random() < faults.callbackUnavailableRate) {
          throw new SimError(503, 'ServiceUnavailable', 'Service unavailable (simulated fault)');
        }
        if (faults.callbackForbiddenRate > 0 && random() < faults.callbackForbiddenRate) {
          throw new SimError(403, 'Forbidden', 'User is not authorized to perform: chime:ChannelFlowCallback (simulated fault callbackForbiddenRate)');
        }
      }
      if (malformed) throw badRequest('Malformed JSON in the request body');
      let result: Result;
      if (route.op === 'Unknown') throw notFound(`The simulator does not implement ${method} ${url.pathname}${url.search}`);
      else if (route.op === 'Simulator') result = simulatorRoute(route.simulatorPath!, body);
      else result = OPERATIONS[route.op](deps, { req, url, body, route });
      if (record) record.outcome = { status: result[0] };
      const loseRate = route.op === 'SendChannelMessage' ? faults.loseSendAnswerRate : route.op !== 'Simulator' && LOSABLE_OPERATIONS.has(route.op) ? faults.loseAnswerRate : 0;
      if (loseRate > 0 && random() < loseRate) {
        // Applied above; the answer never arrives: the caller sees its connection reset.
        if (record) record.outcome = { status: result[0], answerLost: true };
        req.socket.destroy();
        return;
      }
      if (route.op === 'SendChannelMessage' && faults.sendAnswerDelayMs > 0) {
        // Applied above; the answer comes late (a caller may have given up on it by then).
        await new Promise((resolve) => setTimeout(resolve, faults.sendAnswerDelayMs));
        if (req.socket.destroyed) return;
      }
      send(res, result[0], result[1]);
    } catch (err) {
      const e = err instanceof SimError ? err : new SimError(500, 'ServiceFailure', err instanceof Error ? err.message : String(err));
      if (!(err instanceof SimError)) log(`internal error on ${method} ${url.pathname}`, err);
      if (record) record.outcome = { status: e.status, errorType: `${e.code}Exception` };
      if (!res.headersSent) sendError(res, e);
    } finally {
      if (record) options.onCallback?.(record);
    }
  }

  const sockets = new Set<Socket>();
  const server = createServer((req, res) => {
    void handle(req, res);
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 4000, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const endpoint = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  let closed = false;

  return {
    endpoint,
    port,
    strict,
    setFaults(f) {
      try {
        setFaults(f);
      } catch (e) {
        throw new Error(e instanceof Error ? e.message : String(e));
      }
    },
    faults: () => ({ ...faults }),
    callbacks: () => clone(recorded),
    messages: allMessages,
    channels: allChannels,
    flows: allFlows,
    invocations: () => clone(runner.invoked),
    addAppInstanceAdmin(arn) {
      try {
        addAdmin(arn);
      } catch (e) {
        throw new Error(e instanceof Error ? e.message : String(e));
      }
    },
    idle: () => runner.idle(),
    reset() {
      runner.cancelScheduled();
      store.reset();
      recorded = [];
      runner.invoked = [];
    },
    async close() {
      if (closed) return;
      closed = true;
      runner.close();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
        for (const s of sockets) s.destroy();
      });
    },
  };
}
