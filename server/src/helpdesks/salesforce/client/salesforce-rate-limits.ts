import { createRateBudget } from '../../../pacing/rate-budget';
import type { RateBudget } from '../../../pacing/rate-budget';

/**
 * Salesforce counts API calls per org over a rolling 24 hours (help.salesforce.com article
 * 000386972: 100,000 plus per-licence calls; Developer Edition 15,000), and every REST answer
 * says where the org stands: `Sforce-Limit-Info: api-usage=25/15000`. It is an allowance, not a
 * rate, so automation is not spread over the day: it only stops short of the last part of it,
 * which stays for agents and the org's other integrations.
 */
export const DAILY_API_BUCKET = 'daily-api';

export interface SalesforceBudgetOptions {
  /** Share of the daily allowance automation leaves alone (default 0.1). */
  reserveShare?: number;
  now?: () => number;
}

export function createSalesforceRateBudget(options: SalesforceBudgetOptions = {}): RateBudget {
  return createRateBudget({
    label: 'Salesforce',
    buckets: { [DAILY_API_BUCKET]: { spread: false, windowMs: 24 * 60 * 60 * 1000 } },
    reserveShare: options.reserveShare ?? 0.1,
    // A spent allowance frees calls only as the 24 hours roll: refuse rather than hold a worker.
    maxWaitMs: 0,
    ...(options.now === undefined ? {} : { now: options.now }),
  });
}
