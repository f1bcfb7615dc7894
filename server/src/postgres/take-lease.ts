import type pg from 'pg';

/**
 * Takes the named lease for `ms` if it is free, expired, or already this holder's: work that one
 * instance should do for all of them (pruning the run log) runs where the lease was taken. An
 * instance that dies holding it only delays the work until the lease runs out.
 */
export async function takeLease(
  pool: pg.Pool,
  name: string,
  holder: string,
  ms: number,
): Promise<boolean> {
  const taken = await pool.query(
    `INSERT INTO leases (name, holder, until) VALUES ($1, $2, now() + $3 * interval '1 millisecond')
     ON CONFLICT (name) DO UPDATE SET holder = EXCLUDED.holder, until = EXCLUDED.until
       WHERE leases.until < now() OR leases.holder = EXCLUDED.holder
     RETURNING holder`,
    [name, holder, ms],
  );
  return taken.rowCount === 1;
}
