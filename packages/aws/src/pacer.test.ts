// The LookupEvents pacer: starts per key at most `perSecond`, and it forgets keys whose slot has
// passed (a scan of 10,000 accounts uses 20,000 account-region keys) without changing the spacing.
import t from 'tap';
import { Pacer, type PacerClock } from './pacer.ts';

function fakeClock() {
  let now = 0;
  const sleeps: number[] = [];
  const clock: PacerClock = {
    now: () => now,
    sleep: async (ms) => {
      sleeps.push(ms);
    },
  };
  return { clock, sleeps, advance: (ms: number) => (now += ms) };
}

t.test('calls of one key are spaced; other keys are not held up', async (t) => {
  const { clock, sleeps } = fakeClock();
  const pacer = new Pacer(2, clock);
  await pacer.run('111:us-east-1', async () => undefined);
  await pacer.run('111:us-east-1', async () => undefined);
  await pacer.run('222:us-east-1', async () => undefined);
  await pacer.run('111:us-east-1', async () => undefined);
  t.same(sleeps, [500, 1000]);
});

t.test('thousands of keys: past slots are forgotten, pending ones still spaced', async (t) => {
  const { clock, sleeps, advance } = fakeClock();
  const pacer = new Pacer(2, clock);
  await pacer.run('busy', async () => undefined); // next slot at 500
  for (let i = 0; i < 3_000; i++) await pacer.run(`account-${i}:us-east-1`, async () => undefined);
  t.same(sleeps, [], 'a new key never waits');
  advance(100);
  await pacer.run('busy', async () => undefined);
  t.same(sleeps, [400], 'a key whose slot is still ahead keeps its spacing through a sweep');
  advance(2_000);
  await pacer.run('account-7:us-east-1', async () => undefined);
  t.same(sleeps, [400], 'a forgotten key starts at once, as it would have anyway');
});
