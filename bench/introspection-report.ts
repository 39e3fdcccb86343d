import type { IntrospectionSample } from './introspection-request.ts';
import type { LoadMeasurement } from './measure.ts';
import { formatScenarioConsole, formatScenarioMarkdown, type ScenarioComparison } from './scenario-report.ts';

export interface IntrospectionResult {
  readonly concurrency: number;
  readonly opaqueResource: string;
  readonly gatehouse: LoadMeasurement & { sample: IntrospectionSample };
  readonly baseline: LoadMeasurement & { sample: IntrospectionSample };
}

function planLine(r: IntrospectionResult): string {
  return (
    `POST /token/introspection token=<opaque client-credentials token for ${r.opaqueResource}>, ` +
    `HTTP Basic auth as the token's own app, keep-alive to 127.0.0.1; concurrency ${r.concurrency}; ` +
    'each server introspects a token it issued (checked active, with the right client_id, before load); ' +
    'same servers, warm-up and measured time as the client-credentials benchmark, right after it'
  );
}

function comparison(r: IntrospectionResult): ScenarioComparison {
  return {
    title: 'Introspection benchmark (the legacy-app path)',
    load: planLine(r),
    gatehouse: r.gatehouse,
    baseline: r.baseline,
  };
}

export const formatIntrospectionConsole = (r: IntrospectionResult) => formatScenarioConsole(comparison(r));
export const formatIntrospectionMarkdown = (r: IntrospectionResult) => formatScenarioMarkdown(comparison(r));
