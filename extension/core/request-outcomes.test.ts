// Refusals kept per rule: the URL without its query, the permissions of a 403's challenge, only matched rules.
import { describe, expect, it } from 'vitest';
import type { InjectionRule } from '../../shared/schemas/injection-rules';
import {
  createOutcomeRecorder,
  type RequestOutcome,
  requiredScopes,
  ruleMatchedRequest,
  shownUrl,
} from './request-outcomes';
import type { ValueItem } from './storage-items';

const token = { server: 'http://127.0.0.1:8080', user: 'admin', name: 'API' };
const rule = (patch: Partial<InjectionRule> = {}): InjectionRule => ({
  id: 1,
  token,
  patterns: ['127.0.0.1:9000/api'],
  enabled: true,
  ...patch,
});

function memory<T>(value: T): ValueItem<T> & { value: T } {
  const item = {
    value,
    getValue: async () => item.value,
    setValue: async (next: T) => {
      item.value = next;
    },
  };
  return item;
}

const challenge = (value: string) => [{ name: 'WWW-Authenticate', value }];

describe('request outcomes', () => {
  it('shows a URL without credentials, query or fragment (a token may be in any of them)', () => {
    expect(shownUrl('http://u:p@127.0.0.1:9000/api/x?fmetoken=abc#t=1')).toBe('http://127.0.0.1:9000/api/x');
    expect(shownUrl('not a url')).toBe('');
  });

  it('reads the permissions of an insufficient_scope challenge, percent-decoded', () => {
    expect(
      requiredScopes(
        challenge(
          'fmetoken realm="tokenward", error="insufficient_scope", scope="repository/My%20Maps:read jobs:access"',
        ),
      ),
    ).toEqual(['repository/My Maps:read', 'jobs:access']);
    expect(requiredScopes(challenge('fmetoken realm="tokenward", error="insufficient_scope"'))).toEqual([]);
    expect(requiredScopes(challenge('Bearer error="insufficient_scope", scope="x"'))).toBeUndefined();
    expect(requiredScopes(challenge('fmetoken realm="tokenward"'))).toBeUndefined();
    expect(requiredScopes(undefined)).toBeUndefined();
  });

  it('a rule matched a request only through its patterns, tab, types and pages', () => {
    const request = {
      url: 'http://127.0.0.1:9000/api/x',
      statusCode: 403,
      tabId: 4,
      type: 'xmlhttprequest',
      method: 'POST',
      initiator: 'http://127.0.0.1:9000',
    };
    expect(ruleMatchedRequest(rule(), request)).toBe(true);
    // Another site's request, or an opaque frame's, never carried the token of a rule for its own site.
    expect(ruleMatchedRequest(rule(), { ...request, initiator: 'http://localhost:9000' })).toBe(false);
    expect(ruleMatchedRequest(rule(), { ...request, initiator: 'null' })).toBe(false);
    expect(ruleMatchedRequest(rule({ anyPage: true }), { ...request, initiator: 'null' })).toBe(true);
    expect(ruleMatchedRequest(rule(), { ...request, url: 'http://127.0.0.1:9001/api/x' })).toBe(false);
    expect(ruleMatchedRequest(rule({ tabId: 5 }), request)).toBe(false);
    expect(ruleMatchedRequest(rule({ resourceTypes: ['main_frame'] }), request)).toBe(false);
    expect(ruleMatchedRequest(rule({ initiators: ['app.example'] }), request)).toBe(false);
    expect(
      ruleMatchedRequest(rule({ initiators: ['app.example'] }), {
        ...request,
        initiator: 'https://app.example',
      }),
    ).toBe(true);
  });

  it('keeps the latest refusal per rule, and forgets removed rules', async () => {
    const outcomes = memory<Record<string, RequestOutcome>>({});
    const recorder = createOutcomeRecorder({ outcomes, now: () => 1000 });
    await recorder.record([rule()], {
      url: 'http://127.0.0.1:9000/api/x?fmetoken=secret',
      statusCode: 403,
      tabId: 4,
      responseHeaders: challenge(
        'fmetoken realm="tokenward", error="insufficient_scope", scope="jobs:manage"',
      ),
    });
    expect(outcomes.value['1']).toEqual({
      ruleId: 1,
      token,
      url: 'http://127.0.0.1:9000/api/x',
      status: 403,
      at: 1000,
      tabId: 4,
      required: ['jobs:manage'],
    });
    expect(JSON.stringify(outcomes.value)).not.toContain('secret');
    await recorder.record([rule()], { url: 'http://127.0.0.1:9000/api/y', statusCode: 500, tabId: 4 });
    expect(outcomes.value['1']?.status).toBe(403);
    await recorder.record([rule()], { url: 'http://127.0.0.1:9000/api/y', statusCode: 401, tabId: 4 });
    expect(outcomes.value['1']).toMatchObject({ status: 401, url: 'http://127.0.0.1:9000/api/y' });
    expect(outcomes.value['1']?.required).toBeUndefined();
    await recorder.forget((id) => id !== 1);
    expect(outcomes.value).toEqual({});
  });
});
