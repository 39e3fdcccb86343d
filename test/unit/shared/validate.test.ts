import { expect } from 'chai';
import { z } from 'zod';
import { AppError } from '../../../src/shared/app-error.ts';
import { validate } from '../../../src/shared/validate.ts';

const schema = z.object({ name: z.string().min(1), port: z.coerce.number().int() });

describe('validate', () => {
  it('returns the parsed output', () => {
    expect(validate(schema, { name: 'a', port: '80' })).to.deep.equal({ name: 'a', port: 80 });
  });

  it('throws one request.invalid 400 listing every problem with its path', () => {
    try {
      validate(schema, { name: '', port: 'x' });
      expect.fail('expected validate to throw');
    } catch (error) {
      expect(error).to.be.instanceOf(AppError);
      const { code, status, details } = error as AppError & { details: string[] };
      expect(code).to.equal('request.invalid');
      expect(status).to.equal(400);
      expect(details).to.have.length(2);
      expect(details[0]).to.match(/^name: /);
      expect(details[1]).to.match(/^port: /);
      expect((error as AppError).message).to.equal(details.join('; '));
    }
  });

  it('names a problem with the whole input "input"', () => {
    expect(() => validate(schema, 'not an object'))
      .to.throw(AppError)
      .with.property('message')
      .that.matches(/^input: /);
  });
});
