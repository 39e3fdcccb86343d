import { expect } from 'chai';
import { CSV_HEADER, csvCell, csvEvent, csvRow } from '../../../src/audit/audit-csv.ts';

describe('audit CSV', () => {
  it('starts with the header row', () => {
    expect(CSV_HEADER).to.equal(
      'id,occurred_at,action,outcome,reason,actor_type,actor_id,user_id,app_id,ip,user_agent,request_id,details\r\n',
    );
  });

  it('quotes fields with commas, quotes, CR or LF (RFC 4180) and leaves the rest bare', () => {
    expect(csvCell('plain')).to.equal('plain');
    expect(csvCell('a,b')).to.equal('"a,b"');
    expect(csvCell('say "hi"')).to.equal('"say ""hi"""');
    expect(csvCell('line\nbreak')).to.equal('"line\nbreak"');
    expect(csvCell('carriage\rreturn')).to.equal('"carriage\rreturn"');
    expect(csvCell(undefined)).to.equal('');
    expect(csvCell('')).to.equal('');
  });

  it('defuses cells a spreadsheet would run as a formula', () => {
    expect(csvCell('=1+1')).to.equal("'=1+1");
    expect(csvCell('+1')).to.equal("'+1");
    expect(csvCell('-1')).to.equal("'-1");
    expect(csvCell('@SUM(A1)')).to.equal("'@SUM(A1)");
    expect(csvCell('\tx')).to.equal("'\tx");
    expect(csvCell('\rx')).to.equal('"\'\rx"');
    expect(csvCell('=HYPERLINK("http://evil","x")')).to.equal('"\'=HYPERLINK(""http://evil"",""x"")"');
    expect(csvCell('a=b')).to.equal('a=b');
  });

  it('ends every record with CRLF', () => {
    expect(csvRow(['a', undefined, 'c'])).to.equal('a,,c\r\n');
  });

  it('writes an event in column order with ISO time and JSON details', () => {
    const line = csvEvent({
      id: '42',
      occurredAt: new Date('2026-03-04T05:06:07.089Z'),
      action: 'sign_in',
      outcome: 'failure',
      reason: 'invalid_password',
      userId: '6f1c3a52-9d1e-4c3b-8a57-0e2f4b7d9c10',
      details: { method: 'password', attempts: 2 },
    });
    expect(line).to.equal(
      '42,2026-03-04T05:06:07.089Z,sign_in,failure,invalid_password,,,6f1c3a52-9d1e-4c3b-8a57-0e2f4b7d9c10,,,,,' +
        '"{""method"":""password"",""attempts"":2}"\r\n',
    );
  });
});
