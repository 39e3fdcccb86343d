import fc from 'fast-check';
import { describeCase, type FuzzCase, type Live, sentStrings, toWire } from './fuzz-case.ts';
import { responseProblems } from './response-checks.ts';
import { snapshotState, stateChanges } from './state.ts';
import { type FuzzTarget, fuzzCases, surfaceFor } from './targets.ts';
import { sendRaw, type WireResponse } from './wire.ts';
import type { FuzzWorld } from './world.ts';
import { SPA_REDIRECT, WEB_LOGOUT, WEB_REDIRECT } from './world.ts';

/** What a property run needs besides the target: the world, and the live values of the moment. */
export interface FuzzContext {
  readonly world: FuzzWorld;
  /** Values for `@@name@@` placeholders, read just before each request. */
  live(): Live | Promise<Live>;
  /** Called after each response, e.g. to start a new interaction when a request finished the old one. */
  afterEach?(response: WireResponse): Promise<void>;
}

/**
 * Sends one case and names everything wrong with the outcome: the response (status, leaks,
 * format, redirect target) and the guarded tables, which no fuzzed request may change.
 */
export async function problemsOf(context: FuzzContext, target: FuzzTarget, fuzzCase: FuzzCase) {
  const { world } = context;
  const live = await context.live();
  const before = await snapshotState(world.gh.orm);
  const wire = toWire(fuzzCase, live);
  const response = await sendRaw(world.gh.url, wire);
  const after = await snapshotState(world.gh.orm);
  await context.afterEach?.(response);
  const problems = [
    ...responseProblems(response, {
      surface: surfaceFor(target, fuzzCase.method, wire.path),
      method: fuzzCase.method,
      accept: fuzzCase.headers.accept,
      checkOptionsFormat: target.checkProbeFormat,
      sent: sentStrings(fuzzCase, live),
      issuer: world.gh.issuer,
      redirectTargets: [
        WEB_REDIRECT,
        WEB_LOGOUT,
        SPA_REDIRECT,
        `${world.gh.issuer}/docs/oauth2-redirect.html`,
        // Starting a trip to the upstream the web app offers sends the browser there.
        world.upstream.authorizationEndpoint,
      ],
    }),
    ...stateChanges(before, after),
  ];
  const probe = ['OPTIONS', 'HEAD'].includes(fuzzCase.method);
  if (target.refuseAll && !probe && (response.status < 400 || response.status >= 500)) {
    problems.push(`accepted with ${response.status}: this request should have been refused`);
  }
  return { response, problems };
}

/**
 * FUZZ_SCALE multiplies every property's run count (a longer hunt: FUZZ_SCALE=20); FUZZ_SEED
 * replays the seed fast-check printed with a failure.
 */
const SCALE = Number(process.env.FUZZ_SCALE ?? '1') || 1;
const SEED = process.env.FUZZ_SEED === undefined ? undefined : Number(process.env.FUZZ_SEED);

export interface FuzzOptions {
  readonly numRuns: number;
  /** Minimal counterexamples of known bugs, replayed first so they reproduce on every run. */
  readonly examples?: FuzzCase[];
  readonly cases?: fc.Arbitrary<FuzzCase>;
}

/** The property: for every generated request to `target`, `problemsOf` finds nothing. */
export async function assertNoProblems(
  context: FuzzContext,
  target: FuzzTarget,
  options: FuzzOptions,
): Promise<void> {
  const property = fc.asyncProperty(options.cases ?? fuzzCases(target), async (fuzzCase) => {
    const { response, problems } = await problemsOf(context, target, fuzzCase);
    if (problems.length > 0) {
      const body = response.text.length > 600 ? `${response.text.slice(0, 600)}…` : response.text;
      throw new Error(
        `${target.name}: ${problems.join('; ')}\n` +
          `  request:  ${describeCase(fuzzCase)}\n` +
          `  response: ${response.status} ${response.contentType} ${body}`,
      );
    }
  });
  await fc.assert(property, {
    numRuns: Math.round(options.numRuns * SCALE),
    ...(SEED === undefined ? {} : { seed: SEED }),
    examples: (options.examples ?? []).map((example) => [example]),
  });
}
