import { expect } from 'chai';
import { importJWK, type JWK } from 'jose';
import { CONFORMANCE_ISSUER } from '../../conformance/clients.ts';
import { CONFORMANCE_RATE_LIMITS } from '../support/conformance/op.ts';
import { bootGatehouse, type TestGatehouse } from '../support/gatehouse.ts';

/** Metadata names registered for OAuth/OIDC discovery that Gatehouse may publish (IANA registry). */
const KNOWN_METADATA = new Set([
  'issuer',
  'authorization_endpoint',
  'token_endpoint',
  'userinfo_endpoint',
  'jwks_uri',
  'registration_endpoint',
  'scopes_supported',
  'response_types_supported',
  'response_modes_supported',
  'grant_types_supported',
  'acr_values_supported',
  'subject_types_supported',
  'id_token_signing_alg_values_supported',
  'id_token_encryption_alg_values_supported',
  'id_token_encryption_enc_values_supported',
  'userinfo_signing_alg_values_supported',
  'request_object_signing_alg_values_supported',
  'token_endpoint_auth_methods_supported',
  'token_endpoint_auth_signing_alg_values_supported',
  'display_values_supported',
  'claim_types_supported',
  'claims_supported',
  'service_documentation',
  'claims_locales_supported',
  'ui_locales_supported',
  'claims_parameter_supported',
  'request_parameter_supported',
  'request_uri_parameter_supported',
  'require_request_uri_registration',
  'op_policy_uri',
  'op_tos_uri',
  'revocation_endpoint',
  'revocation_endpoint_auth_methods_supported',
  'introspection_endpoint',
  'introspection_endpoint_auth_methods_supported',
  'code_challenge_methods_supported',
  'end_session_endpoint',
  'check_session_iframe',
  'frontchannel_logout_supported',
  'frontchannel_logout_session_supported',
  'backchannel_logout_supported',
  'backchannel_logout_session_supported',
  'authorization_response_iss_parameter_supported',
  'pushed_authorization_request_endpoint',
  'require_pushed_authorization_requests',
  'dpop_signing_alg_values_supported',
  'introspection_signing_alg_values_supported',
  'authorization_signing_alg_values_supported',
]);

const BOOLEAN_METADATA = new Set([
  'claims_parameter_supported',
  'request_parameter_supported',
  'request_uri_parameter_supported',
  'require_request_uri_registration',
  'frontchannel_logout_supported',
  'frontchannel_logout_session_supported',
  'backchannel_logout_supported',
  'backchannel_logout_session_supported',
  'authorization_response_iss_parameter_supported',
  'require_pushed_authorization_requests',
]);
/** RFC 6749 3.3 scope-token: %x21 / %x23-5B / %x5D-7E. */
const SCOPE_TOKEN = /^[\x21\x23-\x5b\x5d-\x7e]+$/;

/**
 * The Config OP plan (oidcc-config-certification-test-plan: one module) and the discovery modules
 * of the two logout plans, against Gatehouse as the conformance README deploys it: issuer
 * https://gatehouse.test:9443 behind a TLS proxy, TRUST_PROXY set. Requests here carry the
 * headers that proxy adds.
 */
