import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type PostgresCluster, startPostgres } from '../../test/fixtures/postgres';
import { MIGRATIONS } from './migrations';
import { openPostgresStore } from './postgres-store';
import { StoreOpenError } from './store';
import { describeStoreContract } from './store-contract';

let cluster: PostgresCluster;
let databases = 0;

beforeAll(async () => {
  cluster = await startPostgres();
}, 60_000);
afterAll(() => cluster?.stop());

// Every test of the contract gets a database of its own.
describeStoreContract('PostgreSQL', async () =>
  openPostgresStore(await cluster.createDatabase(`contract_${++databases}`)),
);

describe('PostgreSQL store', () => {
  it('migrates once even when several instances open the same database at the same moment', async () => {
    const url = await cluster.createDatabase('many_instances');
    const stores = await Promise.all(Array.from({ length: 4 }, () => openPostgresStore(url)));
    for (const store of stores) await store.ping();
    const pg = (await import('pg')).default;
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    const { rows } = await client.query('SELECT count(*)::int AS n FROM schema_migrations');
    await client.end();
    expect(rows[0]?.n).toBe(MIGRATIONS.length);
    await Promise.all(stores.map((store) => store.close()));
  });

  it('runs an exclusive task in one instance at a time', async () => {
    const url = await cluster.createDatabase('exclusive');
    const [a, b] = await Promise.all([openPostgresStore(url), openPostgresStore(url)]);
    if (!a || !b) throw new Error('stores did not open');
    let release: () => void = () => {};
    const held = a.runExclusive(
      'cleanup',
      () => new Promise<string>((resolve) => (release = () => resolve('a ran'))),
    );
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(await b.runExclusive('cleanup', async () => 'b ran')).toBeUndefined();
    release();
    expect(await held).toBe('a ran');
    expect(await b.runExclusive('cleanup', async () => 'b ran')).toBe('b ran');
    await a.close();
    await b.close();
  });

  it('refuses to start on a database it cannot reach, with a clear message', async () => {
    await expect(openPostgresStore('postgres://postgres@127.0.0.1:9/nowhere')).rejects.toBeInstanceOf(
      StoreOpenError,
    );
  });
});
