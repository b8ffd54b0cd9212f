// The groups of the API documentation, in the order the docs page shows them.
export const TAGS = {
  tokens: 'Tokens',
  sessions: 'Sessions',
  server: 'Server',
  tokenService: 'Token service (legacy)',
  security: 'Users and permissions',
  repositories: 'Repositories (sample API)',
  docs: 'Documentation',
  v4: 'FME API v4 (the calls FME clients make)',
} as const;

export type Tag = (typeof TAGS)[keyof typeof TAGS];
