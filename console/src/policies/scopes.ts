/**
 * Policy scopes as people read them: `global`, an app instance, a channel (their ARN's last
 * part), and the little helpers the Policies page shares.
 */
import { useEffect, useState } from 'preact/hooks';

export type ScopeKind = 'global' | 'app-instance' | 'channel';

export const kindOf = (scope: string): ScopeKind => (scope === 'global' ? 'global' : scope.includes('/channel/') ? 'channel' : 'app-instance');

const tail = (arn: string) => arn.slice(arn.lastIndexOf('/') + 1) || arn;

export function scopeLabel(scope: string): string {
  switch (kindOf(scope)) {
    case 'global':
      return 'Global';
    case 'app-instance':
      return `App instance ${tail(scope)}`;
    case 'channel':
      return `Channel ${tail(scope)}`;
  }
}

/** A source of a setting as seen from `here`: "this scope", "global", "app instance x", "default". */
export function sourceLabel(source: string, here: string): string {
  if (source === 'default') return 'default';
  if (source === 'unknown') return 'inherited';
  if (source === here) return 'this scope';
  return scopeLabel(source).replace(/^App/, 'app').replace(/^Channel/, 'channel').replace(/^Global/, 'global');
}

export type PolicyView = 'edit' | 'effective' | 'replay' | 'history';
export const VIEWS: Array<[PolicyView, string]> = [
  ['edit', 'Edit and test'],
  ['effective', 'Effective policy'],
  ['replay', 'Replay'],
  ['history', 'History'],
];

export function viewFrom(search: string): PolicyView {
  const view = new URLSearchParams(search).get('view');
  return VIEWS.some(([v]) => v === view) ? (view as PolicyView) : 'edit';
}

/** The value, once it has stopped changing for `ms`. */
export function useDebounced<T>(value: T, ms: number): T {
  const [settled, setSettled] = useState(value);
  useEffect(() => {
    if (Object.is(value, settled)) return;
    const timer = setTimeout(() => setSettled(value), ms);
    return () => clearTimeout(timer);
  }, [value, ms]);
  return settled;
}
