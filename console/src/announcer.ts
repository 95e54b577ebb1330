import { useEffect, useState } from 'preact/hooks';

/**
 * One polite live region for the whole app: outcomes ("Allowed. Next message opened.") are
 * announced to screen readers and shown as a toast.
 */
let message = '';
let serial = 0;
const listeners = new Set<() => void>();

export function announce(text: string): void {
  message = text;
  serial += 1;
  for (const listener of listeners) listener();
}

export function useAnnouncement(): { text: string; serial: number } {
  const [, setVersion] = useState(0);
  useEffect(() => {
    const listener = () => setVersion((v) => v + 1);
    listeners.add(listener);
    return () => listeners.delete(listener);
  }, []);
  return { text: message, serial };
}
