// The shape of bench/results.json, shared by the benchmark, the report and the chart.
import * as v from 'valibot';

const NumbersSchema = v.array(v.number());

export const ScenarioResultsSchema = v.object({
  /** Requests per second, one per round. */
  rps: NumbersSchema,
  /** Requests per second over the public route's in the same round. */
  ratio: NumbersSchema,
});

export const StoreResultsSchema = v.object({
  seedSeconds: v.number(),
  scenarios: v.record(v.string(), ScenarioResultsSchema),
  pages: v.object({ p50ms: NumbersSchema, p99ms: NumbersSchema }),
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
    tokens: v.number(),
    connections: v.number(),
    pageConnections: v.number(),
  }),
  stores: v.object({ sqlite: v.optional(StoreResultsSchema), postgres: v.optional(StoreResultsSchema) }),
  durationSeconds: v.number(),
});
export type BenchResults = v.InferOutput<typeof BenchResultsSchema>;

/** What each compared scenario is, and its goal as a ratio to the public route (issue 9). */
export const SCENARIOS: Record<
  string,
  { label: string; goal?: Partial<Record<'sqlite' | 'postgres', number>> }
> = {
  valid: { label: 'GET /fmerest/v3/info, one valid token', goal: { sqlite: 0.8, postgres: 0.7 } },
  random: {
    label: 'GET /fmerest/v3/info, random one of the stored tokens',
    goal: { sqlite: 0.8, postgres: 0.7 },
  },
  badChecksum: { label: 'invalid token: bad checksum', goal: { sqlite: 0.9, postgres: 0.9 } },
  unknown: {
    label: 'invalid token: well-formed but unknown (1,000 rotating)',
    goal: { sqlite: 0.9, postgres: 0.9 },
  },
  pages: { label: 'GET /fmerest/v3/tokens?limit=50 at random offsets, 2 connections (goal: p99 < 10 ms)' },
};