describe('conformance mirror: Config OP and logout discovery (behind the TLS proxy)', () => {
  let gh: TestGatehouse;
  let discovery: Record<string, unknown>;
  let discoveryResponse: Response;

  /** What the suite's request to an https URL of the issuer looks like once the proxy forwards it. */
  function viaProxy(url: string): Promise<Response> {
    const target = new URL(url);
    expect(target.origin, url).to.equal(new URL(CONFORMANCE_ISSUER).origin);
    return fetch(`${gh.url}${target.pathname}${target.search}`, {
      headers: { 'x-forwarded-proto': 'https', 'x-forwarded-host': target.host },
    });
  }

  before(async () => {
    gh = await bootGatehouse({
      ISSUER: CONFORMANCE_ISSUER,
      TRUST_PROXY: '1',
      RATE_LIMITS: CONFORMANCE_RATE_LIMITS,
    });
    discoveryResponse = await viaProxy(`${CONFORMANCE_ISSUER}/.well-known/openid-configuration`);
    discovery = (await discoveryResponse.clone().json()) as Record<string, unknown>;
  });
  after(() => gh.stop());

  it('oidcc-discovery-endpoint-verification', async () => {
    // EnsureDiscoveryEndpointResponseStatusCodeIs200, CheckDiscoveryEndpointReturnedJsonContentType
    expect(discoveryResponse.status).to.equal(200);
    expect(discoveryResponse.headers.get('content-type')).to.match(/^application\/json/);

    // CheckDiscEndpointIssuer: the discovery URL is the issuer + /.well-known/openid-configuration
    expect(discovery.issuer).to.equal(CONFORMANCE_ISSUER);
    const issuer = new URL(String(discovery.issuer));
    expect(issuer.protocol).to.equal('https:');
    expect(issuer.search + issuer.hash).to.equal('');

    // CheckForUnexpectedParametersInServerMetadata and the schema's types
    for (const [name, value] of Object.entries(discovery)) {
      expect(KNOWN_METADATA.has(name), `unexpected metadata ${name}`).to.equal(true);
      if (BOOLEAN_METADATA.has(name)) expect(value, name).to.be.a('boolean');
      else if (name.endsWith('_supported')) expect(value, name).to.be.an('array').that.is.not.empty;
      else expect(value, name).to.be.a('string');
    }

    // OIDCCCheckDiscEndpointResponseTypesSupported (static client): at least one OIDC response type
    expect(discovery.response_types_supported).to.include('code');
    // CheckDiscEndpointSubjectTypesSupported
    expect(discovery.subject_types_supported).to.include.oneOf(['public', 'pairwise']);
    // OIDCCCheckDiscEndpointIdTokenSigningAlgValuesSupported: RS256 is required
    expect(discovery.id_token_signing_alg_values_supported).to.include('RS256');
    // CheckDiscEndpointRegistrationEndpoint: none (static clients only) is fine
    expect(discovery).to.not.have.property('registration_endpoint');
    // CheckDiscEndpointScopesSupportedContainsOpenId, CheckDiscEndpointScopesSupportedSyntax
    expect(discovery.scopes_supported).to.include('openid');
    for (const scope of discovery.scopes_supported as string[]) expect(scope).to.match(SCOPE_TOKEN);
    // OIDCCCheckDiscEndpointClaimsSupported (a warning when absent), CheckDiscEndpointClaimsParameterSupported
    expect(discovery.claims_supported).to.include.members(['sub', 'email', 'email_verified', 'name']);
    expect(discovery.claims_parameter_supported).to.equal(true);
    // OIDCCCheckDiscEndpointGrantTypesSupported (static client): a non-empty array
    expect(discovery.grant_types_supported).to.include('authorization_code');
    // EnsureServerConfigurationCodeChallengeMethodsSupportedIsAnArray
    expect(discovery.code_challenge_methods_supported).to.deep.equal(['S256']);
    // no locales published, so CheckDiscEndpointLocalesSyntax has nothing to check
    expect(discovery).to.not.have.property('ui_locales_supported');

    // CheckDiscEndpointAllEndpointsAreHttps (every *_endpoint), on the issuer's origin
    const endpoints = Object.keys(discovery).filter((name) => name.endsWith('_endpoint'));
    expect(endpoints).to.include.members(['authorization_endpoint', 'token_endpoint', 'userinfo_endpoint']);
    for (const name of [...endpoints, 'jwks_uri']) {
      expect(String(discovery[name]), name).to.match(/^https:\/\//);
      expect(new URL(String(discovery[name])).origin, name).to.equal(issuer.origin);
    }

    // CheckJwksUri, FetchServerKeys, ValidateJwksSequence: reachable, public, usable
    const response = await viaProxy(String(discovery.jwks_uri));
    expect(response.status).to.equal(200);
    const { keys } = (await response.json()) as { keys: (JWK & Record<string, unknown>)[] };
    expect(keys).to.be.an('array').that.is.not.empty;
    // CheckForKeyIdInServerJWKs, CheckDistinctKeyIdValueInServerJWKs
    const kids = keys.map((key) => key.kid);
    expect(kids.every((kid) => typeof kid === 'string' && kid.length > 0)).to.equal(true);
    expect(new Set(kids).size).to.equal(kids.length);
    for (const key of keys) {
      // EnsureJwksHasNoPrivateOrSymmetricKeyMaterial
      for (const member of ['d', 'p', 'q', 'dp', 'dq', 'qi', 'k'])
        expect(key, `${key.kid}`).to.not.have.property(member);
      expect(key.kty).to.be.oneOf(['RSA', 'EC']);
      expect(key.use).to.equal('sig');
      // ParseUsableJwksKeys
      await importJWK(key, String(key.alg));
      if (key.kty === 'RSA') expect(Buffer.from(String(key.n), 'base64url').length * 8).to.be.at.least(2048);
    }
    expect(keys.filter((key) => key.alg === 'RS256')).to.not.be.empty;
  });

  it('oidcc-rp-initiated-logout-discovery-endpoint-verification', () => {
    // CheckDiscEndSessionEndpoint (OIDC RP-Initiated Logout 2.1), https like every endpoint
    expect(discovery.end_session_endpoint).to.equal(`${CONFORMANCE_ISSUER}/session/end`);
  });

  it('oidcc-backchannel-logout-discovery-endpoint-verification', () => {
    // OpenID Connect Back-Channel Logout 1.0 §2.1
    expect(discovery).to.include({
      backchannel_logout_supported: true,
      backchannel_logout_session_supported: true,
    });
  });
});
