import { describe, expect, it } from 'vitest';
import { addressBlock, clientFamily } from './use-origin';

describe('addressBlock', () => {
  it.each([
    ['203.0.113.7', '203.0.113.7'],
    ['2001:db8:1:2:3:4:5:6', '2001:db8:1:2::/64'],
    ['2001:0DB8:0001:0002:aaaa::1', '2001:db8:1:2::/64'],
    ['2001:db8::1', '2001:db8::/64'],
    ['2001:0:0:1::7', '2001:0:0:1::/64'],
    ['::1', '::/64'],
    ['fe80::1%eth0', 'fe80::/64'],
    ['::ffff:192.0.2.1', '192.0.2.1'],
    ['::ffff:c000:201', '192.0.2.1'],
    ['64:ff9b::198.51.100.1', '64:ff9b::/64'],
  ])('%s is shown as %s', (raw, shown) => {
    expect(addressBlock(raw)).toBe(shown);
  });

  it('two privacy addresses of one network are one block', () => {
    expect(addressBlock('2001:db8:aa:bb:1c2f:99ff:fe00:1')).toBe(addressBlock('2001:db8:aa:bb:d00d::2'));
  });

  it.each([undefined, 'unknown', '', '300.1.1.1', '2001:db8::g'])('%s is no address', (raw) => {
    expect(addressBlock(raw)).toBeNull();
  });
});

describe('clientFamily', () => {
  it.each([
    [
      'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36',
      'Chrome',
    ],
    ['Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0', 'Firefox'],
    [
      'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/131.0.0.0 Safari/537.36',
      'Chrome',
    ],
    [
      'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15',
      'Safari',
    ],
    [
      'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.2903.86',
      'Edge',
    ],
    ['curl/8.5.0', 'curl'],
    ['Wget/1.21.3', 'wget'],
    ['python-requests/2.32.3', 'Python requests'],
    ['Python-urllib/3.11', 'Python'],
    ['Go-http-client/1.1', 'Go'],
    ['node', 'Node.js'],
    ['axios/1.7.2', 'Node.js'],
    ['PostmanRuntime/7.39.0', 'Postman'],
    ['Java/17.0.2', 'Java'],
    ['Apache-HttpClient/4.5.14 (Java/17.0.2)', 'Java'],
    ['FME/2024.1.0.0  libcurl/8.4.0 (OpenSSL/3.1.4) Schannel zlib/1.3', 'FME'],
    ['FME Workbench/2024.1 (Windows)', 'FME Form'],
    ['FME Flow/2024.1 Engine', 'FME Flow'],
    ['FMEServer/2022.2', 'FME Flow'],
    ['my-script/1.0 (contact me at someone@example.com)', 'Other'],
    ['', 'Other'],
    [undefined, 'Other'],
  ])('%s is %s', (userAgent, family) => {
    expect(clientFamily(userAgent)).toBe(family);
  });
});
