// Which driver errors mean "the store cannot take this now, try again" (503 with Retry-After), for both stores.

/** The store is busy, full or unreachable for now; the request may be retried. Nothing was acknowledged. */
export class StoreUnavailableError extends Error {
  override name = 'StoreUnavailableError';

  constructor(
    message: string,
    /** Seconds a client should wait before retrying (the Retry-After header). */
    readonly retryAfterSeconds = 1,
  ) {
    super(message);
  }
}

/**
 * SQLite result codes (better-sqlite3 puts the extended code, e.g. `SQLITE_IOERR_WRITE`, in `error.code`).
 * A full disk or an I/O error leaves the connection usable: the failed transaction is rolled back and the
 * next one succeeds once space returns, so all of these are temporary from the client's point of view.
 */
const SQLITE_FAULTS: ReadonlyArray<readonly [prefix: string, message: string, retryAfterSeconds: number]> = [
  ['SQLITE_BUSY', 'The database is busy.', 1],
  ['SQLITE_LOCKED', 'The database is busy.', 1],
  ['SQLITE_FULL', 'The disk holding the database is full.', 30],
  ['SQLITE_IOERR', 'The database could not be read or written (I/O error).', 5],
  ['SQLITE_CANTOPEN', 'The database file could not be opened.', 5],
  ['SQLITE_READONLY', 'The database cannot be written now.', 30],
  ['SQLITE_NOMEM', 'The server is out of memory.', 5],
  ['SQLITE_PROTOCOL', 'The database is busy.', 1],
];

/**
 * PostgreSQL SQLSTATE classes and codes that mean the server is down, restarting, overloaded or out of
 * space, or that the transaction lost a race and may simply be repeated.
 */
const POSTGRES_CLASSES = new Set(['08', '53', '57', '58']);
const POSTGRES_CODES = new Set(['40001', '40P01', '55P03', '55006', '25006']);
/** Socket-level failures of the connection to PostgreSQL. */
const NETWORK_CODES = new Set(
  'ECONNREFUSED ECONNRESET ETIMEDOUT EPIPE EHOSTUNREACH ENETUNREACH EAI_AGAIN'.split(' '),
);
/** node-postgres reports a lost or unobtainable connection by message only. */
const POSTGRES_MESSAGES =
  /Connection terminated|connection error|not queryable|timeout exceeded when trying to connect|Client was closed/i;
/**
 * A wait that reached its bound: PostgreSQL cancelled the statement (57014, the statement timeout, a lock wait
 * included), or gave no answer at all (node-postgres's query timeout).
 */
const POSTGRES_TIMEOUT_CODE = '57014';
const POSTGRES_TIMEOUT_MESSAGE = /^Query read timeout$/;

/** The store's own error for a driver error that means "unavailable for now", or undefined for any other. */
export function asStoreUnavailable(error: unknown): StoreUnavailableError | undefined {
  if (error instanceof StoreUnavailableError) return error;
  if (!(error instanceof Error)) return undefined;
  const code = 'code' in error && typeof error.code === 'string' ? error.code : undefined;
  if (code?.startsWith('SQLITE_')) {
    const fault = SQLITE_FAULTS.find(([prefix]) => code === prefix || code.startsWith(`${prefix}_`));
    return fault ? new StoreUnavailableError(fault[1], fault[2]) : undefined;
  }
  if (code !== undefined && NETWORK_CODES.has(code)) {
    return new StoreUnavailableError('The database cannot be reached.', 5);
  }
  if (code === POSTGRES_TIMEOUT_CODE || POSTGRES_TIMEOUT_MESSAGE.test(error.message))
    return new StoreUnavailableError('The database did not answer in time.', 1);
  if (code !== undefined && /^[0-9A-Z]{5}$/.test(code)) {
    if (code === '53100') return new StoreUnavailableError('The disk holding the database is full.', 30);
    if (POSTGRES_CODES.has(code) || POSTGRES_CLASSES.has(code.slice(0, 2))) {
      return new StoreUnavailableError('The database is unavailable.', code.startsWith('40') ? 1 : 5);
    }
    return undefined;
  }
  if (POSTGRES_MESSAGES.test(error.message))
    return new StoreUnavailableError('The database cannot be reached.', 5);
  return undefined;
}
