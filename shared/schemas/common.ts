// Small shapes several schemas share: API dates, pages of lists and user-entered text.
import * as v from 'valibot';

/** UTC, second precision, Z suffix: 2026-11-22T10:00:00Z. */
export const ApiDateSchema = v.pipe(v.string(), v.regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/));

const DATE_PART = /^(\d{4})-(\d{2})-(\d{2})[T ]/;

/**
 * Whether an ISO 8601 timestamp names a day the calendar has: no 30 February, no 31 April, 29 February only in
 * a leap year. `Date.parse` takes 2027-02-30 and silently moves it to 2 March.
 */
export function isCalendarDate(text: string): boolean {
  const match = DATE_PART.exec(text);
  if (!match) return false;
  const [year, month, day] = match.slice(1).map(Number) as [number, number, number];
  return month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth(year, month);
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/**
 * A date a client sent, in epoch milliseconds: NaN unless it is an ISO 8601 timestamp of a day the calendar
 * has. The one place the server turns a client's date into a time.
 */
export function parseIsoTimestamp(text: string): number {
  return isCalendarDate(text) ? Date.parse(text) : Number.NaN;
}

export const IntegerSchema = v.pipe(v.number(), v.integer());

/** A page of a list in FME's shape: the items, how many there are in all, and the page's limit and offset. */
export function pageOf<TItem extends v.GenericSchema, TMore extends v.ObjectEntries = Record<never, never>>(
  ref: string,
  item: TItem,
  more?: TMore,
) {
  return v.pipe(
    v.object({
      items: v.array(item),
      totalCount: IntegerSchema,
      limit: IntegerSchema,
      offset: IntegerSchema,
      ...(more as TMore),
    }),
    v.metadata({ ref }),
  );
}

// Control characters (C0, DEL, C1) make names unreadable in a list and unsafe in a log line.
function hasControlCharacter(text: string, allowLineBreaks: boolean): boolean {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (allowLineBreaks && (code === 0x09 || code === 0x0a)) continue;
    if (code < 0x20 || (code >= 0x7f && code <= 0x9f)) return true;
  }
  return false;
}

/** A name someone types: NFC-normalised, 1-`max` characters, no control characters. */
export function textName(max: number) {
  return v.pipe(
    v.string(),
    v.maxLength(max * 4, `must be at most ${max} characters`),
    v.check((s) => s.isWellFormed(), 'must be valid Unicode text (no lone surrogates)'),
    v.transform((s: string) => s.normalize('NFC')),
    v.minLength(1, 'must not be empty'),
    v.maxLength(max, `must be at most ${max} characters`),
    v.check((s) => !hasControlCharacter(s, false), 'must not contain control characters'),
    v.check((s) => s.trim() === s, 'must not start or end with white space'),
    // A URL path resolves these as dot segments (even as %2E), so a name like this could never be addressed.
    v.check((s) => s !== '.' && s !== '..', 'must not be . or ..'),
  );
}

/** Free text such as a description: NFC-normalised, line breaks and tabs allowed. */
export function freeText(max: number) {
  return v.pipe(
    v.string(),
    v.maxLength(max * 4, `must be at most ${max} characters`),
    v.check((s) => s.isWellFormed(), 'must be valid Unicode text (no lone surrogates)'),
    v.transform((s: string) => s.normalize('NFC')),
    v.maxLength(max, `must be at most ${max} characters`),
    v.check((s) => !hasControlCharacter(s, true), 'must not contain control characters'),
  );
}

/** A whole number sent in a query string (limit, offset): -1 or more; -1 means "all" or "not given". */
export const QueryIntegerSchema = v.pipe(
  v.string(),
  v.regex(/^-?\d{1,9}$/, 'must be a whole number'),
  v.transform(Number),
  v.minValue(-1, 'must be -1 or more'),
);

/** RFC 3339 with milliseconds, as FME's v4 API writes dates: 2025-09-19T01:22:18.996Z. */
export const ApiDateMillisSchema = v.pipe(
  v.string(),
  v.regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/),
);

/** Pages of a list: without them every entry is returned and both are echoed as -1, as FME does. */
export const PageQuerySchema = v.object({
  limit: v.optional(QueryIntegerSchema),
  offset: v.optional(QueryIntegerSchema),
});
