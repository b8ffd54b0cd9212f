// A Map with a size bound that forgets its oldest entries first, in O(1): no scan of the Map per eviction.
//
// Why not `map.delete(map.keys().next().value)`: V8's Map leaves a hole for every deleted entry and
// `keys()` walks past them from the start, so under churn each eviction costs thousands of steps;
// re-inserting a key to mark it recently used was worse. Found in the token cache, whose verification
// slowed markedly once the cache was full.
export class BoundedMap<K, V> {
  private readonly map = new Map<K, V>();
  /** Keys in insertion order, from `head`; keys deleted since are skipped when their turn comes. */
  private queue: K[] = [];
  private head = 0;

  /** `onEvict` hears of every entry dropped to keep the bound (not of those deleted). */
  constructor(
    private readonly max: number,
    private readonly onEvict?: (key: K, value: V) => void,
  ) {}

  get size(): number {
    return this.map.size;
  }

  get(key: K): V | undefined {
    return this.map.get(key);
  }

  has(key: K): boolean {
    return this.map.has(key);
  }

  set(key: K, value: V): void {
    if (!this.map.has(key)) this.queue.push(key);
    this.map.set(key, value);
    while (this.map.size > this.max) this.evictOldest();
    // Keys deleted and set again pile up in the queue: rebuild it from the Map now and then.
    if (this.queue.length - this.head > 2 * this.max + 1024) {
      this.queue = [...this.map.keys()];
      this.head = 0;
    }
  }

  delete(key: K): boolean {
    return this.map.delete(key);
  }

  clear(): void {
    this.map.clear();
    this.queue = [];
    this.head = 0;
  }

  values(): IterableIterator<V> {
    return this.map.values();
  }

  private evictOldest(): void {
    while (this.head < this.queue.length) {
      const key = this.queue[this.head++] as K;
      const value = this.map.get(key);
      if (this.map.delete(key)) {
        this.onEvict?.(key, value as V);
        break;
      }
    }
    if (this.head > 1024 && this.head * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.head);
      this.head = 0;
    }
  }
}
