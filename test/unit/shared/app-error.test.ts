import { expect } from 'chai';
import { AppError, assertThat } from '../../../src/shared/app-error.ts';

describe('AppError', () => {
  it('is an Error with a code, a message and status 400 by default', () => {
    const error = new AppError('app.invalid', 'bad app');
    expect(error).to.be.instanceOf(Error);
    expect(error.name).to.equal('AppError');
    expect(error.code).to.equal('app.invalid');
    expect(error.message).to.equal('bad app');
    expect(error.status).to.equal(400);
    expect(error.expose).to.equal(true);
  });

  for (const status of [400, 404, 409, 413, 499]) {
    it(`exposes its message for status ${status}`, () => {
      expect(new AppError('request.invalid', 'x', status).expose).to.equal(true);
    });
  }

  for (const status of [500, 502, 503]) {
    it(`hides its message for status ${status}`, () => {
      const error = new AppError('internal', 'database password rejected', status);
      expect(error.status).to.equal(status);
      expect(error.expose).to.equal(false);
    });
  }
});

describe('assertThat', () => {
  for (const condition of [true, 1, 'yes', {}, []]) {
    it(`does not throw for ${JSON.stringify(condition)}`, () => {
      expect(() => assertThat(condition, 'app.not_found', 'no such app')).to.not.throw();
    });
  }

  for (const condition of [false, 0, '', null, undefined, Number.NaN]) {
    it(`throws for ${String(condition)}`, () => {
      expect(() => assertThat(condition, 'app.not_found', 'no such app'))
        .to.throw(AppError, 'no such app')
        .with.property('code', 'app.not_found');
    });
  }

  it('throws with status 400 by default', () => {
    expect(() => assertThat(false, 'api.invalid', 'bad'))
      .to.throw(AppError)
      .that.includes({ code: 'api.invalid', status: 400, expose: true });
  });

  it('throws with the given status', () => {
    expect(() => assertThat(false, 'app.not_found', 'no such app', 404))
      .to.throw(AppError)
      .that.includes({ code: 'app.not_found', status: 404, expose: true });
    expect(() => assertThat(null, 'service.unavailable', 'down', 503))
      .to.throw(AppError)
      .that.includes({ code: 'service.unavailable', status: 503, expose: false });
  });
});
