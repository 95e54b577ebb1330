import type { z } from 'zod';
import type { ReviewDeps } from './deps.js';
import type { Principal } from '../http/principal.js';
import type { Me } from './responses.js';

/**
 * The caller as the API sees them, with the clock rules every held message is on, so a client
 * can say "auto-DENY at 14:05" without knowing the deployment's settings.
 */
export function describeCaller(deps: ReviewDeps, principal: Principal): z.output<typeof Me> {
  return {
    subject: principal.subject,
    username: principal.username,
    groups: principal.groups,
    isAdmin: principal.isAdmin,
    expiryAction: deps.expiryAction,
    expiryMarginSeconds: deps.expiryMarginSeconds,
    callbackWindowSeconds: deps.callbackWindowSeconds,
  };
}
