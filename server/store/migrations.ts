// The store's schema, version by version, written once with each dialect's column types filled in.
export interface Migration {
  name: string;
  sqlite: string;
  postgres: string;
}

/** Column types and table options as each dialect spells them. */
const SQLITE = {
  dialect: 'sqlite' as 'sqlite' | 'postgres',
  id: 'INTEGER PRIMARY KEY',
  bigint: 'INTEGER',
  flag: 'INTEGER',
  true: '1',
  strings: "TEXT NOT NULL DEFAULT '[]'",
  bytes: 'BLOB',
  strict: ' STRICT',
};

const POSTGRES: typeof SQLITE = {
  dialect: 'postgres',
  id: 'BIGSERIAL PRIMARY KEY',
  bigint: 'BIGINT',
  flag: 'BOOLEAN',
  true: 'TRUE',
  strings: "TEXT[] NOT NULL DEFAULT '{}'",
  bytes: 'BYTEA',
  strict: '',
};

const DEFINITIONS: readonly { name: string; sql: (t: typeof SQLITE) => string }[] = [
  {
    name: 'users and tokens',
    sql: (t) => `CREATE TABLE users (
       id ${t.id},
       name TEXT NOT NULL UNIQUE,
       password_hash TEXT NOT NULL,
       roles ${t.strings},
       enabled ${t.flag} NOT NULL DEFAULT ${t.true},
       created_at ${t.bigint} NOT NULL
     )${t.strict};
     CREATE TABLE tokens (
       id ${t.id},
       user_id ${t.bigint} NOT NULL REFERENCES users(id) ON DELETE CASCADE,
       name TEXT NOT NULL,
       description TEXT NOT NULL DEFAULT '',
       type TEXT NOT NULL CHECK (type IN ('USER', 'SESSION')),
       source TEXT NOT NULL CHECK (source IN ('api', 'web', 'apidoc', 'tokenservice')),
       digest TEXT NOT NULL UNIQUE,
       enabled ${t.flag} NOT NULL,
       restricted ${t.flag} NOT NULL,
       permissions ${t.strings},
       created_at ${t.bigint} NOT NULL,
       saved_at ${t.bigint} NOT NULL,
       expires_at ${t.bigint} NOT NULL,
       last_used_at ${t.bigint},
       UNIQUE (user_id, name)
     )${t.strict};
     CREATE INDEX tokens_by_owner ON tokens (user_id, created_at DESC, id DESC);`,
  },
  {
    // The cleanup task finds expired session tokens without scanning every token.
    name: 'index for cleanup',
    sql: () => 'CREATE INDEX tokens_by_type_expiry ON tokens (type, expires_at);',
  },
  {
    name: 'repositories and items',
    sql: (t) => `CREATE TABLE repositories (
       id ${t.id},
       name TEXT NOT NULL UNIQUE,
       description TEXT NOT NULL DEFAULT '',
       owner_id ${t.bigint} REFERENCES users(id) ON DELETE SET NULL,
       created_at ${t.bigint} NOT NULL
     )${t.strict};
     CREATE INDEX repositories_by_owner ON repositories (owner_id);
     CREATE TABLE items (
       id ${t.id},
       repository_id ${t.bigint} NOT NULL REFERENCES repositories(id) ON DELETE CASCADE,
       name TEXT NOT NULL,
       type TEXT NOT NULL,
       content_type TEXT NOT NULL,
       size INTEGER NOT NULL,
       content ${t.bytes} NOT NULL,
       created_at ${t.bigint} NOT NULL,
       UNIQUE (repository_id, name)
     )${t.strict};`,
  },
  {
    name: 'audit trail',
    sql: (t) => `CREATE TABLE audit_events (
       id ${t.id},
       at ${t.bigint} NOT NULL,
       event TEXT NOT NULL,
       owner TEXT NOT NULL,
       token_name TEXT NOT NULL,
       token_type TEXT NOT NULL,
       actor TEXT,
       client TEXT,
       reason TEXT
     )${t.strict};
     CREATE INDEX audit_by_owner ON audit_events (owner, id DESC);`,
  },
  {
    // Sign-in failures live in the store so that every instance sharing it counts them together.
    name: 'sign-in failures',
    sql: (t) => `CREATE TABLE sign_in_streaks (
       key TEXT PRIMARY KEY,
       failures INTEGER NOT NULL,
       last_failure ${t.bigint} NOT NULL,
       blocked_until ${t.bigint} NOT NULL
     )${t.strict};
     CREATE TABLE account_failures (
       id ${t.id},
       account TEXT NOT NULL,
       at ${t.bigint} NOT NULL
     )${t.strict};
     CREATE INDEX account_failures_by_account ON account_failures (account, at DESC);`,
  },
  {
    // The account cap of sign-in limits spares clients that signed in to the account before.
    name: 'known sign-in clients',
    sql: (t) => `CREATE TABLE sign_in_clients (
       key TEXT PRIMARY KEY,
       last_success ${t.bigint} NOT NULL
     )${t.strict};
     CREATE INDEX sign_in_clients_by_time ON sign_in_clients (last_success);`,
  },
  {
    // The trail belongs to the account, not its name: a new account under an old name sees nothing
    // of the old one. Existing events go to the account of that name that existed when they happened.
    name: 'audit owned by account id',
    sql: (
      t,
    ) => `ALTER TABLE audit_events ADD COLUMN owner_id ${t.bigint} REFERENCES users(id) ON DELETE SET NULL;
     UPDATE audit_events SET owner_id = (
       SELECT id FROM users WHERE users.name = audit_events.owner AND users.created_at <= audit_events.at);
     DROP INDEX audit_by_owner;
     CREATE INDEX audit_by_owner_id ON audit_events (owner_id, id DESC);`,
  },
  {
    // totalCount without counting: per owner and type, kept by triggers on every insert and delete
    // (cascades and bulk writes included). Pages seek by (created_at, id) instead of skipping with OFFSET.
    name: 'kept token counts, keyset indexes',
    sql: (t) => `CREATE TABLE token_counts (
       user_id ${t.bigint} NOT NULL REFERENCES users(id) ON DELETE CASCADE,
       type TEXT NOT NULL,
       n ${t.bigint} NOT NULL,
       PRIMARY KEY (user_id, type)
     )${t.strict};
     INSERT INTO token_counts (user_id, type, n) SELECT user_id, type, count(*) FROM tokens GROUP BY user_id, type;
     CREATE INDEX tokens_by_owner_expiry ON tokens (user_id, type, expires_at);
     CREATE INDEX tokens_by_age ON tokens (created_at DESC, id DESC);
     ${t.dialect === 'sqlite' ? SQLITE_COUNTING : POSTGRES_COUNTING}`,
  },
  {
    // Short-lived children of API tokens: not tokens (no name, no count), gone with their parent or its owner.
    name: 'leases',
    sql: (t) => `CREATE TABLE leases (
       id ${t.id},
       parent_id ${t.bigint} NOT NULL REFERENCES tokens(id) ON DELETE CASCADE,
       user_id ${t.bigint} NOT NULL REFERENCES users(id) ON DELETE CASCADE,
       digest TEXT NOT NULL UNIQUE,
       created_at ${t.bigint} NOT NULL,
       expires_at ${t.bigint} NOT NULL,
       last_used_at ${t.bigint}
     )${t.strict};
     CREATE INDEX leases_by_parent ON leases (parent_id, expires_at);
     CREATE INDEX leases_by_owner ON leases (user_id);`,
  },
  {
    // When a token was reported as leaked (and so disabled); null while it was not.
    name: 'exposed tokens',
    sql: (t) => `ALTER TABLE tokens ADD COLUMN exposed_at ${t.bigint};`,
  },
  {
    // Where a token was last used from (an address block and a client family, written with last_used_at), and
    // every address block it was ever used from: the first use from a new one is an audit event.
    name: 'token use origins',
    sql: (t) => `ALTER TABLE tokens ADD COLUMN last_used_address TEXT;
     ALTER TABLE tokens ADD COLUMN last_used_client TEXT;
     CREATE TABLE token_addresses (
       token_id ${t.bigint} NOT NULL REFERENCES tokens(id) ON DELETE CASCADE,
       address TEXT NOT NULL,
       first_used_at ${t.bigint} NOT NULL,
       PRIMARY KEY (token_id, address)
     )${t.strict};`,
  },
  {
    // Every write to what a verification reads (a token's row but its last use, a user's row), logged by
    // triggers, so bulk writes, cascades and writes past the server included: the token cache's refresh reads
    // what changed since its last pass instead of every token. Trimmed by age (the cache reads everything
    // again when its place in the log was trimmed away).
    name: 'token change log',
    sql: (t) => `CREATE TABLE token_changes (
       seq ${t.dialect === 'sqlite' ? 'INTEGER PRIMARY KEY AUTOINCREMENT' : 'BIGSERIAL PRIMARY KEY'},
       token_id ${t.bigint},
       user_id ${t.bigint},
       at ${t.bigint} NOT NULL DEFAULT (${t.dialect === 'sqlite' ? 'unixepoch()' : 'extract(epoch FROM now())::bigint'})
     )${t.strict};
     CREATE INDEX token_changes_by_age ON token_changes (at);
     ${t.dialect === 'sqlite' ? SQLITE_CHANGE_LOG : POSTGRES_CHANGE_LOG}`,
  },
  {
    // A token's row is rewritten at each last use (once a minute while it is used). PostgreSQL writes a new
    // version of the row: on the same page when the page has room, and then none of the token's seven indexes
    // changes (a heap-only update); on another page, every one of them gets an entry. Pages filled to 70% leave
    // that room, and later updates reuse the room of the versions no transaction sees any more. It shapes the pages
    // written from now on. SQLite updates the row where it is: nothing to do.
    name: 'room on each page for last uses',
    sql: (t) =>
      t.dialect === 'postgres'
        ? 'ALTER TABLE tokens SET (fillfactor = 70)'
        : '-- SQLite updates rows in place',
  },
  {
    // Requests counted per client network in fixed windows, in the store so that every instance counts together.
    name: 'request windows',
    sql: (t) => `CREATE TABLE request_windows (
       key TEXT PRIMARY KEY,
       count INTEGER NOT NULL,
       ends_at ${t.bigint} NOT NULL
     )${t.strict};
     CREATE INDEX request_windows_by_end ON request_windows (ends_at);`,
  },
];

