/**
 * Cursor-paged lists that are re-read as a whole: the first `pages` pages, one after another,
 * each with the previous page's cursor. What a list shows is then what the API says now (a case
 * decided elsewhere leaves, a new one appears), never a stale page glued to a fresh one. A row
 * met twice while the list moves under the cursors is shown once.
 */
export interface Page<T> {
  items: T[];
  next?: string | undefined;
}

export async function loadPages<T>(fetchPage: (cursor: string | undefined) => Promise<Page<T>>, pages: number, idOf: (item: T) => string): Promise<Page<T>> {
  const byId = new Map<string, T>();
  let cursor: string | undefined;
  for (let n = 0; n < pages; n++) {
    const page = await fetchPage(cursor);
    for (const item of page.items) if (!byId.has(idOf(item))) byId.set(idOf(item), item);
    cursor = page.next;
    if (!cursor) break;
  }
  return { items: [...byId.values()], next: cursor };
}
