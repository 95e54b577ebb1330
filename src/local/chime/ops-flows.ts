/**
 * Channel flows as resources: Create/Describe/List/Update/DeleteChannelFlow, and
 * Associate/DisassociateChannelFlow and ListChannelsAssociatedWithChannelFlow.
 *
 * The flow APIs are "developer APIs" (no ChimeBearer: IAM alone decides who may call them);
 * associating and disassociating take a bearer who moderates the channel or is an admin.
 */
import { bearerOf, epochSeconds, requireObjectBody, type Ctx, type Deps, type Result } from './context.js';
import { rememberedCreate, validateTags } from './ops-channels.js';
import { paginate } from './paging.js';
import type { FlowRecord } from './store.js';
import type { ProcessorDefinition } from './types.js';
import {
  appInstanceOf,
  badRequest,
  checkLength,
  conflict,
  isObject,
  LIMITS,
  notFound,
  requiredString,
  validateAppInstanceArn,
  validateChannelArn,
  validateClientRequestToken,
  validateFlowArn,
  validateResourceName,
} from './wire.js';

/** Processors as CreateChannelFlow and UpdateChannelFlow take them, checked against the model. */
export function parseProcessors(v: unknown): ProcessorDefinition[] {
  if (!Array.isArray(v)) throw badRequest(`Processors is required: a list of ${LIMITS.processors.min} to ${LIMITS.processors.max} processors`);
  if (v.length < LIMITS.processors.min || v.length > LIMITS.processors.max) {
    throw badRequest(`Processors must hold ${LIMITS.processors.min} to ${LIMITS.processors.max} processors (got ${v.length})`);
  }
  const orders = new Set<number>();
  return v.map((p, i): ProcessorDefinition => {
    const at = `Processors[${i}]`;
    if (!isObject(p)) throw badRequest(`${at} must be an object`);
    const name = requiredString(p, 'Name');
    validateResourceName(name, `${at}.Name`);
    const order = p.ExecutionOrder;
    if (typeof order !== 'number' || !Number.isInteger(order) || order < LIMITS.executionOrder.min || order > LIMITS.executionOrder.max) {
      throw badRequest(`${at}.ExecutionOrder must be an integer from ${LIMITS.executionOrder.min} to ${LIMITS.executionOrder.max}`);
    }
    if (orders.has(order)) throw badRequest(`${at}.ExecutionOrder ${order} is used by another processor`);
    orders.add(order);
    if (p.FallbackAction !== 'CONTINUE' && p.FallbackAction !== 'ABORT') throw badRequest(`${at}.FallbackAction must be CONTINUE or ABORT`);
    const config = p.Configuration;
    if (!isObject(config) || !isObject(config.Lambda)) throw badRequest(`${at}.Configuration.Lambda is required`);
    const arn = config.Lambda.ResourceArn;
    if (typeof arn !== 'string') throw badRequest(`${at}.Configuration.Lambda.ResourceArn is required`);
    checkLength(arn, `${at}.Configuration.Lambda.ResourceArn`, LIMITS.lambdaArn);
    if (!LIMITS.lambdaArn.pattern.test(arn)) {
      throw badRequest(`${at}.Configuration.Lambda.ResourceArn ${JSON.stringify(arn)} is not a Lambda function ARN (arn:aws:lambda:REGION:ACCOUNT:function:NAME)`);
    }
    if (config.Lambda.InvocationType !== 'ASYNC') throw badRequest(`${at}.Configuration.Lambda.InvocationType must be ASYNC`);
    return { Name: name, ExecutionOrder: order, FallbackAction: p.FallbackAction, Configuration: { Lambda: { ResourceArn: arn, InvocationType: 'ASYNC' } } };
  });
}

function flowOfPath(d: Deps, ctx: Ctx): FlowRecord {
  const arn = ctx.route.channelFlowArn!;
  validateFlowArn(arn);
  return d.store.flow(arn);
}

export function createChannelFlow(d: Deps, ctx: Ctx): Result {
  const body = requireObjectBody(ctx.body);
  const appInstanceArn = requiredString(body, 'AppInstanceArn');
  validateAppInstanceArn(appInstanceArn);
  const name = requiredString(body, 'Name');
  validateResourceName(name, 'Name');
  const processors = parseProcessors(body.Processors);
  validateTags(body.Tags);
  const token = requiredString(body, 'ClientRequestToken');
  validateClientRequestToken(token);

  const { ClientRequestToken: _token, ...request } = body;
  const tokenKey = `flow\u0000${appInstanceArn}\u0000${token}`;
  const fingerprint = JSON.stringify(request);
  const remembered = rememberedCreate(d, tokenKey, fingerprint);
  if (remembered && d.store.flows.has(remembered)) return [201, { ChannelFlowArn: remembered }];
  const flow = d.store.createFlow(appInstanceArn, name, processors);
  d.store.createTokens.set(tokenKey, { fingerprint, arn: flow.arn });
  return [201, { ChannelFlowArn: flow.arn }];
}

