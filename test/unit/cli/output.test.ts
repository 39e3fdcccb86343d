import { expect } from 'chai';
import { createOutput, table } from '../../../src/cli/output.ts';

describe('table', () => {
  it('returns an empty string for no rows', () => {
    expect(table([])).to.equal('');
  });

  it('aligns columns to the widest cell, two spaces apart', () => {
    const text = table([
      ['ID', 'NAME', 'TYPE'],
      ['1', 'alpha', 'web'],
      ['22', 'b', 'service'],
    ]);
    expect(text).to.equal(['ID  NAME   TYPE', '1   alpha  web', '22  b      service'].join('\n'));
  });

  it('starts every column at the same offset on every line', () => {
    const lines = table([
      ['CLIENT ID', 'NAME'],
      ['app_0123456789', 'Billing'],
      ['x', 'Reporting'],
    ]).split('\n');
    const offsets = lines.map((line, index) => line.indexOf(['NAME', 'Billing', 'Reporting'][index] ?? ''));
    expect(offsets).to.deep.equal([16, 16, 16]);
  });

  it('trims trailing spaces from every line', () => {
    const text = table([
      ['NAME', 'NOTE'],
      ['a-long-name', ''],
      ['b', 'short'],
      ['c', ''],
    ]);
    expect(text).to.equal(['NAME         NOTE', 'a-long-name', 'b            short', 'c'].join('\n'));
    for (const line of text.split('\n')) expect(line).to.not.match(/\s$/);
  });

  it('does not pad a single column', () => {
    expect(table([['HEADER'], ['x'], ['longer']])).to.equal('HEADER\nx\nlonger');
  });

  it('treats a missing cell as empty', () => {
    expect(table([['A', 'B', 'C'], ['x'], ['yy', 'z', 'w']])).to.equal(
      ['A   B  C', 'x', 'yy  z  w'].join('\n'),
    );
  });
});

describe('createOutput', () => {
  function capture(run: () => void): string {
    const original = process.stdout.write;
    let written = '';
    process.stdout.write = ((chunk: string | Uint8Array) => {
      written += chunk.toString();
      return true;
    }) as typeof process.stdout.write;
    try {
      run();
    } finally {
      process.stdout.write = original;
    }
    return written;
  }

  it('writes the human text with --json off', () => {
    const output = createOutput(false);
    expect(output.json).to.equal(false);
    expect(capture(() => output.result({ id: 1 }, 'created app 1'))).to.equal('created app 1\n');
  });

  it('writes indented JSON with --json on', () => {
    const output = createOutput(true);
    expect(output.json).to.equal(true);
    const written = capture(() => output.result({ id: 1, names: ['a'] }, 'created app 1'));
    expect(written).to.equal(`${JSON.stringify({ id: 1, names: ['a'] }, null, 2)}\n`);
    expect(JSON.parse(written)).to.deep.equal({ id: 1, names: ['a'] });
  });
});
