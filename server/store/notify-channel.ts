// The channel instances sharing one PostgreSQL talk on: invalidations, heartbeats and acknowledgements (see agreement.ts).
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import * as v from 'valibot';
import { monotonicMs } from '../time';
import { type Agreement, createAgreement, type PendingWrite } from './agreement';
import type { InvalidationListener, InvalidationSubject, Invalidations } from './store';

/** How long a heard heartbeat lets an instance answer from its cache, and how often it sends one. */
export interface CacheLease {
  heartbeatMs: number;
  leaseMs: number;
}

export const DEFAULT_CACHE_LEASE: CacheLease = { heartbeatMs: 250, leaseMs: 1000 };

/** The one channel every message travels on: one channel, so PostgreSQL keeps them all in commit order. */
export const CHANNEL = 'tokenward_agreement';
/** How an instance names its listening connection, so that others starting up can find it. */
const LISTENER = 'tokenward listener ';
/** A message is at most 8000 bytes; an acknowledgement names a write in about 20. */
const ACKS_PER_MESSAGE = 300;

const ListenersSchema = v.array(v.object({ application_name: v.string() }));

export interface NotifyChannel {
  invalidations: Invalidations;
  /**
   * Before a write's transaction: the message to send inside it, and the write's wait for every other
   * instance (`write.committed()` once it has committed, `write.abandon()` if it did not).
   */
  begin(): PendingWrite & { payload(subjects: readonly InvalidationSubject[]): string };
  /** Resolves once the first attempt to listen has ended, whether it worked or not (it is retried). */
  started: Promise<void>;
  close(): Promise<void>;
}

interface Session {
  /** Only ever runs LISTEN: it never holds a lock, and what it hears is all it does. */
  listener: pg.Client;
  /** Sends heartbeats and acknowledgements, and reads who else listens. */
  speaker: pg.Client;
  /** Listening, and the other listeners known: its echoes of this instance's writes can be relied on. */
  ready: boolean;
}

/**
 * Messages, space-separated: `i <instance> <seq> <subject>…` (a write's invalidation, sent inside it),
 * `h <instance> <n>` (a heartbeat), `a <instance> <writer>:<seq>…` (acknowledgements) and `b <instance>`
 * (the instance is closing). Instance names are random per process.
 */
