import type { LoadTarget, WorkerTargets } from './load.ts';
import { type LoadMeasurement, type LoadPlan, measureScenario } from './measure.ts';
import type { PostgresCpuMeter } from './postgres-cpu.ts';
import { discoveryTarget, jwksTarget, refreshChains, userinfoTargets } from './scenario-targets.ts';
import type { SignInApp } from './sign-in-flow.ts';
import type { UserTokens } from './user-tokens.ts';

/** Keycloak's benchmark scenarios that Gatehouse and the baseline are compared on, in the order run. */
export const USER_SCENARIOS = ['userinfo', 'refresh', 'discovery', 'jwks'] as const;
export type UserScenario = (typeof USER_SCENARIOS)[number];
export type UserScenarioResults = Readonly<Record<UserScenario, LoadMeasurement>>;

/** One server, as the user scenarios need it. */
export interface ScenarioServer {
  readonly pid: number;
  /** http://127.0.0.1:PORT, also the issuer. */
  readonly url: string;
  /** The web app whose refresh tokens are redeemed. */
  readonly app: SignInApp;
  /** The signed-in user's id, which userinfo must answer with. */
  readonly sub: string;
  /** `count` sign-ins of that user, each a new grant with its own tokens. */
  signIn(count: number): Promise<UserTokens[]>;
}

/**
 * Signs the user in once per worker (a refresh token is single use, so each worker needs its own
 * chain), then runs userinfo, the refresh grant, discovery and JWKS one after another on the same
 * server, each with its own warm-up. Userinfo goes first, so nothing the refresh load does to a
 * grant (a replayed token revokes it) can touch the access tokens userinfo uses.
 */
export async function measureUserScenarios(
  server: ScenarioServer,
  plan: LoadPlan & { postgres?: PostgresCpuMeter },
  say: (line: string) => void,
): Promise<UserScenarioResults> {
  const tokens = await server.signIn(plan.concurrency);
  const run = (scenario: UserScenario, target: LoadTarget | WorkerTargets) => {
    say(`bench: ${scenario}`);
    return measureScenario(server.pid, target, plan);
  };
  // Awaited one by one, in USER_SCENARIOS order: never two loads at once.
  return {
    userinfo: await run('userinfo', userinfoTargets(server.url, tokens, server.sub)),
    refresh: await run('refresh', refreshChains(server.url, server.app, tokens)),
    discovery: await run('discovery', discoveryTarget(server.url, server.url)),
    jwks: await run('jwks', jwksTarget(server.url)),
  };
}
