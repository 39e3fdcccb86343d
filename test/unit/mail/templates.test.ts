import { expect } from 'chai';
import {
  passwordChanged,
  passwordReset,
  type RenderedMail,
  registrationAttempt,
  signInCode,
  verifyEmail,
} from '../../../src/mail/templates.ts';

const CODE = '482913';
const LINK = 'https://id.example.test/verify?token=t0k3n&email=a%40b.test';
const HOSTILE = '<script>alert("x")</script> & Co';

/** Every template, with the secrets (codes, links) it carries. */
const cases: { name: string; render: (appName: string) => Promise<RenderedMail>; secrets: string[] }[] = [
  {
    name: 'signInCode',
    render: (appName) => signInCode({ appName, code: CODE, minutes: 10 }),
    secrets: [CODE],
  },
  {
    name: 'verifyEmail',
    render: (appName) => verifyEmail({ appName, link: LINK, code: CODE, minutes: 30 }),
    secrets: [LINK, CODE],
  },
  { name: 'passwordReset', render: () => passwordReset({ link: LINK, minutes: 30 }), secrets: [LINK] },
  { name: 'passwordChanged', render: () => passwordChanged({}), secrets: [] },
  {
    name: 'registrationAttempt',
    render: (appName) => registrationAttempt({ appName, resetLink: LINK }),
    secrets: [LINK],
  },
];

describe('mail templates', () => {
  for (const { name, render, secrets } of cases) {
    describe(name, () => {
      it('renders a short one-line subject, a text part and an html part', async () => {
        const mail = await render('Acme');
        expect(mail.subject)
          .to.be.a('string')
          .and.not.match(/[\r\n]/);
        expect(mail.subject.length).to.be.within(5, 80);
        expect(mail.text.trim()).to.not.equal('');
        expect(mail.html)
          .to.match(/^<!doctype html>/i)
          .and.include('</html>');
      });

      it('carries its code and link verbatim in the text part and escaped in the html part', async () => {
        const mail = await render('Acme');
        for (const secret of secrets) {
          expect(mail.text).to.include(secret);
          expect(mail.html).to.include(secret.replaceAll('&', '&amp;'));
        }
        expect(mail.text).to.not.include('&amp;');
      });

      it('keeps codes and links out of the subject', async () => {
        const mail = await render('Acme');
        for (const secret of secrets) expect(mail.subject).to.not.include(secret);
        expect(mail.subject).to.not.match(/\d{6}|https?:|token/i);
      });

      it('escapes a hostile app name in the html part', async () => {
        const mail = await render(HOSTILE);
        expect(mail.html).to.not.include('<script>');
        expect(mail.html).to.not.include('"x"');
        if (name !== 'passwordReset' && name !== 'passwordChanged') {
          expect(mail.html).to.include('&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; Co');
        }
      });
    });
  }

  it('mentions the app and the validity of the sign-in code', async () => {
    const mail = await signInCode({ appName: 'Acme', code: CODE, minutes: 10 });
    expect(mail.subject).to.include('Acme');
    for (const part of [mail.text, mail.html]) {
      expect(part)
        .to.include('Acme')
        .and.include('10 minutes')
        .and.match(/did not try to sign in/);
    }
  });

  it('flattens an app name with line breaks and truncates a long one in the subject', async () => {
    const broken = await signInCode({
      appName: 'Acme\r\nBcc: mallory@example.test',
      code: CODE,
      minutes: 10,
    });
    expect(broken.subject).to.equal('Your sign-in code for Acme Bcc: mallory@example.test');
    const long = await signInCode({ appName: 'A'.repeat(200), code: CODE, minutes: 10 });
    expect(long.subject.length).to.be.below(90);
  });

  it('tells the owner that every session was signed out after a password change', async () => {
    const mail = await passwordChanged({});
    expect(mail.text)
      .to.match(/password .* changed/)
      .and.match(/signed out/);
  });
});
