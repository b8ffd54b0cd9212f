// One at a time per key, with a bound on how many may wait: sign-in attempts for one account, or from one
// client, run in turn, so each sees the failures recorded by the one before it.
import { rateLimited } from '../errors';

export function createKeyedLock(
  maxWaiting: number,
  busyMessage = 'Too many sign-ins at once; try again in a second.',
) {
  const tails = new Map<string, { tail: Promise<void>; waiting: number }>();

  return async function withLock<T>(key: string, work: () => Promise<T>): Promise<T> {
    const entry = tails.get(key) ?? { tail: Promise.resolve(), waiting: 0 };
    if (entry.waiting >= maxWaiting) throw rateLimited(1, busyMessage);
    let release: () => void = () => {};
    const mine = new Promise<void>((resolve) => {
      release = resolve;
    });
    const previous = entry.tail;
    entry.tail = previous.then(() => mine);
    entry.waiting++;
    tails.set(key, entry);
    try {
      await previous;
      return await work();
    } finally {
      release();
      entry.waiting--;
      if (entry.waiting === 0) tails.delete(key);
    }
  };
}
