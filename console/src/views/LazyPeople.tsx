import type { ComponentProps } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { ApiError } from '../api/client';
import { ErrorState, Loading } from '../components/States';

/**
 * The people views (Reports, Appeals, Approvals, a sender's record) are loaded on first visit,
 * as one chunk, like the Policies page (LazyPolicies.tsx): the held messages' queue loads
 * without them (`npm run bench` prints both figures).
 */
type People = typeof import('../people/index');
let loaded: People | undefined;

function usePeople(): { people: People | undefined; error: ApiError | undefined; retry: () => void } {
  const [people, setPeople] = useState<People | undefined>(() => loaded);
  const [error, setError] = useState<ApiError>();
  const [attempt, setAttempt] = useState(0);
  useEffect(() => {
    if (people) return;
    let cancelled = false;
    import('../people/index')
      .then((module) => {
        loaded = module;
        if (!cancelled) setPeople(module);
      })
      .catch((e: unknown) => {
        if (!cancelled) setError(new ApiError(0, { status: 0, title: 'The page did not load', detail: String((e as Error).message ?? e) }));
      });
    return () => {
      cancelled = true;
    };
  }, [attempt]);
  return {
    people,
    error,
    retry: () => {
      setError(undefined);
      setAttempt((n) => n + 1);
    },
  };
}

function lazy<K extends keyof People>(name: K, what: string) {
  return function Lazy(props: ComponentProps<People[K]>) {
    const { people, error, retry } = usePeople();
    if (people) {
      // The props are the view's own (ComponentProps of the same export): only the union over K confuses the checker.
      const View = people[name] as unknown as (p: object) => preact.JSX.Element;
      return <View {...(props as object)} />;
    }
    if (error) return <ErrorState error={error} what={what} onRetry={retry} />;
    return <Loading what={what} />;
  };
}

export const LazyReports = lazy('ReportsView', 'the Reports page');
export const LazyAppeals = lazy('AppealsView', 'the Appeals page');
export const LazyApprovals = lazy('ApprovalsView', 'the Approvals page');
export const LazySender = lazy('SenderPage', 'the sender’s record');