export function createNotifyChannel(url: string, lease: CacheLease = DEFAULT_CACHE_LEASE): NotifyChannel {
  const self = randomBytes(6).toString('base64url');
  const agreement: Agreement = createAgreement({ leaseMs: lease.leaseMs });
  const subscribers = new Set<InvalidationListener>();
  // A heartbeat not heard back in this long: the connections are given up and made again.
  const giveUpAfterMs = 5 * lease.leaseMs;
  let session: Session | undefined;
  let closed = false;
  let pause = 100;
  let beats = 0;
  let beat: { n: number; sentAt: number } | undefined;
  let acks: string[] = [];

  function tell(each: (listener: InvalidationListener) => void): void {
    for (const listener of subscribers) each(listener);
  }

  function lose(lost: Session): void {
    if (session !== lost) return;
    session = undefined;
    beat = undefined;
    tell((listener) => listener.live(false));
    void end(lost);
    if (!closed) setTimeout(() => void connect(), pause).unref();
    pause = Math.min(pause * 2, 5000);
  }

  async function end({ listener, speaker }: Session): Promise<void> {
    // A frozen backend never answers the goodbye: do not wait for it.
    await Promise.race([Promise.all([listener.end(), speaker.end()]).catch(() => {}), delay(1000)]);
  }

  function onMessage(current: Session, payload: string): void {
    const [kind, from, ...rest] = payload.split(' ');
    if (from === undefined) return;
    if (kind === 'i') {
      const [seq, ...subjects] = rest;
      for (const subject of subjects) tell((listener) => listener.stale(subject));
      // Applied (synchronously, above) before it is acknowledged.
      if (from !== self) acknowledge(`${from}:${seq}`);
      else if (current.ready) agreement.cameBack(Number(seq));
    } else if (kind === 'h') {
      if (from !== self) agreement.heard(from);
      else if (beat !== undefined && Number(rest[0]) === beat.n) {
        const until = beat.sentAt + lease.leaseMs;
        beat = undefined;
        tell((listener) => listener.trustUntil(until));
      }
    } else if (kind === 'a') {
      for (const entry of rest) {
        const [writer, seq] = entry.split(':');
        if (writer === self) agreement.acknowledged(from, Number(seq));
      }
    } else if (kind === 'b' && from !== self) {
      agreement.left(from);
    }
  }

  function acknowledge(entry: string): void {
    acks.push(entry);
    // Everything that arrived in one read is acknowledged in one message.
    if (acks.length === 1) queueMicrotask(sendAcks);
  }

  function sendAcks(): void {
    const batch = acks;
    acks = [];
    const current = session;
    if (current === undefined) return;
    for (let i = 0; i < batch.length; i += ACKS_PER_MESSAGE) {
      const payload = `a ${self} ${batch.slice(i, i + ACKS_PER_MESSAGE).join(' ')}`;
      current.speaker.query('SELECT pg_notify($1, $2)', [CHANNEL, payload]).catch(() => lose(current));
    }
  }

  function heartbeat(): void {
    const current = session;
    if (current === undefined || !current.ready || subscribers.size === 0) return;
    if (beat !== undefined) {
      if (monotonicMs() - beat.sentAt > giveUpAfterMs) lose(current);
      return;
    }
    beat = { n: ++beats, sentAt: monotonicMs() };
    current.speaker
      .query('SELECT pg_notify($1, $2)', [CHANNEL, `h ${self} ${beat.n}`])
      .catch(() => lose(current));
  }

  async function connect(): Promise<void> {
    if (closed) return;
    const options = { connectionString: url, keepAlive: true, connectionTimeoutMillis: 5000 };
    const current: Session = {
      listener: new pg.Client({ ...options, application_name: `${LISTENER}${self}` }),
      speaker: new pg.Client({ ...options, application_name: `tokenward speaker ${self}` }),
      ready: false,
    };
    session = current;
    for (const client of [current.listener, current.speaker]) {
      // 'error' and 'end' may both come for one lost connection: lose() acts once per session.
      client.on('error', () => lose(current));
      client.on('end', () => lose(current));
    }
    current.listener.on('notification', (message) => {
      if (message.channel === CHANNEL && message.payload) onMessage(current, message.payload);
    });
    try {
      await Promise.all([current.listener.connect(), current.speaker.connect()]);
      // Heartbeats and acknowledgements matter only while the database runs: none waits for the disk.
      await current.speaker.query('SET synchronous_commit = off');
      await current.listener.query(`LISTEN ${CHANNEL}`);
      // Listening now: every heartbeat from here on is heard. Those sent before are stood in for by who listens.
      const { rows } = await current.speaker.query(
        'SELECT application_name FROM pg_stat_activity WHERE datname = current_database() AND application_name LIKE $1',
        [`${LISTENER}%`],
      );
      if (session !== current) return;
      const others = v
        .parse(ListenersSchema, rows)
        .map((row) => row.application_name.slice(LISTENER.length))
        .filter((name) => name !== self);
      agreement.listening(others);
      current.ready = true;
      pause = 100;
      tell((listener) => listener.live(true));
      heartbeat();
    } catch {
      lose(current);
    }
  }

  const started = connect();
  const timer = setInterval(heartbeat, lease.heartbeatMs);
  timer.unref();

  return {
    started,
    begin() {
      const write = agreement.begin();
      return { ...write, payload: (subjects) => `i ${self} ${write.seq} ${subjects.join(' ')}` };
    },
    invalidations: {
      subscribe(listener) {
        subscribers.add(listener);
        listener.live(session?.ready === true);
        heartbeat();
        return () => void subscribers.delete(listener);
      },
    },
    async close() {
      closed = true;
      clearInterval(timer);
      const current = session;
      session = undefined;
      tell((listener) => listener.live(false));
      if (current === undefined) return;
      // The others need not wait for this instance's acknowledgements any longer.
      if (current.ready) {
        await Promise.race([
          current.speaker.query('SELECT pg_notify($1, $2)', [CHANNEL, `b ${self}`]).catch(() => {}),
          delay(1000),
        ]);
      }
      await end(current);
    },
  };
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}
