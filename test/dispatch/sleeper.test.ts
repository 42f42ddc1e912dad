import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Sleeper } from '../../src/dispatch/sleeper.js';

/** Resolves to whether `p` settled within `ms` of real time. */
const settles = (p: Promise<void>, ms: number) =>
  Promise.race([p.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), ms))]);

describe('Sleeper', () => {
  it('a wake for work due before the planned end cuts the sleep short; a later one does not', async () => {
    const s = new Sleeper();
    s.beginRound();
    const sleeping = s.sleep(60_000, 1_000);
    s.wake(1_000 + 120_000);
    assert.equal(await settles(sleeping, 50), false);
    s.wake(1_000 + 30_000);
    assert.equal(await settles(sleeping, 50), true);
  });

  it('a wake heard while awake is kept for the next sleep, by its instant', async () => {
    const s = new Sleeper();
    s.beginRound();
    s.wake(10_000 + 600_000);
    const unaffected = s.sleep(60_000, 10_000);
    assert.equal(await settles(unaffected, 50), false, 'work due after the planned round costs no round');
    s.wake();

    s.beginRound();
    s.wake(10_000);
    assert.equal(await settles(s.sleep(60_000, 10_000), 50), true, 'work due now: no sleep at all');

    s.beginRound();
    s.wake(10_020);
    assert.equal(await settles(s.sleep(60_000, 10_000), 500), true, 'sleeps only until the instant heard');
  });

  it('a new round forgets the wakes it answers', async () => {
    const s = new Sleeper();
    s.wake(0);
    s.beginRound();
    const sleeping = s.sleep(60_000, 5);
    assert.equal(await settles(sleeping, 50), false);
    s.wake();
    await sleeping;
  });
});