/** The token columns a verification reads: a write to any of them is logged (a last use is not). */
const LOGGED_TOKEN_COLUMNS =
  'user_id, name, digest, type, source, enabled, restricted, permissions, created_at, expires_at';

const SQLITE_CHANGE_LOG = `CREATE TRIGGER tokens_logged_in AFTER INSERT ON tokens BEGIN
       INSERT INTO token_changes (token_id, user_id) VALUES (NEW.id, NEW.user_id);
     END;
     CREATE TRIGGER tokens_logged_changed AFTER UPDATE OF ${LOGGED_TOKEN_COLUMNS} ON tokens BEGIN
       INSERT INTO token_changes (token_id, user_id) VALUES (NEW.id, NEW.user_id);
     END;
     CREATE TRIGGER tokens_logged_out AFTER DELETE ON tokens BEGIN
       INSERT INTO token_changes (token_id, user_id) VALUES (OLD.id, OLD.user_id);
     END;
     CREATE TRIGGER users_logged_changed AFTER UPDATE ON users BEGIN
       INSERT INTO token_changes (user_id) VALUES (NEW.id);
     END;
     CREATE TRIGGER users_logged_out AFTER DELETE ON users BEGIN
       INSERT INTO token_changes (user_id) VALUES (OLD.id);
     END;`;

