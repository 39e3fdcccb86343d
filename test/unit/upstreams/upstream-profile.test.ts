import { expect } from 'chai';
import {
  profileFromClaims,
  profileFromFacebook,
  profileFromGithub,
} from '../../../src/upstreams/upstream-profile.ts';

describe('upstream profiles', () => {
  it('OpenID Connect: verified only when the upstream says so, in either JSON type', () => {
    expect(profileFromClaims({ sub: 'a', email: 'a@x.test', email_verified: true }).emailVerified).to.equal(
      true,
    );
    expect(profileFromClaims({ sub: 'a', email: 'a@x.test', email_verified: 'true' }).emailVerified).to.equal(
      true,
    );
    for (const email_verified of [false, 'false', undefined, 'yes', 1, null]) {
      expect(profileFromClaims({ sub: 'a', email: 'a@x.test', email_verified }).emailVerified).to.equal(
        false,
      );
    }
    // "Verified" means nothing without an email.
    expect(profileFromClaims({ sub: 'a', email_verified: true }).emailVerified).to.equal(false);
  });

  it('OpenID Connect: drops what cannot be trusted into a token (non-https pictures, bad emails, huge names)', () => {
    const profile = profileFromClaims({
      sub: 'a',
      email: 'not an email',
      picture: 'javascript:alert(1)',
      name: 'x'.repeat(500),
    });
    expect(profile).to.include({ subject: 'a', email: undefined, picture: undefined, name: undefined });
    expect(profileFromClaims({ sub: 'a', picture: 'http://x.test/p.png' }).picture).to.equal(undefined);
    expect(profileFromClaims({ sub: 'a', picture: 'https://x.test/p.png' }).picture).to.equal(
      'https://x.test/p.png',
    );
    expect(() => profileFromClaims({ email: 'a@x.test' })).to.throw();
  });

  it('GitHub: the numeric id is the subject and only the primary address is used, with its own verified flag', () => {
    const emails = [
      { email: 'other@x.test', primary: false, verified: true },
      { email: 'main@x.test', primary: true, verified: false },
    ];
    const profile = profileFromGithub(
      { id: 42, login: 'octo', name: null, avatar_url: 'https://a.test/o.png' },
      emails,
    );
    expect(profile).to.include({
      subject: '42',
      email: 'main@x.test',
      emailVerified: false,
      name: 'octo',
      picture: 'https://a.test/o.png',
    });
    expect(profileFromGithub({ id: 1 }, []).email).to.equal(undefined);
    expect(() => profileFromGithub({ id: 'not-a-number' }, [])).to.throw();
  });

  it('Facebook: the email is never verified', () => {
    const profile = profileFromFacebook({
      id: '1000',
      name: 'Fay',
      email: 'fay@x.test',
      picture: { data: { url: 'https://fb.test/p.jpg' } },
    });
    expect(profile).to.include({
      subject: '1000',
      email: 'fay@x.test',
      emailVerified: false,
      picture: 'https://fb.test/p.jpg',
    });
  });
});
