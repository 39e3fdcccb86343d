import type { LoadMeasurement } from './measure.ts';
import { describeErrors, NOISE_THRESHOLD } from './report.ts';
import { mib, ms, pct, ratio, type Section, sectionConsole, sectionMarkdown } from './tables.ts';

/** One scenario run against both servers, Gatehouse first, in the same bench run. */
export interface ScenarioComparison {
  readonly title: string;
  /** What each request is and how the load is sent. */
  readonly load: string;
  readonly gatehouse: LoadMeasurement;
  readonly baseline: LoadMeasurement;
}

function rows(c: ScenarioComparison): string[][] {
  const { gatehouse: gh, baseline: base } = c;
  const row = (label: string, value: (m: LoadMeasurement) => string) => [label, value(gh), value(base)];
  return [
    ['', 'Gatehouse', 'Baseline'],
    row('requests (measured)', (m) => String(m.requests)),
    row('requests/s', (m) => m.requestsPerSecond.toFixed(0)),
    row('p50 latency (ms)', (m) => ms(m.p50Ms, 2)),
    row('p99 latency (ms)', (m) => ms(m.p99Ms, 2)),
    row('server CPU per request (ms)', (m) => ms(m.cpuMsPerRequest, 3)),
    ['PostgreSQL CPU per request (ms)', ms(gh.postgresCpuMsPerRequest, 3), '-'],
    row('peak RSS in this scenario (MiB)', (m) => mib(m.peakRssKb)),
    row('errors (measured / warm-up)', describeErrors),
    row('other processes CPU (% of one core)', (m) => pct(m.otherCpuShare)),
  ];
}

function ratioRows(c: ScenarioComparison): string[][] {
  const { gatehouse: gh, baseline: base } = c;
  const withPostgres =
    gh.postgresCpuMsPerRequest === undefined
      ? []
      : [
          [
            'server + PostgreSQL CPU per request',
            ratio(gh.cpuMsPerRequest + gh.postgresCpuMsPerRequest, base.cpuMsPerRequest),
          ],
        ];
  return [
    ['Gatehouse / baseline', 'ratio'],
    ['requests/s', ratio(gh.requestsPerSecond, base.requestsPerSecond)],
    ['server CPU per request', ratio(gh.cpuMsPerRequest, base.cpuMsPerRequest)],
    ...withPostgres,
    ['p50 latency', ratio(gh.p50Ms, base.p50Ms)],
    ['p99 latency', ratio(gh.p99Ms, base.p99Ms)],
    ['peak RSS', ratio(gh.peakRssKb, base.peakRssKb)],
  ];
}

function warnings(c: ScenarioComparison): string[] {
  return (
    [
      ['gatehouse', c.gatehouse],
      ['baseline', c.baseline],
    ] as const
  ).flatMap(([name, m]) => [
    ...(m.errors + m.warmupErrors > 0
      ? [`warning: ${name} answered ${m.errors + m.warmupErrors} requests with errors (see the table)`]
      : []),
    ...(m.otherCpuShare > NOISE_THRESHOLD
      ? [
          `warning: other processes used ${pct(m.otherCpuShare)} of a CPU while ${name} was measured; figures are noisy`,
        ]
      : []),
  ]);
}

function section(c: ScenarioComparison): Section {
  return { title: c.title, load: c.load, tables: [rows(c), ratioRows(c)], warnings: warnings(c) };
}

export const formatScenarioConsole = (c: ScenarioComparison) => sectionConsole(section(c));
export const formatScenarioMarkdown = (c: ScenarioComparison) => sectionMarkdown(section(c));
