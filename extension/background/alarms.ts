// The alarms the service worker sets, and the part of browser.alarms it sets them through (a port, for tests).
export const REFRESH_ALARM = 'tokenward-refresh';
export const EXPIRY_ALARM = 'tokenward-expiry';
export const NOTICE_ALARM = 'tokenward-expiry-notice';
/** The next lease renewal (the earliest among the leases held). */
export const LEASE_ALARM = 'tokenward-lease';

export interface AlarmsPort {
  create(name: string, info: { when?: number; delayInMinutes?: number; periodInMinutes?: number }): unknown;
  clear(name: string): Promise<boolean>;
  get(name: string): Promise<{ periodInMinutes?: number } | undefined>;
}
