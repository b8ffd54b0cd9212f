// Which rule a URL gets, or the nearest pattern and what differs: port, path, host, scheme.
import { describe, expect, it } from 'vitest';
import type { RuleStatus } from './dnr-rules';
import { type CheckedCandidate, explainUrl } from './url-explain';

const token = { server: 'http://127.0.0.1:8080', user: 'admin', name: 'API' };
const candidate = (id: number, patterns: string[], status?: RuleStatus): CheckedCandidate => ({
  rule: { id, token, patterns },
  status,
});

describe('explainUrl', () => {
  const rules = [
    candidate(1, ['127.0.0.1:9000/api'], { state: 'active' }),
    candidate(2, ['https://api.example.com/v1'], { state: 'disabled', message: 'The token is disabled.' }),
  ];

  it('names the rule that injects, and a matching rule that does not', () => {
    expect(explainUrl('http://127.0.0.1:9000/api/items?x=1', rules)).toMatchObject({
      kind: 'matched',
      injecting: [{ rule: { id: 1 } }],
      stopped: [],
      patterns: { 1: '127.0.0.1:9000/api' },
    });
    expect(explainUrl('https://api.example.com/v1/x', rules)).toMatchObject({
      kind: 'matched',
      injecting: [],
      stopped: [{ rule: { id: 2 }, status: { state: 'disabled' } }],
    });
  });

  it('names the nearest pattern and what differs', () => {
    const port = explainUrl('http://127.0.0.1:9001/api/items', rules);
    expect(port).toEqual({
      kind: 'none',
      nearest: {
        rule: rules[0]?.rule,
        pattern: '127.0.0.1:9000/api',
        why: ['other port: the URL has 9001, the pattern 9000'],
      },
    });
    expect(explainUrl('http://127.0.0.1:9000/API/items', rules)).toMatchObject({
      nearest: { why: ['other path: /API/items is not under /api (whole segments; case matters)'] },
    });
    expect(explainUrl('http://api.example.com/v1/x', rules)).toMatchObject({
      nearest: { pattern: 'https://api.example.com/v1', why: [expect.stringContaining('other scheme')] },
    });
    expect(explainUrl('http://localhost:9000/api/x', rules)).toMatchObject({
      nearest: { pattern: '127.0.0.1:9000/api', why: ['other host: localhost, the pattern 127.0.0.1'] },
    });
  });

  it('refuses what is not an http(s) URL', () => {
    expect(explainUrl('not a url', rules).kind).toBe('invalid');
    expect(explainUrl('chrome://settings', rules).kind).toBe('invalid');
  });
});
