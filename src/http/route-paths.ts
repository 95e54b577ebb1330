/*
 * Route path templates (`/reviews/{callbackId}`), for both API functions' apps and the local
 * gateway. Apart from the route tables, so that a function's bundle holds only its own table.
 */

/** `/reviews/{callbackId}` → `/reviews/:callbackId` (hono's syntax). */
export const toRouterPath = (path: string): string => path.replace(/\{([^}]+)\}/g, ':$1');

/** Matches a concrete path against a template, for 405 answers and the local gateway's routeKey. */
export const pathPattern = (path: string): RegExp => new RegExp(`^${path.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{[^}]+\}/g, '[^/]+')}$`);
