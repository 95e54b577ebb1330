import type { ComponentChildren } from 'preact';
import { useRef } from 'preact/hooks';
import type { EditorProblem } from '../lib/policy-yaml';

/**
 * A plain textarea (every browser's editing, undo, selection and screen reader support; Tab
 * still leaves it) with line numbers, and each problem shown on its own line: the line is
 * tinted and the message written after it, in a layer drawn behind the text. Lines never wrap,
 * so the layer's lines are the textarea's lines; the two scroll together.
 */
export function YamlEditor(props: {
  id: string;
  label: string;
  value: string;
  problems: readonly EditorProblem[];
  describedBy: string;
  readOnly?: boolean;
  onInput: (text: string) => void;
  textareaRef?: { current: HTMLTextAreaElement | null };
}) {
  const own = useRef<HTMLTextAreaElement>(null);
  const textarea = props.textareaRef ?? own;
  const gutter = useRef<HTMLPreElement>(null);
  const backdrop = useRef<HTMLDivElement>(null);
  const lines = props.value.split('\n');
  const byLine = new Map<number, string[]>();
  for (const problem of props.problems) byLine.set(problem.line, [...(byLine.get(problem.line) ?? []), problem.message]);

  const sync = () => {
    const t = textarea.current;
    if (!t) return;
    if (gutter.current) gutter.current.scrollTop = t.scrollTop;
    if (backdrop.current) {
      backdrop.current.scrollTop = t.scrollTop;
      backdrop.current.scrollLeft = t.scrollLeft;
    }
  };

  // Plain stretches stay one text node each (a 100,000-line list stays cheap); problem lines get a mark.
  const layer: ComponentChildren[] = [];
  let buffer = '';
  lines.forEach((line, i) => {
    const newline = i < lines.length - 1 ? '\n' : '';
    const messages = byLine.get(i + 1);
    if (!messages) {
      buffer += line + newline;
      return;
    }
    if (buffer) layer.push(buffer);
    buffer = newline;
    layer.push(
      <mark key={i} class="editor-line-problem">
        {line}
        <span class="editor-inline-problem">{`   ◂ ${messages.join('; ')}`}</span>
      </mark>,
    );
  });
  if (buffer) layer.push(buffer);

  return (
    <div class="yaml-editor">
      <pre class="editor-gutter" ref={gutter} aria-hidden="true">
        {lines.map((_, i) => (byLine.has(i + 1) ? `${i + 1}▸` : `${i + 1}`)).join('\n')}
        {'\n\n'}
      </pre>
      <div class="editor-area">
        <div class="editor-backdrop" ref={backdrop} aria-hidden="true">
          {layer}
          {'\n\n'}
        </div>
        <textarea
          id={props.id}
          ref={textarea}
          class="editor-text"
          aria-label={props.label}
          aria-describedby={props.describedBy}
          aria-invalid={props.problems.length > 0 ? 'true' : undefined}
          wrap="off"
          spellcheck={false}
          autocomplete="off"
          autocapitalize="off"
          rows={16}
          readOnly={props.readOnly}
          value={props.value}
          onInput={(e) => {
            props.onInput(e.currentTarget.value);
            sync();
          }}
          onScroll={sync}
        />
      </div>
    </div>
  );
}

/** Puts the caret at the start of a line and scrolls it into view. */
export function goToLine(textarea: HTMLTextAreaElement, line: number): void {
  const lines = textarea.value.split('\n');
  const offset = lines.slice(0, Math.max(0, line - 1)).reduce((sum, l) => sum + l.length + 1, 0);
  textarea.focus();
  textarea.setSelectionRange(offset, offset);
  const lineHeight = parseFloat(getComputedStyle(textarea).lineHeight) || 20;
  textarea.scrollTop = Math.max(0, (line - 3) * lineHeight);
  textarea.dispatchEvent(new Event('scroll'));
}
