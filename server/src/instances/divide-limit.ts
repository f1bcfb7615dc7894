/**
 * One instance's share of a limit meant for all of them: the limit divided by the live instances,
 * rounded down, and never below 1 (an instance that could run nothing would refuse everything).
 * Together the instances then allow at most the limit while there are no more instances than the
 * limit; past that, one each. docs/deploy.md states this for admins.
 */
export function divideLimit(limit: number, instances: number): number {
  if (instances <= 1) return limit;
  return Math.max(1, Math.floor(limit / instances));
}
