/**
 * The REST bindings the emulator implements, exactly as the model declares them (method,
 * requestUri with its labels, and the query literal that tells operations on one path apart).
 */
import { badRequest } from './wire.js';

export type OperationName =
  | 'AssociateChannelFlow'
  | 'ChannelFlowCallback'
  | 'CreateChannel'
  | 'CreateChannelBan'
  | 'DescribeChannelBan'
  | 'CreateChannelFlow'
  | 'CreateChannelMembership'
  | 'DeleteChannelBan'
  | 'DeleteChannelFlow'
  | 'DeleteChannelMembership'
  | 'DeleteChannelMessage'
  | 'DescribeChannel'
  | 'DescribeChannelFlow'
  | 'DescribeChannelMembership'
  | 'DisassociateChannelFlow'
  | 'GetChannelMessage'
  | 'GetChannelMessageStatus'
  | 'ListChannelBans'
  | 'ListChannelFlows'
  | 'ListChannelMemberships'
  | 'ListChannelMembershipsForAppInstanceUser'
  | 'ListChannelMessages'
  | 'ListChannels'
  | 'ListChannelsAssociatedWithChannelFlow'
  | 'RedactChannelMessage'
  | 'SendChannelMessage'
  | 'UpdateChannelFlow'
  | 'UpdateChannelMessage';

type Label = 'channelArn' | 'messageId' | 'memberArn' | 'channelFlowArn';

interface Binding {
  op: OperationName;
  method: string;
  /** Literal segments, or `{label}`. */
  path: string[];
  /** The query literal of the requestUri (`?operation=redact`, `?scope=message-status`). */
  query?: { name: 'operation' | 'scope'; value: string };
}

const b = (op: OperationName, method: string, uri: string): Binding => {
  const [path, query] = uri.split('?');
  const binding: Binding = { op, method, path: path!.split('/').slice(1) };
  if (query) {
    const [name, value] = query.split('=') as ['operation' | 'scope', string];
    binding.query = { name, value };
  }
  return binding;
};

export const BINDINGS: readonly Binding[] = [
  b('CreateChannel', 'POST', '/channels'),
  b('ListChannels', 'GET', '/channels'),
  b('ListChannelsAssociatedWithChannelFlow', 'GET', '/channels?scope=channel-flow-associations'),
  b('ListChannelMembershipsForAppInstanceUser', 'GET', '/channels?scope=app-instance-user-memberships'),
  b('DescribeChannel', 'GET', '/channels/{channelArn}'),
  b('ChannelFlowCallback', 'POST', '/channels/{channelArn}?operation=channel-flow-callback'),
  b('AssociateChannelFlow', 'PUT', '/channels/{channelArn}/channel-flow'),
  b('DisassociateChannelFlow', 'DELETE', '/channels/{channelArn}/channel-flow/{channelFlowArn}'),
  b('SendChannelMessage', 'POST', '/channels/{channelArn}/messages'),
  b('ListChannelMessages', 'GET', '/channels/{channelArn}/messages'),
  b('GetChannelMessage', 'GET', '/channels/{channelArn}/messages/{messageId}'),
  b('GetChannelMessageStatus', 'GET', '/channels/{channelArn}/messages/{messageId}?scope=message-status'),
  b('UpdateChannelMessage', 'PUT', '/channels/{channelArn}/messages/{messageId}'),
  b('RedactChannelMessage', 'POST', '/channels/{channelArn}/messages/{messageId}?operation=redact'),
  b('DeleteChannelMessage', 'DELETE', '/channels/{channelArn}/messages/{messageId}'),
  b('CreateChannelMembership', 'POST', '/channels/{channelArn}/memberships'),
  b('ListChannelMemberships', 'GET', '/channels/{channelArn}/memberships'),
  b('DescribeChannelMembership', 'GET', '/channels/{channelArn}/memberships/{memberArn}'),
  b('DeleteChannelMembership', 'DELETE', '/channels/{channelArn}/memberships/{memberArn}'),
  b('CreateChannelBan', 'POST', '/channels/{channelArn}/bans'),
  b('ListChannelBans', 'GET', '/channels/{channelArn}/bans'),
  b('DescribeChannelBan', 'GET', '/channels/{channelArn}/bans/{memberArn}'),
  b('DeleteChannelBan', 'DELETE', '/channels/{channelArn}/bans/{memberArn}'),
  b('CreateChannelFlow', 'POST', '/channel-flows'),
  b('ListChannelFlows', 'GET', '/channel-flows'),
  b('DescribeChannelFlow', 'GET', '/channel-flows/{channelFlowArn}'),
  b('UpdateChannelFlow', 'PUT', '/channel-flows/{channelFlowArn}'),
  b('DeleteChannelFlow', 'DELETE', '/channel-flows/{channelFlowArn}'),
];

export interface Route {
  op: OperationName | 'Simulator' | 'Unknown';
  /** `GET /_simulator/…` for the simulator's own endpoints. */
  simulatorPath?: string;
  channelArn?: string;
  messageId?: string;
  memberArn?: string;
  channelFlowArn?: string;
}

function match(method: string, segments: string[], query: URLSearchParams): Route | undefined {
  for (const binding of BINDINGS) {
    if (binding.method !== method || binding.path.length !== segments.length) continue;
    // An operation without a query literal must not swallow one that has it (GET …/messages/{id}
    // and GET …/messages/{id}?scope=message-status share a path).
    if (binding.query ? query.get(binding.query.name) !== binding.query.value : query.has('operation') || query.has('scope')) continue;
    const route: Route = { op: binding.op };
    let ok = true;
    binding.path.forEach((part, i) => {
      const seg = segments[i]!;
      if (part.startsWith('{')) {
        if (seg === '') ok = false;
        route[part.slice(1, -1) as Label] = seg;
      } else if (part !== seg) {
        ok = false;
      }
    });
    if (ok) return route;
  }
  return undefined;
}

/**
 * The stock client percent-encodes every ARN label, so each path segment is one label. A human
 * with curl may leave the channel ARN (and a trailing member or flow ARN) unencoded; that is
 * accepted too.
 */
export function parseRoute(method: string, url: URL): Route {
  const raw = url.pathname;
  if (raw.startsWith('/_simulator/')) return { op: 'Simulator', simulatorPath: `${method} ${raw}` };
  let segments: string[];
  try {
    segments = raw.split('/').slice(1).map((s) => decodeURIComponent(s));
  } catch {
    throw badRequest('Malformed percent-encoding in the path');
  }
  const encoded = match(method, segments, url.searchParams);
  if (encoded) return encoded;

  const decoded = segments.join('/');
  const unencoded = /^channels\/(arn:[^/]*\/[^/]*\/channel\/[^/]*)(?:\/(.*))?$/.exec(decoded);
  if (unencoded) {
    const rest = unencoded[2] === undefined ? [] : unencoded[2].split('/');
    // A trailing ARN (…/bans/arn:…/user/bob) is one label.
    const arnAt = rest.findIndex((s) => s.startsWith('arn:'));
    const tail = arnAt < 0 ? rest : [...rest.slice(0, arnAt), rest.slice(arnAt).join('/')];
    const route = match(method, ['channels', unencoded[1]!, ...tail], url.searchParams);
    if (route) return route;
  }
  return { op: 'Unknown' };
}