// Inserts and deletes once per statement (a bulk insert is one log insert); updates per row, since PostgreSQL
// cannot give a trigger limited to some columns a transition table.
const POSTGRES_CHANGE_LOG = `CREATE FUNCTION log_token_rows() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN
       INSERT INTO token_changes (token_id, user_id) SELECT id, user_id FROM changed ORDER BY id;
       RETURN NULL;
     END $$;
     CREATE FUNCTION log_token_row() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN
       INSERT INTO token_changes (token_id, user_id) VALUES (NEW.id, NEW.user_id);
       RETURN NULL;
     END $$;
     CREATE FUNCTION log_user_row() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN
       INSERT INTO token_changes (user_id) VALUES (OLD.id);
       RETURN NULL;
     END $$;
     CREATE TRIGGER tokens_logged_in AFTER INSERT ON tokens REFERENCING NEW TABLE AS changed
       FOR EACH STATEMENT EXECUTE FUNCTION log_token_rows();
     CREATE TRIGGER tokens_logged_out AFTER DELETE ON tokens REFERENCING OLD TABLE AS changed
       FOR EACH STATEMENT EXECUTE FUNCTION log_token_rows();
     CREATE TRIGGER tokens_logged_changed AFTER UPDATE OF ${LOGGED_TOKEN_COLUMNS} ON tokens
       FOR EACH ROW EXECUTE FUNCTION log_token_row();
     CREATE TRIGGER users_logged_changed AFTER UPDATE OR DELETE ON users
       FOR EACH ROW EXECUTE FUNCTION log_user_row();`;

