// The host access a rule needs: the origins it asks the browser for, and which of them count as taken away.
import { describe, expect, it } from 'vitest';
import type { InjectionRule } from '../../shared/schemas/injection-rules';
import { type AccessFindings, missingAccess, originsFor, originsToAsk } from './host-access';
import { compileRule, parseRules } from './rule';

const token = { server: 'http://127.0.0.1:8787', user: 'admin', name: 'ci' };

function origins(patterns: string[], extra: Pick<InjectionRule, 'resourceTypes' | 'initiators'> = {}) {
  const compiled = compileRule({ id: 1, token, patterns, enabled: true, ...extra });
  if (!compiled.ok) throw new Error(compiled.message);
  return originsFor(compiled);
}

describe('the origins a rule needs', () => {
  it('names a host on both schemes, with WebSocket access unless the rule names other types', () => {
    expect(origins(['api.example.com/v1'])).toEqual([
      'http://api.example.com/*',
      'ws://api.example.com/*',
      'https://api.example.com/*',
      'wss://api.example.com/*',
    ]);
    expect(origins(['https://api.example.com:8443/v1'], { resourceTypes: ['xmlhttprequest'] })).toEqual([
      'https://api.example.com/*',
    ]);
  });

  it('names the one origin a regex is pinned to, on the schemes it names only', () => {
    expect(origins(['/^https:\\/\\/api\\.example\\.com\\/v[0-9]+\\//'])).toEqual([
      'https://api.example.com/*',
    ]);
    expect(origins(['/^https?://api\\.example\\.com:8443/items/'])).toEqual([
      'http://api.example.com/*',
      'https://api.example.com/*',
    ]);
    expect(origins(['/^(?:wss|https)://push\\.example\\.com//'])).toEqual([
      'wss://push.example.com/*',
      'https://push.example.com/*',
    ]);
  });

  it('names exactly the host a regex spells, never a shorter one it merely starts with', () => {
    // Near misses of api.example.com: a longer host, a subdomain, another port. Each asks for its own host only.
    expect(origins(['/^https://api\\.example\\.com\\.evil\\.org\\//'])).toEqual([
      'https://api.example.com.evil.org/*',
    ]);
    expect(origins(['/^https://eu\\.api\\.example\\.com\\//'])).toEqual(['https://eu.api.example.com/*']);
    expect(origins(['/^https://api\\.example\\.com:8443\\//'])).toEqual(['https://api.example.com/*']);
    // A host not pinned by a boundary (api.example.com.anything) is broad: no host is asked for.
    expect(origins(['/^https://api\\.example\\.com/'])).toEqual([]);
  });

  it('asks for nothing on loopback, which the manifest grants', () => {
    const compiled = compileRule({
      id: 1,
      token,
      patterns: ['/^http://127\\.0\\.0\\.1:3000\\/api/'],
      enabled: true,
    });
    if (!compiled.ok) throw new Error(compiled.message);
    expect(originsFor(compiled)).toEqual(['http://127.0.0.1/*']);
    expect(originsToAsk(compiled)).toEqual([]);
  });

  it('asks for no host for a broad pattern (every host or an unpinned regex), only for the pages it lists', () => {
    for (const pattern of ['*', '/api\\.example\\.com/'])
      expect(origins([pattern], { initiators: ['app.example.org'] }), pattern).toEqual([
        'http://app.example.org/*',
        'https://app.example.org/*',
      ]);
  });
});

describe('host access taken away in the browser', () => {
  const granted = (yes: Set<string>) => ({
    contains: async ({ origins }: { origins: string[] }) => origins.every((o) => yes.has(o)),
  });

  it('finds a pinned regex rule whose host was granted once and is not now', async () => {
    const rules = parseRules([
      { id: 7, token, patterns: ['/^https://api\\.example\\.com\\//'], enabled: true },
      { id: 8, token, patterns: ['/^https://other\\.example\\.com\\//'], enabled: true },
    ]);
    const known = new Set(['https://api.example.com/*']);
    const findings: AccessFindings = await missingAccess(
      rules,
      granted(new Set(['https://other.example.com/*'])),
      known,
    );
    expect(findings.removed).toEqual({ 7: ['https://api.example.com/*'] });
    expect(findings.granted).toEqual(['https://other.example.com/*']);
  });

  it('does not call a host removed that was never granted (that is the prompt’s business)', async () => {
    const rules = parseRules([
      { id: 7, token, patterns: ['/^https://api\\.example\\.com\\//'], enabled: true },
    ]);
    expect((await missingAccess(rules, granted(new Set()), new Set())).removed).toEqual({});
  });
});
