import { expect } from 'chai';
import { createSemaphore } from '../../../src/shared/semaphore.ts';

interface Gate {
  promise: Promise<void>;
  open(): void;
}

function gate(): Gate {
  let open = () => {};
  const promise = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { promise, open };
}

/** Lets every already-settled promise run its continuations. */
const flush = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('createSemaphore', () => {
  it('never runs more than max tasks at once, and runs them all', async () => {
    const semaphore = createSemaphore(2);
    const gates = Array.from({ length: 7 }, gate);
    let running = 0;
    let peak = 0;
    const results = gates.map((g, index) =>
      semaphore.run(async () => {
        running++;
        peak = Math.max(peak, running);
        await g.promise;
        running--;
        return index;
      }),
    );

    await flush();
    expect(running).to.equal(2);
    expect(semaphore.waiting).to.equal(5);
    // Finish them out of order: the cap must hold whichever task ends.
    for (const index of [1, 0, 3, 2, 6, 5, 4]) {
      gates[index]?.open();
      await flush();
      expect(running).to.be.at.most(2);
    }

    expect(await Promise.all(results)).to.deep.equal([0, 1, 2, 3, 4, 5, 6]);
    expect(peak).to.equal(2);
    expect(semaphore.active).to.equal(0);
    expect(semaphore.waiting).to.equal(0);
  });

  it('admits queued callers first come, first served', async () => {
    const semaphore = createSemaphore(1);
    const first = gate();
    const started: string[] = [];
    const done = [
      semaphore.run(async () => {
        started.push('first');
        await first.promise;
      }),
      ...['second', 'third', 'fourth'].map((name) =>
        semaphore.run(async () => {
          started.push(name);
        }),
      ),
    ];
    await flush();
    expect(started).to.deep.equal(['first']);
    first.open();
    await Promise.all(done);
    expect(started).to.deep.equal(['first', 'second', 'third', 'fourth']);
  });

  it('frees the slot when a task fails, and passes the failure on', async () => {
    const semaphore = createSemaphore(1);
    const failing = semaphore.run(async () => {
      throw new Error('boom');
    });
    const next = semaphore.run(async () => 'ran');
    let message = '';
    await failing.catch((error: Error) => {
      message = error.message;
    });
    expect(message).to.equal('boom');
    expect(await next).to.equal('ran');
    expect(semaphore.active).to.equal(0);
  });

  it('frees the slot when a task throws before returning a promise', async () => {
    const semaphore = createSemaphore(1);
    const throwing = semaphore.run(() => {
      throw new Error('sync');
    });
    let message = '';
    await throwing.catch((error: Error) => {
      message = error.message;
    });
    expect(message).to.equal('sync');
    expect(await semaphore.run(async () => 'ran')).to.equal('ran');
  });

  it('refuses a size that is not a positive integer', () => {
    for (const size of [0, -1, 1.5, Number.NaN]) {
      expect(() => createSemaphore(size), String(size)).to.throw(RangeError);
    }
  });
});
