import type { IntrospectionSample } from './introspection-request.ts';
import type { LoadMeasurement } from './measure.ts';
import { describeErrors, NOISE_THRESHOLD } from './report.ts';
import { mib, ms, pct, ratio, type Section, sectionConsole, sectionMarkdown } from './tables.ts';

export interface IntrospectionResult {
  readonly concurrency: number;
  readonly opaqueResource: string;
  readonly gatehouse: LoadMeasurement & { sample: IntrospectionSample };
  readonly baseline: LoadMeasurement & { sample: IntrospectionSample };
}

function rows(r: IntrospectionResult): string[][] {
  const { gatehouse: gh, baseline: base } = r;
  const row = (label: string, value: (m: LoadMeasurement) => string) => [label, value(gh), value(base)];
  return [
    ['', 'Gatehouse', 'Baseline'],
    row('requests (measured)', (m) => String(m.requests)),
    row('requests/s', (m) => m.requestsPerSecond.toFixed(0)),
    row('p50 latency (ms)', (m) => ms(m.p50Ms, 2)),
    row('p99 latency (ms)', (m) => ms(m.p99Ms, 2)),
    row('server CPU per request (ms)', (m) => ms(m.cpuMsPerRequest, 3)),
    ['PostgreSQL CPU per request (ms)', ms(gh.postgresCpuMsPerRequest, 3), '-'],
    row('peak RSS, VmHWM (MiB)', (m) => mib(m.peakRssKb)),
    row('errors (measured / warm-up)', describeErrors),
    row('other processes CPU (% of one core)', (m) => pct(m.otherCpuShare)),
  ];
}

function ratioRows(r: IntrospectionResult): string[][] {
  return [
    ['Gatehouse / baseline', 'ratio'],
    ['requests/s', ratio(r.gatehouse.requestsPerSecond, r.baseline.requestsPerSecond)],
    ['server CPU per request', ratio(r.gatehouse.cpuMsPerRequest, r.baseline.cpuMsPerRequest)],
    ['p99 latency', ratio(r.gatehouse.p99Ms, r.baseline.p99Ms)],
  ];
}

function planLine(r: IntrospectionResult): string {
  return (
    `POST /token/introspection token=<opaque client-credentials token for ${r.opaqueResource}>, ` +
    `HTTP Basic auth as the token's own app, keep-alive to 127.0.0.1; concurrency ${r.concurrency}; ` +
    'each server introspects a token it issued (checked active, with the right client_id, before load); ' +
    'same servers, warm-up and measured time as the client-credentials benchmark, right after it'
  );
}

function warnings(r: IntrospectionResult): string[] {
  return (
    [
      ['gatehouse', r.gatehouse],
      ['baseline', r.baseline],
    ] as const
  ).flatMap(([name, m]) => [
    ...(m.errors + m.warmupErrors > 0
      ? [`warning: ${name} answered ${m.errors + m.warmupErrors} introspections with errors`]
      : []),
    ...(m.otherCpuShare > NOISE_THRESHOLD
      ? [
          `warning: other processes used ${pct(m.otherCpuShare)} of a CPU while ${name} introspected; figures are noisy`,
        ]
      : []),
  ]);
}

function section(r: IntrospectionResult): Section {
  return {
    title: 'Introspection benchmark (the legacy-app path)',
    load: planLine(r),
    tables: [rows(r), ratioRows(r)],
    warnings: warnings(r),
  };
}

export const formatIntrospectionConsole = (r: IntrospectionResult) => sectionConsole(section(r));
export const formatIntrospectionMarkdown = (r: IntrospectionResult) => sectionMarkdown(section(r));
