import type { LoadPlan } from './measure.ts';
import { formatScenarioConsole, formatScenarioMarkdown, type ScenarioComparison } from './scenario-report.ts';
import type { SignInRequest } from './sign-in-flow.ts';
import { USER_SCENARIOS, type UserScenario, type UserScenarioResults } from './user-scenarios.ts';

export interface UserScenarioReport {
  readonly plan: LoadPlan;
  /** What each sign-in that supplied the tokens asked for. */
  readonly request: SignInRequest;
  readonly gatehouse: UserScenarioResults;
  readonly baseline: UserScenarioResults;
}

function describe(scenario: UserScenario, r: UserScenarioReport): { title: string; request: string } {
  const signIns =
    `${r.plan.concurrency} sign-ins (scope "${r.request.scope}"${r.request.prompt ? `, prompt=${r.request.prompt}` : ''}) ` +
    "run just before: Gatehouse's with a password through its pages, the baseline's through interactions it finishes itself";
  switch (scenario) {
    case 'userinfo':
      return {
        title: 'Userinfo benchmark',
        request:
          "GET /me, Authorization: Bearer <a signed-in user's opaque access token>, worker i using sign-in i's " +
          `token; an answer counts when it carries the user's sub and email; ${signIns}`,
      };
    case 'refresh':
      return {
        title: 'Refresh-token benchmark (with rotation)',
        request:
          'POST /token grant_type=refresh_token, HTTP Basic auth as the web app; one rotation chain per worker, ' +
          'each from its own sign-in (its own grant), every request sending the refresh token the previous ' +
          'answer returned; an answer counts when it has a new refresh token, an access token and an ID token; ' +
          `a broken chain stops its worker; the same ${signIns}`,
      };
    case 'discovery':
      return {
        title: 'Discovery benchmark',
        request: 'GET /.well-known/openid-configuration, no credentials; the answer must name the issuer',
      };
    case 'jwks':
      return {
        title: 'JWKS benchmark',
        request: 'GET /jwks, no credentials; the answer must hold a key',
      };
  }
}

/** One comparison per scenario, in the order they ran. */
function comparisons(r: UserScenarioReport): ScenarioComparison[] {
  const { concurrency, warmupMs, durationMs } = r.plan;
  const common =
    `keep-alive to 127.0.0.1; concurrency ${concurrency}, ${warmupMs / 1000} s warm-up + ` +
    `${durationMs / 1000} s measured per server, on the servers of the benchmarks above, after them`;
  return USER_SCENARIOS.map((scenario) => {
    const { title, request } = describe(scenario, r);
    return {
      title,
      load: `${request}; ${common}`,
      gatehouse: r.gatehouse[scenario],
      baseline: r.baseline[scenario],
    };
  });
}

export const formatUserScenariosConsole = (r: UserScenarioReport) =>
  comparisons(r).map(formatScenarioConsole).join('\n');
export const formatUserScenariosMarkdown = (r: UserScenarioReport) =>
  comparisons(r).map(formatScenarioMarkdown).join('\n');
