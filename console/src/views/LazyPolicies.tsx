import type { ComponentType } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { ApiError, type Api } from '../api/client';
import { ErrorState, Loading } from '../components/States';

export interface PoliciesPageProps {
  api: Api;
  /** From GET /me; undefined until it answers (the page treats the viewer as a reader meanwhile). */
  isAdmin: boolean | undefined;
  scope?: string | undefined;
  search: string;
}

/**
 * The Policies page is loaded on first visit, with its YAML parser and its diff, so the queue's
 * first load stays small (`npm run bench` prints both figures).
 */
let loaded: ComponentType<PoliciesPageProps> | undefined;

export function LazyPolicies(props: PoliciesPageProps) {
  const [Page, setPage] = useState<ComponentType<PoliciesPageProps> | undefined>(() => loaded);
  const [error, setError] = useState<ApiError>();
  const [attempt, setAttempt] = useState(0);
  useEffect(() => {
    if (Page) return;
    let cancelled = false;
    import('../policies/PoliciesPage')
      .then((module) => {
        loaded = module.PoliciesPage;
        if (!cancelled) setPage(() => module.PoliciesPage);
      })
      .catch((e: unknown) => {
        if (!cancelled) setError(new ApiError(0, { status: 0, title: 'The Policies page did not load', detail: String((e as Error).message ?? e) }));
      });
    return () => {
      cancelled = true;
    };
  }, [attempt]);
  if (Page) return <Page {...props} />;
  if (error)
    return (
      <ErrorState
        error={error}
        what="the Policies page"
        onRetry={() => {
          setError(undefined);
          setAttempt((n) => n + 1);
        }}
      />
    );
  return <Loading what="the Policies page" />;
}
