import { describe, expect, it } from 'vitest';
import { auditCsv, csvCell, toCsv } from '../../../console/src/lib/csv.js';

describe('the audit CSV', () => {
  it('quotes what needs quoting (RFC 4180)', () => {
    expect(toCsv(['a', 'b'], [['plain', 'with, comma'], ['say "hi"', 'two\nlines']])).toBe('a,b\r\nplain,"with, comma"\r\n"say ""hi""","two\nlines"\r\n');
  });

  it('never lets a chat message become a spreadsheet formula', () => {
    expect(csvCell('=HYPERLINK("http://evil","x")')).toBe('"\'=HYPERLINK(""http://evil"",""x"")"');
    expect(csvCell('+1 555')).toBe("'+1 555");
    expect(csvCell('@SUM(A1)')).toBe("'@SUM(A1)");
    expect(csvCell('-2')).toBe("'-2");
  });

  it('writes one line per decision with who, what, why and the original message', () => {
    const csv = auditCsv([
      {
        decidedAt: '2026-01-31T12:00:00.000Z',
        origin: 'MODERATOR',
        action: 'DENY',
        decidedBy: { id: 'sub-1', name: 'alice' },
        reason: 'spam',
        ruleIds: ['terms.review', 'links.unknown'],
        callbackId: 'cb',
        channelArn: 'arn:ch',
        channelName: 'support',
        messageId: 'm1',
        sender: { arn: 'arn:u', name: 'mallory' },
        original: { content: 'cheap, refunds' },
        status: 'DELIVERED',
      },
    ]);
    const [header, line] = csv.split('\r\n');
    expect(header).toBe('decidedAt,origin,action,decidedBy,decidedById,reason,ruleIds,status,deliveredAt,channelName,channelArn,senderName,senderArn,messageId,callbackId,originalContent,editedContent,kind,chimeError');
    expect(line).toBe('2026-01-31T12:00:00.000Z,MODERATOR,DENY,alice,sub-1,spam,terms.review links.unknown,DELIVERED,,support,arn:ch,mallory,arn:u,m1,cb,"cheap, refunds",,DECISION,');
  });

  it('writes a follow-up action with its kind and, when Chime refused it, Chime’s answer', () => {
    const csv = auditCsv([
      {
        kind: 'ACTION',
        decidedAt: '2026-01-31T12:05:00.000Z',
        origin: 'MODERATOR',
        action: 'DELETE_MESSAGE',
        decidedBy: { id: 'sub-2', name: 'root' },
        reason: 'a PIN',
        ruleIds: [],
        callbackId: 'ACTION#1',
        channelArn: 'arn:ch',
        messageId: 'm2',
        sender: { arn: '' },
        original: { content: '' },
        status: 'FAILED',
        chimeError: { type: 'NotFoundException', message: 'Message m2 not found' },
      },
    ]);
    expect(csv.split('\r\n')[1]).toBe('2026-01-31T12:05:00.000Z,MODERATOR,DELETE_MESSAGE,root,sub-2,a PIN,,FAILED,,,arn:ch,,,m2,ACTION#1,,,ACTION,NotFoundException: Message m2 not found');
  });
});
