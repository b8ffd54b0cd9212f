// When a write may be acknowledged: once no other instance can still answer from a cache that predates it.
import { monotonicMs } from '../time';

/**
 * How instances sharing one PostgreSQL agree on a revocation (the reasoning lives here, in one place).
 *
 * Every instance listens on one channel. Three kinds of message travel on it, and PostgreSQL delivers them
 * to every listener in the order their transactions committed:
 *
 * - a write's invalidation, sent inside the write's transaction (so it arrives exactly when the write
 *   commits), naming the writer and the write's sequence number;
 * - a heartbeat, which an instance sends every `heartbeatMs` and hears back itself;
 * - an acknowledgement, which an instance sends once it has dropped what another instance's write made stale.
 *
 * The lease. An instance answers from its cache only until `sentAt + leaseMs`, where `sentAt` is the time
 * (on its own monotonic clock) at which it sent the last heartbeat it heard back. Hearing a heartbeat back
 * means every message committed before that heartbeat has been delivered and applied first. An instance
 * whose listening connection is frozen, slow or gone stops hearing its heartbeats, and so stops answering
 * from its cache within `leaseMs`, whatever TCP thinks of the connection.
 *
 * Why a write W is safe `leaseMs` after its commit, whatever happens: an instance that has not yet applied W
 * has heard back no heartbeat committed after W (that heartbeat would have come after W), so its lease rests
 * on a heartbeat sent before W committed, and ends less than `leaseMs` after W committed. The writer measures
 * from the moment it saw its commit succeed, which is later still. That is the writer's fallback deadline.
 *
 * Why waiting for acknowledgements is enough before then: the writer hears its own W come back, and at that
 * moment it has heard every heartbeat committed before W. Only instances with such a heartbeat sent in the
 * last `leaseMs` can still hold a lease that predates W; the writer waits for each of them to acknowledge W,
 * or for its lease to lapse (`leaseMs` after the writer heard that heartbeat, which was no earlier than when
 * it was sent). A heartbeat committed after W does not count: the instance applies W before hearing it.
 *
 * Instances a writer has not heard from because its own listener (re)started recently are learned from the
 * database itself: once listening, it reads which listeners exist (see notify-channel.ts) and counts each as
 * heard at that moment. An instance whose listening connection has already ended has its connection closed
 * by the database and stops answering from its cache as soon as it reads that; failing that, its lease
 * lapses.
 *
 * `marginMs` is added to every lapse the writer computes, for two clocks that do not tick at exactly the
 * same rate and for timers that fire late. Leases are measured on the monotonic clock (monotonicMs): a wall
 * clock stepped back or forward changes nothing.
 */

export interface AgreementOptions {
  /** How long a heard heartbeat lets an instance answer from its cache. */
  leaseMs: number;
  /** Added to every lapse computed for another instance; default a tenth of the lease. */
  marginMs?: number;
  /** A monotonic clock in milliseconds (default monotonicMs). */
  now?: () => number;
}

/** A write's invalidation between its transaction and its acknowledgement. */
export interface PendingWrite {
  readonly seq: number;
  /** The write committed: resolves once no other instance can answer from a cache that predates it. */
  committed(): Promise<void>;
  /** The write did not commit: nothing to wait for. */
  abandon(): void;
}

interface Pending {
  seq: number;
  /** Instances that acknowledged (possibly before the commit was seen here). */
  acked: Set<string>;
  /** Set when the write came back: each instance that may hold an older lease, and when that lease lapses. */
  waitingFor?: Map<string, number>;
  /** Set at commit: when the write is safe whatever was heard. */
  deadline?: number;
  timer?: NodeJS.Timeout;
  resolve?: () => void;
}

export function createAgreement(options: AgreementOptions) {
  const { leaseMs } = options;
  const marginMs = options.marginMs ?? leaseMs / 10;
  const now = options.now ?? monotonicMs;
  /** Other instances, and when (on this clock) each was last heard. */
  const heardAt = new Map<string, number>();
  const pending = new Map<number, Pending>();
  let seq = 0;

  function settle(write: Pending): void {
    clearTimeout(write.timer);
    pending.delete(write.seq);
    write.resolve?.();
  }

  function check(write: Pending): void {
    if (write.deadline === undefined) return;
    const at = now();
    let next = write.deadline;
    if (at < next && write.waitingFor !== undefined) {
      let waiting = false;
      for (const [peer, lapse] of write.waitingFor) {
        if (write.acked.has(peer) || lapse <= at) continue;
        waiting = true;
        next = Math.min(next, lapse);
      }
      if (!waiting) next = at;
    }
    if (at >= next) {
      settle(write);
      return;
    }
    clearTimeout(write.timer);
    // Timers may fire a little early or late; the next check reads the clock again.
    write.timer = setTimeout(() => check(write), Math.ceil(next - at) + 1);
    write.timer.unref();
  }

  return {
    /** A new write's invalidation, before its transaction: its sequence number goes into the message. */
    begin(): PendingWrite {
      const write: Pending = { seq: ++seq, acked: new Set() };
      pending.set(write.seq, write);
      return {
        seq: write.seq,
        committed: () =>
          new Promise<void>((resolve) => {
            write.resolve = resolve;
            write.deadline = now() + leaseMs + marginMs;
            check(write);
          }),
        abandon: () => settle(write),
      };
    },

    /** Another instance's heartbeat was heard. */
    heard(peer: string): void {
      heardAt.set(peer, now());
    },

    /** Instances found listening (when this instance's listener started): as if each had just been heard. */
    listening(peers: Iterable<string>): void {
      const at = now();
      for (const peer of peers) heardAt.set(peer, Math.max(heardAt.get(peer) ?? at, at));
    },

    /** One of this instance's writes came back on its listener: who may still hold a lease that predates it. */
    cameBack(seqOfWrite: number): void {
      const write = pending.get(seqOfWrite);
      if (write === undefined) return;
      const at = now();
      write.waitingFor = new Map();
      for (const [peer, heard] of heardAt) {
        const lapse = heard + leaseMs + marginMs;
        if (lapse > at) write.waitingFor.set(peer, lapse);
        // Long gone (stopped, or restarted under a new name): forgotten.
        else if (lapse + leaseMs * 60 < at) heardAt.delete(peer);
      }
      check(write);
    },

    /** `peer` has dropped what this instance's write `seqOfWrite` made stale. */
    acknowledged(peer: string, seqOfWrite: number): void {
      const write = pending.get(seqOfWrite);
      if (write === undefined) return;
      write.acked.add(peer);
      check(write);
    },

    /** `peer` no longer answers from a cache (it is closing): nothing to wait for from it. */
    left(peer: string): void {
      heardAt.delete(peer);
      for (const write of pending.values()) {
        write.acked.add(peer);
        check(write);
      }
    },
  };
}

export type Agreement = ReturnType<typeof createAgreement>;
