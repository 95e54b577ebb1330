/**
 * Policy scopes: `global`, an app instance ARN, or a channel ARN. A message in channel C of app
 * instance A is judged by the chain global → A → C (broadest first); see merge.ts.
 */
import { APP_INSTANCE_ARN_PATTERN, CHANNEL_ARN_PATTERN as CHANNEL_SCOPE_PATTERN } from '../domain/arns.js';
import type { ScopeKind } from './schema.js';

export const GLOBAL_SCOPE = 'global';

/** Chime's ARNs are at most 1600 characters (the API model's ChimeArn). */
export const MAX_SCOPE_LENGTH = 1600;

/** The same ARNs intake accepts (src/domain/arns.ts): a scope no message can ever be in is refused. */
export { APP_INSTANCE_ARN_PATTERN, CHANNEL_SCOPE_PATTERN };

export interface Scope {
  /** `global` or the ARN, exactly as stored. */
  id: string;
  kind: ScopeKind;
}

/** The scope, or why the text is not one. */
export function parseScope(text: string): Scope | { problem: string } {
  if (text === GLOBAL_SCOPE) return { id: text, kind: 'global' };
  if (text.length > MAX_SCOPE_LENGTH) return { problem: `must be at most ${MAX_SCOPE_LENGTH} characters` };
  if (APP_INSTANCE_ARN_PATTERN.test(text)) return { id: text, kind: 'app-instance' };
  if (CHANNEL_SCOPE_PATTERN.test(text)) return { id: text, kind: 'channel' };
  return {
    problem:
      'must be `global`, an app instance ARN (arn:aws:chime:REGION:ACCOUNT:app-instance/ID) or a channel ARN (…:app-instance/ID/channel/ID), URL-encoded in the path',
  };
}

export const isScope = (value: Scope | { problem: string }): value is Scope => 'id' in value;

/** The app instance a channel belongs to (the ARN before `/channel/`). */
export function appInstanceOf(channelArn: string): string | undefined {
  const at = channelArn.lastIndexOf('/channel/');
  return at > 0 ? channelArn.slice(0, at) : undefined;
}

/**
 * The scopes that judge a message in `channelArn`, broadest first: global, its app instance,
 * the channel. A channel ARN that is not well formed is judged by global alone.
 */
export function scopeChainOf(channelArn: string): string[] {
  if (!CHANNEL_SCOPE_PATTERN.test(channelArn)) return [GLOBAL_SCOPE];
  return [GLOBAL_SCOPE, appInstanceOf(channelArn)!, channelArn];
}

/** The chain that ends at `scope` (what `GET /policies/{scope}?effective=true` merges). */
export function scopeChainTo(scope: Scope): string[] {
  switch (scope.kind) {
    case 'global':
      return [GLOBAL_SCOPE];
    case 'app-instance':
      return [GLOBAL_SCOPE, scope.id];
    case 'channel':
      return scopeChainOf(scope.id);
  }
}

/** Whether a message in `channelArn` is judged by `scope` (replay reads only those). */
export function scopeCovers(scope: Scope, channelArn: string): boolean {
  if (scope.kind === 'global') return true;
  if (scope.kind === 'channel') return channelArn === scope.id;
  return channelArn.startsWith(`${scope.id}/channel/`);
}
