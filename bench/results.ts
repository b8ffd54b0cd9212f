// The shape of bench/results.json, shared by the benchmark, the report and the chart.
import * as v from 'valibot';

const NumbersSchema = v.array(v.number());

export const ScenarioResultsSchema = v.object({
  /** Requests per second, one per round. */
  rps: NumbersSchema,
  /** Requests per second over tokenward's public route's in the same round. */
  ratio: NumbersSchema,
  /** Requests per second over the bare Hono app's in the same round. */
  ratioToBare: NumbersSchema,
  /** The server process's CPU time per request (user + system), in µs: steadier than req/s on a busy machine. */
  cpuUsPerRequest: NumbersSchema,
  /** The server's CPU time over the run's wall time, in % of one core: near 100, the server was the limit. */
  cpuPercent: v.optional(NumbersSchema),
});
export type ScenarioResults = v.InferOutput<typeof ScenarioResultsSchema>;

const LatencySchema = v.object({ p50ms: NumbersSchema, p99ms: NumbersSchema, rps: NumbersSchema });

export const PageResultsSchema = v.object({
  /** Tokens the listing user holds. */
  tokens: v.number(),
  /** Pages reached by a cursor (`after`), when the server hands out `next`. */
  keyset: v.optional(v.object({ ...LatencySchema.entries, cursors: v.number(), walkedTokens: v.number() })),
  /** Pages at a random `offset`, as FME clients ask for them. */
  offset: LatencySchema,
});
export type PageResults = v.InferOutput<typeof PageResultsSchema>;

export const StoreResultsSchema = v.object({
  seedSeconds: v.number(),
  scenarios: v.record(v.string(), ScenarioResultsSchema),
  pages: v.array(PageResultsSchema),
  /** Heap in use (after garbage collection) before and after presenting every one of `tokens` once. */
  heap: v.object({
    beforeBytes: v.number(),
    afterBytes: v.number(),
    tokens: v.number(),
    warmSeconds: v.number(),
  }),
  createsPerSecond: v.number(),
  createsNon2xx: v.number(),
  signInsPerSecond: v.number(),
  signInsNon2xx: v.number(),
  signInP99ms: v.number(),
});
export type StoreResults = v.InferOutput<typeof StoreResultsSchema>;

export const BenchResultsSchema = v.object({
  command: v.string(),
  date: v.string(),
  commit: v.string(),
  machine: v.object({ node: v.string(), cpus: v.number(), cpu: v.string() }),
  settings: v.object({
    rounds: v.number(),
    seconds: v.number(),
    pageSeconds: v.number(),
    tokens: v.number(),
    pageTokens: NumbersSchema,
    connections: v.number(),
    pageConnections: v.number(),
  }),
  stores: v.object({ sqlite: v.optional(StoreResultsSchema), postgres: v.optional(StoreResultsSchema) }),
  durationSeconds: v.number(),
});
export type BenchResults = v.InferOutput<typeof BenchResultsSchema>;

type Kind = 'sqlite' | 'postgres';

/** The compared scenarios and their goals: the least ratio each keeps to the public route and to bare Hono. */
export const SCENARIOS: Record<
  string,
  { label: string; toPublic?: Partial<Record<Kind, number>>; toBare?: Partial<Record<Kind, number>> }
> = {
  public: { label: 'tokenward public GET /fmeinfo/version', toBare: { sqlite: 0.95, postgres: 0.95 } },
  valid: {
    label: 'GET /fmerest/v3/info, one valid token',
    toPublic: { sqlite: 0.95, postgres: 0.95 },
  },
  lease: { label: 'GET /fmerest/v3/info, a lease of that token' },
  random: {
    label: 'GET /fmerest/v3/info, random one of 100,000 tokens',
    toPublic: { sqlite: 0.85, postgres: 0.75 },
  },
  badChecksum: { label: 'invalid token: bad checksum', toPublic: { sqlite: 0.95, postgres: 0.95 } },
  unknown: {
    label: 'invalid token: well-formed but unknown (1,000 rotating)',
    toPublic: { sqlite: 0.95, postgres: 0.95 },
  },
};

/** A lease (what the extension sends) verified at the cost of its token: the least ratio of the two, same round. */
export const LEASE_TO_TOKEN_GOAL = 0.95;

/** Token pages: p99 under this at 100,000 tokens ... */
export const PAGE_P99_GOAL_MS = 3;
/** ... and flat: p99 at the most tokens at most this many times p99 at the fewest. */
export const PAGE_FLAT_FACTOR = 1.5;
/** Bytes of heap per cached token. */
export const BYTES_PER_TOKEN_GOAL = 200;

export const median = (values: readonly number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  if (sorted.length === 0) return Number.NaN;
  return sorted.length % 2
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
};
