import type { AttemptKind, EnumerationResult } from './enumeration-bench.ts';
import { ms, ratio, type Section, sectionConsole, sectionMarkdown } from './tables.ts';

const statusList = (k: AttemptKind) => [...k.statuses].map(([status, n]) => `${n}× ${status}`).join(', ');
const lengthList = (k: AttemptKind) => [...k.bodyLengths].sort((a, b) => a - b).join(', ');

function rows(r: EnumerationResult): string[][] {
  const row = (label: string, value: (k: AttemptKind) => string) => [label, value(r.known), value(r.unknown)];
  return [
    ['', 'known email, wrong password', 'unknown email'],
    row('attempts', (k) => String(k.attempts)),
    row('status', statusList),
    row('page length (chars)', lengthList),
    row('POST p50 (ms)', (k) => ms(k.p50Ms, 1)),
    row('POST p90 (ms)', (k) => ms(k.p90Ms, 1)),
    row('POST mean (ms)', (k) => ms(k.meanMs, 1)),
    row('server CPU per attempt (ms)', (k) => ms(k.cpuMsPerAttempt, 1)),
  ];
}

function ratioRows(r: EnumerationResult): string[][] {
  return [
    ['unknown / known', 'ratio'],
    ['POST p50', ratio(r.unknown.p50Ms, r.known.p50Ms)],
    ['POST mean', ratio(r.unknown.meanMs, r.known.meanMs)],
    ['server CPU per attempt', ratio(r.unknown.cpuMsPerAttempt, r.known.cpuMsPerAttempt)],
  ];
}

function planLine(r: EnumerationResult): string {
  return (
    `failed password sign-ins one at a time (GET /auth → sign-in page → POST a wrong password), ` +
    `${r.rounds} rounds of ${r.perBlock} known-account and ${r.perBlock} unknown-email attempts in ` +
    'alternating order, same server and password cost as the sign-in benchmark, backoff raised out of the way'
  );
}

/** What an observer could tell apart: a different status or page, or a hash cost far off. */
function warnings(r: EnumerationResult): string[] {
  const out: string[] = [];
  const codes = (k: AttemptKind) => [...k.statuses.keys()].sort().join();
  if (codes(r.known) !== codes(r.unknown))
    out.push('warning: the two kinds answered with different statuses');
  if (lengthList(r.known) !== lengthList(r.unknown))
    out.push('warning: the two kinds got pages of different lengths');
  const cpu = r.unknown.cpuMsPerAttempt / r.known.cpuMsPerAttempt;
  if (cpu < 0.8 || cpu > 1.25) out.push(`warning: CPU per attempt differs by ${ratio(cpu, 1)}`);
  return out;
}

function section(r: EnumerationResult): Section {
  return {
    title: 'Account enumeration timing: known vs unknown email',
    load: planLine(r),
    tables: [rows(r), ratioRows(r)],
    warnings: warnings(r),
  };
}

export const formatEnumerationConsole = (r: EnumerationResult) => sectionConsole(section(r));
export const formatEnumerationMarkdown = (r: EnumerationResult) => sectionMarkdown(section(r));
