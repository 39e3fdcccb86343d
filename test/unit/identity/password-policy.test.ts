import { dictionary } from '@zxcvbn-ts/language-common';
import { expect } from 'chai';
import {
  MAX_PASSWORD_LENGTH,
  MIN_PASSWORD_LENGTH,
  passwordProblem,
} from '../../../src/identity/password-policy.ts';

const COMMON = ['password', 'Password', '123456789', 'qwerty123'];

/** Distinct, non-dictionary filler of exactly `length` code points. */
function filler(length: number): string {
  const alphabet = 'Zq7!vK2#mW9$';
  return Array.from({ length }, (_, i) => alphabet[i % alphabet.length]).join('');
}

describe('passwordProblem', () => {
  describe('length, in code points', () => {
    it('refuses 7 characters', () => {
      expect(passwordProblem('Zq7!vK2')).to.equal('Use at least 8 characters.');
    });

    it('accepts 8 characters', () => {
      expect(passwordProblem('Zq7!vK2#')).to.equal(undefined);
    });

    it('counts an emoji as one character: 8 are enough, 7 are not', () => {
      const eight = '🦊🐙🌵🎻🚲🧭🍋🪐';
      expect(eight.length, 'UTF-16 units').to.equal(16);
      expect(passwordProblem(eight)).to.equal(undefined);
      expect(passwordProblem([...eight].slice(0, 7).join(''))).to.equal('Use at least 8 characters.');
    });

    it('accepts 128 and 1024 characters', () => {
      expect(MIN_PASSWORD_LENGTH).to.equal(8);
      expect(MAX_PASSWORD_LENGTH).to.equal(1024);
      expect(passwordProblem(filler(128))).to.equal(undefined);
      expect(passwordProblem(filler(1024))).to.equal(undefined);
    });

    it('accepts 1024 emoji (2048 UTF-16 units)', () => {
      expect(passwordProblem('🦊'.repeat(1024))).to.equal(undefined);
    });

    it('refuses 1025 characters, and far longer input', () => {
      expect(passwordProblem(filler(1025))).to.equal('Use at most 1024 characters.');
      expect(passwordProblem('🦊'.repeat(1025))).to.equal('Use at most 1024 characters.');
      expect(passwordProblem('x'.repeat(1_000_000))).to.equal('Use at most 1024 characters.');
    });

    it('has no composition rules: lowercase letters and spaces only are fine', () => {
      expect(passwordProblem('purple monkey dishwasher ostrich')).to.equal(undefined);
    });
  });

  describe('common passwords', () => {
    it('the examples really are on the list (lowercase)', () => {
      const list = new Set(dictionary['passwords-common']);
      for (const password of COMMON) expect(list.has(password.toLowerCase()), password).to.equal(true);
    });

    for (const password of COMMON) {
      it(`refuses ${password}`, () => {
        expect(passwordProblem(password)).to.equal(
          'This password is too common. Choose a less predictable one.',
        );
      });
    }

    it('refuses a common password in any case', () => {
      expect(passwordProblem('QwErTy123')).to.not.equal(undefined);
    });
  });

  describe('the email address', () => {
    const email = 'Alice.Example@Example.org';

    it('refuses the address itself, in any case', () => {
      expect(passwordProblem('alice.example@example.org', { email })).to.equal(
        'Do not use your email address as your password.',
      );
      expect(passwordProblem('ALICE.EXAMPLE@EXAMPLE.ORG', { email })).to.not.equal(undefined);
    });

    it('refuses the local part, in any case', () => {
      expect(passwordProblem('alice.example', { email })).to.equal(
        'Do not use your email address as your password.',
      );
      expect(passwordProblem('Alice.Example', { email })).to.not.equal(undefined);
    });

    it('accepts a password that merely contains the local part', () => {
      expect(passwordProblem('alice.example loves tea', { email })).to.equal(undefined);
    });

    it('accepts the same password for someone else', () => {
      expect(passwordProblem('alice.example', { email: 'bob@example.org' })).to.equal(undefined);
    });
  });

  it('accepts a long random passphrase', () => {
    expect(passwordProblem('velvet quarry lantern 42 ember stoic', { email: 'alice@example.org' })).to.equal(
      undefined,
    );
  });

  it('never echoes the password in a message', () => {
    for (const password of ['short', 'qwerty123', 'alice.example', filler(1025)]) {
      const problem = passwordProblem(password, { email: 'alice.example@example.org' });
      expect(problem).to.be.a('string');
      expect(problem).to.not.include(password);
    }
  });
});
