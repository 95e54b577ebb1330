import { useEffect, useRef } from 'preact/hooks';

export const SHORTCUTS: Array<[string, string]> = [
  ['j / k', 'Next / previous message in the queue'],
  ['Enter', 'Open the selected message (opening claims it)'],
  ['a', 'Allow the open message'],
  ['d', 'Deny the open message (asks for a reason)'],
  ['e', 'Edit and allow the open message'],
  ['x', 'Select or unselect the message for a bulk decision'],
  ['Ctrl+Enter', 'Confirm Edit and allow; on the Policies page, test the sample messages now'],
  ['Escape', 'Cancel a form or close this list'],
  ['?', 'Show this list'],
];

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
    <dialog ref={ref} class="dialog" aria-labelledby="shortcuts-title" onClose={props.onClose}>
      <h2 id="shortcuts-title">Keyboard shortcuts</h2>
      <p>Everything works without a mouse. Shortcuts are off while you type in a field.</p>
      <table class="shortcuts">
        <caption class="visually-hidden">Keys and what they do</caption>
        <thead>
          <tr>
            <th scope="col">Key</th>
            <th scope="col">Does</th>
          </tr>
        </thead>
        <tbody>
          {SHORTCUTS.map(([key, what]) => (
            <tr key={key}>
              <td>
                <kbd>{key}</kbd>
              </td>
              <td>{what}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <form method="dialog">
        <button type="submit" autofocus>
          Close
        </button>
      </form>
    </dialog>
  );
}
