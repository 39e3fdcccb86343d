import { expect } from 'chai';
import { Browser } from '../../support/browser.ts';
import { bootGatehouse, type TestGatehouse } from '../../support/gatehouse.ts';
import { clientCredentials } from '../../support/http.ts';
import { relyingParty } from '../../support/relying-party.ts';
import { waitFor } from '../../support/wait-for.ts';

const API = 'https://api.example.test';
const TOKEN = 'metrics-scrape-token-0123456789';

const value = (text: string, metric: string): number => {
  const line = text.split('\n').find((candidate) => candidate.startsWith(metric));
  return line ? Number(line.split(' ').pop()) : 0;
};

describe('GET /metrics', () => {
  let gh: TestGatehouse;
  before(async () => {
    gh = await bootGatehouse({ METRICS_TOKEN: TOKEN, RATE_LIMITS: 'token_ip=3/60,token_client=3/60' });
  });
  after(() => gh.stop());

  const scrape = async (authorization?: string) => {
    const response = await fetch(`${gh.url}/metrics`, { headers: authorization ? { authorization } : {} });
    return {
      status: response.status,
      text: await response.text(),
      type: response.headers.get('content-type'),
    };
  };

  it('is hidden (404) without the scrape token, and served with it', async () => {
    expect((await scrape()).status).to.equal(404);
    expect((await scrape('Bearer wrong-token-wrong-token-xx')).status).to.equal(404);
    const ok = await scrape(`Bearer ${TOKEN}`);
    expect(ok.status).to.equal(200);
    expect(ok.type).to.match(/text\/plain/);
    for (const metric of [
      'gatehouse_nodejs_eventloop_lag_seconds',
      'gatehouse_db_pool_connections',
      'gatehouse_process_cpu_seconds_total',
    ]) {
      expect(ok.text, metric).to.include(metric);
    }
  });

  it('counts requests by route, sign-ins by method and outcome, tokens by grant type and rate-limit rejections', async () => {
    await gh.users.create({
      email: 'metrics@example.test',
      password: 'metrics passphrase',
      emailVerified: true,
    });
    const web = await gh.apps.create({
      name: 'm',
      type: 'web',
      redirectUris: ['https://m.example.test/cb'],
      firstParty: true,
    });
    const rp = await relyingParty(gh.issuer, {
      clientId: web.app.clientId,
      clientSecret: web.clientSecret,
      redirectUri: 'https://m.example.test/cb',
    });
    const browser = new Browser();
    const { page, finish } = await rp.start(browser);
    await browser.submit(page, 'login-form', {
      email: 'metrics@example.test',
      password: 'wrong password here',
    });
    await finish(
      await browser.submit(page, 'login-form', {
        email: 'metrics@example.test',
        password: 'metrics passphrase',
      }),
    );

    await gh.apis.create({ identifier: API, scopes: ['read'] });
    const svc = await gh.apps.create({ name: 'svc', type: 'service' });
    await gh.apis.grantAccess(svc.app.clientId, API);
    const answers = [];
    for (let i = 0; i < 4; i++) {
      answers.push(
        (await clientCredentials(gh.url, svc.app.clientId, String(svc.clientSecret), { resource: API }))
          .status,
      );
    }
    expect(answers).to.include(429);

    const text = await waitFor(async () => {
      const { text } = await scrape(`Bearer ${TOKEN}`);
      return value(text, 'gatehouse_tokens_issued_total{grant_type="client_credentials"}') > 0
        ? text
        : undefined;
    });
    expect(value(text, 'gatehouse_sign_ins_total{method="password",outcome="success"}')).to.equal(1);
    expect(value(text, 'gatehouse_sign_ins_total{method="password",outcome="failure"}')).to.equal(1);
    expect(value(text, 'gatehouse_tokens_issued_total{grant_type="authorization_code"}')).to.equal(1);
    // the code exchange above shares the per-IP token budget, so count what got through
    const issued = answers.filter((status) => status === 200).length;
    expect(value(text, 'gatehouse_tokens_issued_total{grant_type="client_credentials"}')).to.equal(issued);
    const refused = answers.filter((status) => status === 429).length;
    expect(value(text, 'gatehouse_rate_limit_rejections_total{limit="token_ip"}')).to.equal(refused);
    expect(text).to.match(/gatehouse_http_requests_total\{method="POST",route="\/token",status="200"\} \d+/);
    // raw paths never become labels (interaction uids would)
    expect(text).to.not.match(/route="\/interaction\/[\w-]{10,}/);
  });
});
