// Versioned schema of the SQLite store; PRAGMA user_version records how many have been applied.
export const SQLITE_MIGRATIONS: readonly string[] = [
  `CREATE TABLE users (
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
  // The cleanup task finds expired session tokens without scanning every token.
  `CREATE INDEX tokens_by_type_expiry ON tokens (type, expires_at);`,
  `CREATE TABLE repositories (
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
  `CREATE TABLE audit_events (
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
];
