import { expect } from 'chai';
import { parseTrustProxy } from '../../../src/config/trust-proxy.ts';

describe('parseTrustProxy', () => {
  for (const raw of [undefined, '', '   ', 'false', '0', ' false ']) {
    it(`trusts no proxy for ${JSON.stringify(raw)}`, () => {
      expect(parseTrustProxy(raw)).to.deep.equal({ mode: 'none' });
    });
  }

  it('trusts one hop for true', () => {
    expect(parseTrustProxy('true')).to.deep.equal({ mode: 'hops', hops: 1 });
    expect(parseTrustProxy(' true ')).to.deep.equal({ mode: 'hops', hops: 1 });
  });

  it('reads a hop count', () => {
    expect(parseTrustProxy('1')).to.deep.equal({ mode: 'hops', hops: 1 });
    expect(parseTrustProxy('2')).to.deep.equal({ mode: 'hops', hops: 2 });
    expect(parseTrustProxy('12')).to.deep.equal({ mode: 'hops', hops: 12 });
  });

  it('reads a single address', () => {
    expect(parseTrustProxy('10.0.0.1')).to.deep.equal({ mode: 'addresses', addresses: ['10.0.0.1'] });
  });

  it('reads a comma list of IPv4 and IPv6 addresses in order, trimmed', () => {
    expect(parseTrustProxy('192.168.1.10 , ::1,fd00::2')).to.deep.equal({
      mode: 'addresses',
      addresses: ['192.168.1.10', '::1', 'fd00::2'],
    });
  });

  for (const raw of ['yes', 'TRUE', '-1', '1.5', 'proxy.internal', '10.0.0.0/8', '999.1.1.1']) {
    it(`returns a problem for ${JSON.stringify(raw)}`, () => {
      const result = parseTrustProxy(raw);
      expect(result).to.be.a('string');
      expect(result).to.match(/^TRUST_PROXY: /);
    });
  }

  it('names only the bad entries of a list', () => {
    const result = parseTrustProxy('10.0.0.1,bogus,::1,nope');
    expect(result).to.equal('TRUST_PROXY: not a hop count or IP address: bogus, nope');
  });
});