// SQLite triggers run per row; a cascade from a deleted user fires them as well.
const SQLITE_COUNTING = `CREATE TRIGGER tokens_counted_in AFTER INSERT ON tokens BEGIN
       INSERT INTO token_counts (user_id, type, n) VALUES (NEW.user_id, NEW.type, 1)
         ON CONFLICT (user_id, type) DO UPDATE SET n = n + 1;
     END;
     CREATE TRIGGER tokens_counted_out AFTER DELETE ON tokens BEGIN
       UPDATE token_counts SET n = n - 1 WHERE user_id = OLD.user_id AND type = OLD.type;
     END;`;

// PostgreSQL counts once per statement over its transition table, so a bulk insert updates each count once.
// A delete only subtracts: the owner's counts may already be gone with the owner (the cascade).
const POSTGRES_COUNTING = `CREATE FUNCTION count_tokens() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN
       IF TG_OP = 'INSERT' THEN
         INSERT INTO token_counts (user_id, type, n)
           SELECT user_id, type, count(*) FROM changed GROUP BY user_id, type ORDER BY user_id, type
           ON CONFLICT (user_id, type) DO UPDATE SET n = token_counts.n + excluded.n;
       ELSE
         UPDATE token_counts SET n = token_counts.n - gone.n
           FROM (SELECT user_id, type, count(*) AS n FROM changed GROUP BY user_id, type) gone
           WHERE token_counts.user_id = gone.user_id AND token_counts.type = gone.type;
       END IF;
       RETURN NULL;
     END $$;
     CREATE TRIGGER tokens_counted_in AFTER INSERT ON tokens REFERENCING NEW TABLE AS changed
       FOR EACH STATEMENT EXECUTE FUNCTION count_tokens();
     CREATE TRIGGER tokens_counted_out AFTER DELETE ON tokens REFERENCING OLD TABLE AS changed
       FOR EACH STATEMENT EXECUTE FUNCTION count_tokens();`;

export const MIGRATIONS: readonly Migration[] = DEFINITIONS.map(({ name, sql }) => ({
  name,
  sqlite: sql(SQLITE),
  postgres: sql(POSTGRES),
}));
