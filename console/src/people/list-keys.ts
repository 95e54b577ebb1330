import { useEffect, useRef } from 'preact/hooks';
import { isShortcut } from '../hooks';
import { navigate } from '../router';

/**
 * j / k / Enter on a list of rows, as the held messages' queue has them: j and k move the
 * selection (and the focus) to the next or previous row, Enter opens the selected one. The row
 * that has the focus is the selected one. Rows carry `data-row-id`, their links `data-row-link`.
 */
export function useListKeys(props: { ids: string[]; selected: string | undefined; select: (id: string) => void; urlOf: (id: string) => string }) {
  const latest = useRef(props);
  latest.current = props;
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      const { ids, select, urlOf } = latest.current;
      if (!isShortcut(event) || ids.length === 0) return;
      const focused = (document.activeElement as HTMLElement | null)?.closest('[data-row-id]')?.getAttribute('data-row-id');
      const current = focused && ids.includes(focused) ? focused : latest.current.selected;
      const at = Math.max(0, ids.indexOf(current ?? ''));
      if (event.key === 'j' || event.key === 'k') {
        const next = ids[Math.min(ids.length - 1, Math.max(0, at + (event.key === 'j' ? 1 : -1)))]!;
        select(next);
        const link = document.querySelector<HTMLAnchorElement>(`[data-row-link="${CSS.escape(next)}"]`);
        link?.focus({ preventScroll: true });
        link?.scrollIntoView({ block: 'nearest' });
      } else if (event.key === 'Enter') {
        if ((event.target as HTMLElement).closest('a, button, summary, [role="button"], select, input, textarea')) return; // the focused control handles it
        const id = current ?? ids[0];
        if (id) navigate(urlOf(id));
      } else return;
      event.preventDefault();
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, []);
}

/** Keys on an open item (a case, an appeal): `keys` maps a key to what it does; nothing fires while `enabled()` is false. */
export function usePaneKeys(keys: Record<string, () => void>, enabled: boolean) {
  const latest = useRef({ keys, enabled });
  latest.current = { keys, enabled };
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      const { keys, enabled } = latest.current;
      if (!enabled || !isShortcut(event)) return;
      const run = keys[event.key];
      if (!run) return;
      event.preventDefault();
      run();
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, []);
}
