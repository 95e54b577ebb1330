import { useEffect, useRef } from 'preact/hooks';
import { PAGES } from '../lib/navigation';

export const SHORTCUTS: Array<[string, string]> = [
  ['j / k', 'Next / previous item in a queue (held messages, reports, appeals)'],
  ['Enter', 'Open the selected item (opening a message or a case claims it)'],
  ['a', 'Allow the open message; on a report case, Dismiss it (the message stays)'],
  ['d', 'Deny the open message; on a report case, Delete the message (each asks for a reason)'],
  ['e', 'Edit and allow the open message'],
  ['r', 'On a report case: Redact the message (asks for a reason)'],
  ['u / o', 'On an appeal: Uphold / Overturn (asks for a reason)'],
  ['x', 'Select or unselect the message for a bulk decision'],
  ['Ctrl+Enter', 'Confirm Edit and allow; on the Policies page, test the sample messages now'],
  ['Escape', 'Cancel a form or close this list'],
  ['?', 'Show this list'],
];

/** "g" then a letter: the pages. */
export const PAGE_SHORTCUTS: Array<[string, string]> = PAGES.map((p) => [`g ${p.key}`, p.title]);

/** The keyboard shortcuts, in a native modal dialog (focus is trapped; Escape closes it). */
export function ShortcutsDialog(props: { open: boolean; onClose: () => void }) {
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    if (props.open && !dialog.open) dialog.showModal();
    if (!props.open && dialog.open) dialog.close();
  }, [props.open]);
  return (
    <dialog ref={ref} class="dialog shortcuts-dialog" aria-labelledby="shortcuts-title" onClose={props.onClose}>
      <h2 id="shortcuts-title">Keyboard shortcuts</h2>
      <p>Everything works without a mouse. Shortcuts are off while you type in a field.</p>
      <div class="shortcut-tables">
        <KeyTable caption="Keys and what they do" head="Does" rows={SHORTCUTS} />
        <KeyTable caption="Go to a page: g, then a letter" head="Goes to" rows={PAGE_SHORTCUTS} visibleCaption />
      </div>
      <form method="dialog">
        <button type="submit" autofocus>
          Close
        </button>
      </form>
    </dialog>
  );
}

function KeyTable(props: { caption: string; head: string; rows: Array<[string, string]>; visibleCaption?: boolean }) {
  return (
    <table class="shortcuts">
      <caption class={props.visibleCaption ? 'shortcuts-caption' : 'visually-hidden'}>{props.caption}</caption>
      <thead>
        <tr>
          <th scope="col">Key</th>
          <th scope="col">{props.head}</th>
        </tr>
      </thead>
      <tbody>
        {props.rows.map(([key, what]) => (
          <tr key={key}>
            <td>
              <kbd>{key}</kbd>
            </td>
            <td>{what}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
