// Counts in words: "1 token", "2 tokens".

/** `count` and the noun, with an -s unless the count is exactly one. */
export function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}
