import { expect } from 'chai';
import { REDIRECT_URI } from '../../conformance/clients.ts';
import {
  bootConformanceOp,
  type ConformanceOp,
  freshBrowser,
  randomValue,
  type SuiteClient,
  suiteClients,
} from '../support/conformance/op.ts';

/** SerializeRequestObjectWithNullAlgorithm: an unsigned JWT. */
function unsignedRequestObject(claims: Record<string, string>): string {
  const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  return `${part({ alg: 'none' })}.${part(claims)}.`;
}

/**
 * The Basic OP plan's request object modules, and the modules the plan does not run for static
 * clients. Gatehouse does not support request objects: discovery says so (no
 * request_parameter_supported, which defaults to false) and a request object is answered with
 * request_not_supported, which the suite accepts and reports as a skip.
 */
describe('conformance mirror: Basic OP, request objects', () => {
  let op: ConformanceOp;
  let client: SuiteClient;

  before(async () => {
    op = await bootConformanceOp();
    ({ client } = suiteClients(op));
  });
  after(() => op.stop());

  /** The request the suite builds: everything in the object, the OAuth-required copies outside. */
  function requestObjectQuery(outside: Record<string, string> = {}) {
    const state = randomValue();
    const claims = {
      client_id: client.clientId,
      redirect_uri: REDIRECT_URI,
      scope: 'openid',
      response_type: 'code',
      state,
      nonce: randomValue(),
    };
    const query = new URLSearchParams({
      request: unsignedRequestObject(claims),
      client_id: client.clientId,
      scope: 'openid',
      response_type: 'code',
      redirect_uri: REDIRECT_URI,
      ...outside,
    });
    return { query, state };
  }

  it('oidcc-unsigned-request-object-supported-correctly-or-rejected-as-unsupported', async () => {
    expect(op.discovery.request_parameter_supported ?? false).to.equal(false);
    // Absent, so the suite does not skip up front (it skips only when the list lacks "none").
    expect(op.discovery).to.not.have.property('request_object_signing_alg_values_supported');
    const browser = freshBrowser();
    browser.stopAt.push(REDIRECT_URI);
    const { query } = requestObjectQuery();
    const page = await browser.open(client.authorizationUrl(query));
    expect(page.status, 'redirected back to the client').to.equal(0);
    const params = new URL(page.url).searchParams;
    expect(params.get('error')).to.equal('request_not_supported');
    expect(params.get('iss')).to.equal(op.discovery.issuer);
    expect(params.get('code')).to.equal(null);
  });

  it('oidcc-ensure-request-object-with-redirect-uri', async () => {
    // the object names the registered redirect_uri, the query an unregistered one: the OP must use
    // the object's, or show an invalid redirect_uri error page; it must not redirect anywhere.
    const unregistered = `${REDIRECT_URI}/${randomValue()}`;
    const browser = freshBrowser();
    browser.stopAt.push(REDIRECT_URI);
    const { query } = requestObjectQuery({ redirect_uri: unregistered });
    const page = await browser.open(client.authorizationUrl(query));
    expect(page.status).to.equal(400);
    expect(page.headers.get('location')).to.equal(null);
    expect(page.html).to.include('redirect_uri');
  });

  it('oidcc-request-uri-unsigned-supported-correctly-or-rejected-as-unsupported (not in the static-client plan)', async () => {
    expect(op.discovery.request_uri_parameter_supported).to.equal(false);
    const browser = freshBrowser();
    browser.stopAt.push(REDIRECT_URI);
    const { query, state } = client.authorizationParams({
      request_uri: 'https://localhost.emobix.co.uk:8443/test/a/gatehouse/requesturi/abc',
    });
    const page = await browser.open(client.authorizationUrl(query));
    expect(page.status, 'redirected back to the client').to.equal(0);
    const params = new URL(page.url).searchParams;
    // only pushed authorization requests (urn:ietf:params:oauth:request_uri:...) are accepted
    expect(params.get('error')).to.be.oneOf(['request_uri_not_supported', 'invalid_request_uri']);
    expect(params.get('state')).to.equal(state);
    expect(params.get('code')).to.equal(null);
  });

  it('oidcc-idtoken-unsigned (not in the static-client plan): alg none is never offered', async () => {
    expect(op.discovery.id_token_signing_alg_values_supported).to.not.include('none');
    const { idToken, tokens } = await client.signIn(freshBrowser());
    expect(idToken.sub).to.equal(op.userId);
    expect(String(tokens.id_token).split('.')[2]).to.not.equal('');
  });
});
