/**
 * RFC 4180 CSV for the audit export. Cells that a spreadsheet would run as a formula (they start
 * with = + - @ or a tab/CR) get a leading apostrophe: the audit log is full of text that chat
 * users wrote, and opening an export must never execute it.
 */
const FORMULA = /^[=+\-@\t\r]/;

export function csvCell(value: unknown): string {
  let text = value === undefined || value === null ? '' : String(value);
  if (FORMULA.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

export function toCsv(header: readonly string[], rows: ReadonlyArray<readonly unknown[]>): string {
  return [header, ...rows].map((row) => row.map(csvCell).join(',')).join('\r\n') + '\r\n';
}

export interface AuditRow {
  decidedAt: string;
  origin: string;
  action: string;
  decidedBy: { id: string; name?: string | undefined };
  reason: string;
  ruleIds: string[];
  callbackId: string;
  channelArn: string;
  channelName?: string | undefined;
  messageId: string;
  sender: { arn: string; name?: string | undefined };
  original: { content: string; metadata?: string | undefined };
  update?: { content?: string | undefined } | undefined;
  status: string;
  deliveredAt?: string | undefined;
  /** DECISION, or ACTION (a ban, redaction or deletion in Chime: `status` is its outcome). */
  kind?: string | undefined;
  /** ACTION, FAILED: what Chime answered. */
  chimeError?: { type: string; message: string } | undefined;
}

export const AUDIT_CSV_HEADER = [
  'decidedAt',
  'origin',
  'action',
  'decidedBy',
  'decidedById',
  'reason',
  'ruleIds',
  'status',
  'deliveredAt',
  'channelName',
  'channelArn',
  'senderName',
  'senderArn',
  'messageId',
  'callbackId',
  'originalContent',
  'editedContent',
  'kind',
  'chimeError',
] as const;

export function auditCsv(entries: readonly AuditRow[]): string {
  return toCsv(
    AUDIT_CSV_HEADER,
    entries.map((e) => [
      e.decidedAt,
      e.origin,
      e.action,
      e.decidedBy.name ?? e.decidedBy.id,
      e.decidedBy.id,
      e.reason,
      e.ruleIds.join(' '),
      e.status,
      e.deliveredAt ?? '',
      e.channelName ?? '',
      e.channelArn,
      e.sender.name ?? '',
      e.sender.arn,
      e.messageId,
      e.callbackId,
      e.original.content,
      e.update?.content ?? '',
      e.kind ?? 'DECISION',
      e.chimeError ? `${e.chimeError.type}: ${e.chimeError.message}` : '',
    ]),
  );
}
