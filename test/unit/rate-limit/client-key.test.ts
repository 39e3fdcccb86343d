import { expect } from 'chai';
import { ipKey } from '../../../src/rate-limit/client-key.ts';

describe('ipKey', () => {
  it('keeps IPv4 and unwraps IPv4-mapped IPv6', () => {
    expect(ipKey('203.0.113.7')).to.equal('203.0.113.7');
    expect(ipKey('::ffff:203.0.113.7')).to.equal('203.0.113.7');
    expect(ipKey('::FFFF:127.0.0.1')).to.equal('127.0.0.1');
  });

  it('groups IPv6 by /64, however the address is written', () => {
    const key = ipKey('2001:db8:1:2:aaaa:bbbb:cccc:dddd');
    expect(key).to.equal('2001:db8:1:2::/64');
    expect(ipKey('2001:0DB8:0001:0002::1')).to.equal(key);
    expect(ipKey('2001:db8:1:2::ffff:1.2.3.4')).to.equal(key);
    expect(ipKey('2001:db8:1:2::1%eth0')).to.equal(key);
    expect(ipKey('2001:db8:1:3::1')).to.not.equal(key);
    expect(ipKey('::1')).to.equal('0:0:0:0::/64');
    expect(ipKey('2001:db8::')).to.equal('2001:db8:0:0::/64');
  });

  it('passes anything else through (a unix socket has no address)', () => {
    expect(ipKey('')).to.equal('');
    expect(ipKey('not-an-ip')).to.equal('not-an-ip');
  });
});