export function describeChannelFlow(d: Deps, ctx: Ctx): Result {
  const flow = flowOfPath(d, ctx);
  return [
    200,
    {
      ChannelFlow: {
        ChannelFlowArn: flow.arn,
        Processors: structuredClone(flow.processors),
        Name: flow.name,
        CreatedTimestamp: epochSeconds(flow.createdMs),
        LastUpdatedTimestamp: epochSeconds(flow.lastUpdatedMs),
      },
    },
  ];
}

export function listChannelFlows(d: Deps, ctx: Ctx): Result {
  const q = ctx.url.searchParams;
  const appInstanceArn = q.get('app-instance-arn');
  if (appInstanceArn === null) throw badRequest('app-instance-arn (AppInstanceArn) is required');
  validateAppInstanceArn(appInstanceArn);
  const flows = [...d.store.flows.values()].filter((f) => f.appInstanceArn === appInstanceArn);
  const { page, nextToken } = paginate(flows, q, `flows\u0000${appInstanceArn}`);
  return [
    200,
    {
      ChannelFlows: page.map((f) => ({ ChannelFlowArn: f.arn, Name: f.name, Processors: structuredClone(f.processors) })),
      ...(nextToken ? { NextToken: nextToken } : {}),
    },
  ];
}

export function updateChannelFlow(d: Deps, ctx: Ctx): Result {
  const body = requireObjectBody(ctx.body);
  const name = requiredString(body, 'Name');
  validateResourceName(name, 'Name');
  const processors = parseProcessors(body.Processors);
  const flow = flowOfPath(d, ctx);
  flow.name = name;
  flow.processors = processors;
  flow.lastUpdatedMs = d.store.now();
  return [200, { ChannelFlowArn: flow.arn }];
}

export function deleteChannelFlow(d: Deps, ctx: Ctx): Result {
  const flow = flowOfPath(d, ctx);
  const channels = d.store.channelsOfFlow(flow.arn);
  if (channels.length > 0) {
    throw conflict(`Channel flow ${flow.arn} is associated with ${channels.length} channel(s); disassociate them first (ListChannelsAssociatedWithChannelFlow)`);
  }
  d.store.flows.delete(flow.arn);
  return [204, undefined];
}

export function associateChannelFlow(d: Deps, ctx: Ctx): Result {
  const channelArn = ctx.route.channelArn!;
  validateChannelArn(channelArn);
  const bearer = bearerOf(ctx, appInstanceOf(channelArn));
  const body = requireObjectBody(ctx.body);
  const flowArn = requiredString(body, 'ChannelFlowArn');
  validateFlowArn(flowArn);
  const c = d.store.channel(channelArn, 'NotFound', bearer);
  d.store.requireManager(c, bearer, 'associate a channel flow with this channel');
  const flow = d.store.flow(flowArn);
  if (flow.appInstanceArn !== c.appInstanceArn) throw badRequest(`Channel flow ${flowArn} belongs to another AppInstance than channel ${c.arn}`);
  if (c.flowArn === flowArn) return [200, undefined];
  if (c.flowArn !== undefined) throw conflict(`Channel ${c.arn} is already associated with channel flow ${c.flowArn}; disassociate it first`);
  c.flowArn = flowArn;
  c.lastUpdatedMs = d.store.now();
  return [200, undefined];
}

export function disassociateChannelFlow(d: Deps, ctx: Ctx): Result {
  const channelArn = ctx.route.channelArn!;
  validateChannelArn(channelArn);
  const bearer = bearerOf(ctx, appInstanceOf(channelArn));
  const flowArn = ctx.route.channelFlowArn!;
  validateFlowArn(flowArn);
  const c = d.store.channel(channelArn, 'NotFound', bearer);
  d.store.requireManager(c, bearer, 'disassociate a channel flow from this channel');
  if (c.flowArn === undefined) throw notFound(`Channel ${c.arn} has no channel flow`);
  if (c.flowArn !== flowArn) throw conflict(`Channel ${c.arn} is associated with channel flow ${c.flowArn}, not ${flowArn}`);
  delete c.flowArn;
  c.lastUpdatedMs = d.store.now();
  return [204, undefined];
}

export function listChannelsAssociatedWithChannelFlow(d: Deps, ctx: Ctx): Result {
  const q = ctx.url.searchParams;
  const flowArn = q.get('channel-flow-arn');
  if (flowArn === null) throw badRequest('channel-flow-arn (ChannelFlowArn) is required');
  validateFlowArn(flowArn);
  const flow = d.store.flow(flowArn);
  const { page, nextToken } = paginate(d.store.channelsOfFlow(flow.arn), q, `flow-channels\u0000${flow.arn}`);
  return [
    200,
    {
      Channels: page.map((c) => ({ Name: c.name, ChannelArn: c.arn, Mode: c.mode, Privacy: c.privacy, ...(c.metadata !== undefined ? { Metadata: c.metadata } : {}) })),
      ...(nextToken ? { NextToken: nextToken } : {}),
    },
  ];
}
