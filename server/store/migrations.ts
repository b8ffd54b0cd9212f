// The store's schema, version by version, in both dialects side by side: one list, so both stores move together.
export interface Migration {
  name: string;
  sqlite: string;
  postgres: string;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    name: 'users and tokens',
    sqlite: `CREATE TABLE users (
       id INTEGER PRIMARY KEY,
       name TEXT NOT NULL UNIQUE,
       password_hash TEXT NOT NULL,
       roles TEXT NOT NULL DEFAULT '[]',
       enabled INTEGER NOT NULL DEFAULT 1,
       created_at INTEGER NOT NULL
     ) STRICT;
     CREATE TABLE tokens (
       id INTEGER PRIMARY KEY,
       user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
       name TEXT NOT NULL,
       description TEXT NOT NULL DEFAULT '',
       type TEXT NOT NULL CHECK (type IN ('USER', 'SESSION')),
       source TEXT NOT NULL CHECK (source IN ('api', 'web', 'apidoc', 'tokenservice')),
       digest TEXT NOT NULL UNIQUE,
       enabled INTEGER NOT NULL,
       restricted INTEGER NOT NULL,
       permissions TEXT NOT NULL DEFAULT '[]',
       created_at INTEGER NOT NULL,
       saved_at INTEGER NOT NULL,
       expires_at INTEGER NOT NULL,
       last_used_at INTEGER,
       UNIQUE (user_id, name)
     ) STRICT;
     CREATE INDEX tokens_by_owner ON tokens (user_id, created_at DESC, id DESC);`,
    postgres: `CREATE TABLE users (
       id BIGSERIAL PRIMARY KEY,
       name TEXT NOT NULL UNIQUE,
       password_hash TEXT NOT NULL,
       roles TEXT[] NOT NULL DEFAULT '{}',
       enabled BOOLEAN NOT NULL DEFAULT TRUE,
       created_at BIGINT NOT NULL
     );
     CREATE TABLE tokens (
       id BIGSERIAL PRIMARY KEY,
       user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
       name TEXT NOT NULL,
       description TEXT NOT NULL DEFAULT '',
       type TEXT NOT NULL CHECK (type IN ('USER', 'SESSION')),
       source TEXT NOT NULL CHECK (source IN ('api', 'web', 'apidoc', 'tokenservice')),
       digest TEXT NOT NULL UNIQUE,
       enabled BOOLEAN NOT NULL,
       restricted BOOLEAN NOT NULL,
       permissions TEXT[] NOT NULL DEFAULT '{}',
       created_at BIGINT NOT NULL,
       saved_at BIGINT NOT NULL,
       expires_at BIGINT NOT NULL,
       last_used_at BIGINT,
       UNIQUE (user_id, name)
     );
     CREATE INDEX tokens_by_owner ON tokens (user_id, created_at DESC, id DESC);`,
  },
  {
    // The cleanup task finds expired session tokens without scanning every token.
    name: 'index for cleanup',
    sqlite: 'CREATE INDEX tokens_by_type_expiry ON tokens (type, expires_at);',
    postgres: 'CREATE INDEX tokens_by_type_expiry ON tokens (type, expires_at);',
  },
  {
    name: 'repositories and items',
    sqlite: `CREATE TABLE repositories (
       id INTEGER PRIMARY KEY,
       name TEXT NOT NULL UNIQUE,
       description TEXT NOT NULL DEFAULT '',
       owner_id INTEGER REFERENCES users(id) ON DELETE SET NULL,
       created_at INTEGER NOT NULL
     ) STRICT;
     CREATE INDEX repositories_by_owner ON repositories (owner_id);
     CREATE TABLE items (
       id INTEGER PRIMARY KEY,
       repository_id INTEGER NOT NULL REFERENCES repositories(id) ON DELETE CASCADE,
       name TEXT NOT NULL,
       type TEXT NOT NULL,
       content_type TEXT NOT NULL,
       size INTEGER NOT NULL,
       content BLOB NOT NULL,
       created_at INTEGER NOT NULL,
       UNIQUE (repository_id, name)
     ) STRICT;`,
    postgres: `CREATE TABLE repositories (
       id BIGSERIAL PRIMARY KEY,
       name TEXT NOT NULL UNIQUE,
       description TEXT NOT NULL DEFAULT '',
       owner_id BIGINT REFERENCES users(id) ON DELETE SET NULL,
       created_at BIGINT NOT NULL
     );
     CREATE INDEX repositories_by_owner ON repositories (owner_id);
     CREATE TABLE items (
       id BIGSERIAL PRIMARY KEY,
       repository_id BIGINT NOT NULL REFERENCES repositories(id) ON DELETE CASCADE,
       name TEXT NOT NULL,
       type TEXT NOT NULL,
       content_type TEXT NOT NULL,
       size INTEGER NOT NULL,
       content BYTEA NOT NULL,
       created_at BIGINT NOT NULL,
       UNIQUE (repository_id, name)
     );`,
  },
  {
    name: 'audit trail',
    sqlite: `CREATE TABLE audit_events (
       id INTEGER PRIMARY KEY,
       at INTEGER NOT NULL,
       event TEXT NOT NULL,
       owner TEXT NOT NULL,
       token_name TEXT NOT NULL,
       token_type TEXT NOT NULL,
       actor TEXT,
       client TEXT,
       reason TEXT
     ) STRICT;
     CREATE INDEX audit_by_owner ON audit_events (owner, id DESC);`,
    postgres: `CREATE TABLE audit_events (
       id BIGSERIAL PRIMARY KEY,
       at BIGINT NOT NULL,
       event TEXT NOT NULL,
       owner TEXT NOT NULL,
       token_name TEXT NOT NULL,
       token_type TEXT NOT NULL,
       actor TEXT,
       client TEXT,
       reason TEXT
     );
     CREATE INDEX audit_by_owner ON audit_events (owner, id DESC);`,
  },
  {
    // Sign-in failures live in the store so that every instance sharing it counts them together.
    name: 'sign-in failures',
    sqlite: `CREATE TABLE sign_in_streaks (
       key TEXT PRIMARY KEY,
       failures INTEGER NOT NULL,
       last_failure INTEGER NOT NULL,
       blocked_until INTEGER NOT NULL
     ) STRICT;
     CREATE TABLE account_failures (
       id INTEGER PRIMARY KEY,
       account TEXT NOT NULL,
       at INTEGER NOT NULL
     ) STRICT;
     CREATE INDEX account_failures_by_account ON account_failures (account, at DESC);`,
    postgres: `CREATE TABLE sign_in_streaks (
       key TEXT PRIMARY KEY,
       failures INTEGER NOT NULL,
       last_failure BIGINT NOT NULL,
       blocked_until BIGINT NOT NULL
     );
     CREATE TABLE account_failures (
       id BIGSERIAL PRIMARY KEY,
       account TEXT NOT NULL,
       at BIGINT NOT NULL
     );
     CREATE INDEX account_failures_by_account ON account_failures (account, at DESC);`,
  },
  {
    // The account cap of sign-in limits spares clients that signed in to the account before (SPEC §5).
    name: 'known sign-in clients',
    sqlite: `CREATE TABLE sign_in_clients (
       key TEXT PRIMARY KEY,
       last_success INTEGER NOT NULL
     ) STRICT;
     CREATE INDEX sign_in_clients_by_time ON sign_in_clients (last_success);`,
    postgres: `CREATE TABLE sign_in_clients (
       key TEXT PRIMARY KEY,
       last_success BIGINT NOT NULL
     );
     CREATE INDEX sign_in_clients_by_time ON sign_in_clients (last_success);`,
  },
  {
    // The trail belongs to the account, not its name (SPEC §3.3): a new account under an old name sees nothing
    // of the old one. Existing events go to the account of that name that existed when they happened.
    name: 'audit owned by account id',
    sqlite: `ALTER TABLE audit_events ADD COLUMN owner_id INTEGER REFERENCES users(id) ON DELETE SET NULL;
     UPDATE audit_events SET owner_id = (
       SELECT id FROM users WHERE users.name = audit_events.owner AND users.created_at <= audit_events.at);
     DROP INDEX audit_by_owner;
     CREATE INDEX audit_by_owner_id ON audit_events (owner_id, id DESC);`,
    postgres: `ALTER TABLE audit_events ADD COLUMN owner_id BIGINT REFERENCES users(id) ON DELETE SET NULL;
     UPDATE audit_events SET owner_id = users.id FROM users
       WHERE users.name = audit_events.owner AND users.created_at <= audit_events.at;
     DROP INDEX audit_by_owner;
     CREATE INDEX audit_by_owner_id ON audit_events (owner_id, id DESC);`,
  },
];
