import type { IncomingMessage } from 'node:http';
import type { FlowRunner } from './processing.js';
import type { Route } from './routes.js';
import type { ChimeStore } from './store.js';
import { appInstanceOf, badRequest, BEARER_ARN, forbidden, isObject, validateArnLength } from './wire.js';

/** One request, parsed. */
export interface Ctx {
  req: IncomingMessage;
  url: URL;
  body: unknown;
  route: Route;
}

/** Status code and JSON body (undefined = no body). */
export type Result = [number, unknown];

export interface Deps {
  store: ChimeStore;
  runner: FlowRunner;
  /** How long a CallbackId can be used, in ms. */
  windowMs: number;
  /** How long SendChannelMessage remembers a ClientRequestToken, in ms (0: for ever); a fault, set at any time. */
  sendTokenWindowMs: () => number;
}

/** restJson1 serialises body timestamps as epoch seconds. */
export const epochSeconds = (ms: number) => ms / 1000;

export function requireObjectBody(body: unknown): Record<string, unknown> {
  if (body === undefined) return {};
  if (!isObject(body)) throw badRequest('The request body must be a JSON object');
  return body;
}

/** The `x-amz-chime-bearer` header: an AppInstanceUser or AppInstanceBot of this AppInstance. */
export function bearerOf(ctx: Ctx, appInstanceArn: string): string {
  const h = ctx.req.headers['x-amz-chime-bearer'];
  const bearer = Array.isArray(h) ? h[0] : h;
  if (!bearer) throw badRequest('ChimeBearer (header x-amz-chime-bearer) is required');
  validateArnLength(bearer, 'ChimeBearer');
  if (!BEARER_ARN.test(bearer)) {
    throw badRequest(`Invalid ChimeBearer ${JSON.stringify(bearer)}: expected arn:aws:chime:REGION:ACCOUNT:app-instance/ID/user/ID`);
  }
  if (appInstanceOf(bearer) !== appInstanceArn) throw forbidden("The ChimeBearer does not belong to the channel's AppInstance");
  return bearer;
}
