import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createAgreement } from './agreement';

const LEASE = 1000;
const MARGIN = 100;

/** Whether the promise has settled, after the microtasks already queued. */
async function settled(promise: Promise<void>): Promise<boolean> {
  let done = false;
  void promise.then(() => {
    done = true;
  });
  await Promise.resolve();
  await Promise.resolve();
  return done;
}

describe('agreement on a write between instances', () => {
  beforeEach(() => {
    // The agreement reads the monotonic clock and re-checks on timers: both move only when the test says.
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance', 'Date'] });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  const agreement = () => createAgreement({ leaseMs: LEASE, marginMs: MARGIN });

  it('settles as soon as the write comes back when no other instance was heard', async () => {
    const a = agreement();
    const write = a.begin();
    const done = write.committed();
    expect(await settled(done)).toBe(false);
    a.cameBack(write.seq);
    expect(await settled(done)).toBe(true);
  });

  it('waits for every instance heard before the write came back, until each acknowledges it', async () => {
    const a = agreement();
    a.heard('b');
    a.heard('c');
    const write = a.begin();
    const done = write.committed();
    a.cameBack(write.seq);
    a.acknowledged('b', write.seq);
    expect(await settled(done)).toBe(false);
    // An acknowledgement of another write, or from an instance not waited for, changes nothing.
    a.acknowledged('c', write.seq + 1);
    a.acknowledged('d', write.seq);
    expect(await settled(done)).toBe(false);
    a.acknowledged('c', write.seq);
    expect(await settled(done)).toBe(true);
  });

  it('counts acknowledgements and its own echo that arrive before the commit was seen', async () => {
    const a = agreement();
    a.heard('b');
    const write = a.begin();
    a.cameBack(write.seq);
    a.acknowledged('b', write.seq);
    expect(await settled(write.committed())).toBe(true);
  });

  it('stops waiting for a silent instance once its lease has lapsed: the lease, and the margin, after it was last heard', async () => {
    const a = agreement();
    a.heard('frozen');
    vi.advanceTimersByTime(400);
    const write = a.begin();
    const done = write.committed();
    a.cameBack(write.seq);
    vi.advanceTimersByTime(LEASE + MARGIN - 400 - 1);
    expect(await settled(done)).toBe(false);
    vi.advanceTimersByTime(2);
    expect(await settled(done)).toBe(true);
  });

  it('does not wait for an instance heard only after the write came back: it applies the write before that heartbeat', async () => {
    const a = agreement();
    const write = a.begin();
    const done = write.committed();
    a.cameBack(write.seq);
    a.heard('late');
    expect(await settled(done)).toBe(true);
  });

  it('waits for instances found listening at start-up as if they had just been heard', async () => {
    const a = agreement();
    a.listening(['b']);
    const write = a.begin();
    const done = write.committed();
    a.cameBack(write.seq);
    expect(await settled(done)).toBe(false);
    a.acknowledged('b', write.seq);
    expect(await settled(done)).toBe(true);
  });

  it('never waits longer than the lease and the margin after the commit, even when the write never comes back', async () => {
    const a = agreement();
    a.heard('b');
    const write = a.begin();
    const done = write.committed();
    vi.advanceTimersByTime(LEASE + MARGIN - 1);
    expect(await settled(done)).toBe(false);
    vi.advanceTimersByTime(2);
    expect(await settled(done)).toBe(true);
  });

  it('ignores the wall clock: a clock stepped back an hour does not stretch a wait', async () => {
    const a = agreement();
    a.heard('frozen');
    const write = a.begin();
    const done = write.committed();
    a.cameBack(write.seq);
    vi.setSystemTime(Date.now() - 3_600_000);
    vi.advanceTimersByTime(LEASE + MARGIN + 1);
    expect(await settled(done)).toBe(true);
  });

  it('does not wait for an instance that left (it closed, and answers from no cache)', async () => {
    const a = agreement();
    a.heard('b');
    const write = a.begin();
    const done = write.committed();
    a.cameBack(write.seq);
    a.left('b');
    expect(await settled(done)).toBe(true);
    const next = a.begin();
    const nextDone = next.committed();
    a.cameBack(next.seq);
    expect(await settled(nextDone)).toBe(true);
  });
});
