// The store's schema, version by version, written once with each dialect's column types filled in.
export interface Migration {
  name: string;
  sqlite: string;
  postgres: string;
}

/** Column types and table options as each dialect spells them. */
interface Types {
  id: string;
  bigint: string;
  flag: string;
  true: string;
  strings: string;
  bytes: string;
  strict: string;
}

const SQLITE: Types = {
  id: 'INTEGER PRIMARY KEY',
  bigint: 'INTEGER',
  flag: 'INTEGER',
  true: '1',
  strings: "TEXT NOT NULL DEFAULT '[]'",
  bytes: 'BLOB',
  strict: ' STRICT',
};

const POSTGRES: Types = {
  id: 'BIGSERIAL PRIMARY KEY',
  bigint: 'BIGINT',
  flag: 'BOOLEAN',
  true: 'TRUE',
  strings: "TEXT[] NOT NULL DEFAULT '{}'",
  bytes: 'BYTEA',
  strict: '',
};

const DEFINITIONS: readonly { name: string; sql: (t: Types) => string }[] = [
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
    // The account cap of sign-in limits spares clients that signed in to the account before (SPEC §5).
    name: 'known sign-in clients',
    sql: (t) => `CREATE TABLE sign_in_clients (
       key TEXT PRIMARY KEY,
       last_success ${t.bigint} NOT NULL
     )${t.strict};
     CREATE INDEX sign_in_clients_by_time ON sign_in_clients (last_success);`,
  },
  {
    // The trail belongs to the account, not its name (SPEC §3.3): a new account under an old name sees nothing
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
];

export const MIGRATIONS: readonly Migration[] = DEFINITIONS.map(({ name, sql }) => ({
  name,
  sqlite: sql(SQLITE),
  postgres: sql(POSTGRES),
}));
