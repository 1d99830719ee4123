import type { RateLimiter } from '../access/rate-limit';
import type { Viewer } from '../access/viewer';
import { ErrorCode, refusal } from '../errors';

/** Budgets of the viewers that have no registered rate of their own, per minute. */
export interface AbuseBudgets {
  /** Requests without a valid credential, per peer address. */
  unauthenticatedPerAddress: number;
  /** Requests with a citizen identity token, per citizen. */
  perCitizen: number;
}

/** Every viewer has a budget: a client its registered rate, a citizen and an address their own. */
export function createRateLimitStage(limiter: RateLimiter, budgets: AbuseBudgets) {
  async function take(key: string, perMinute: number, who: string) {
    const decision = await limiter.consume(key, perMinute);
    if (decision.allowed) return;
    throw refusal(
      ErrorCode.RATE_LIMITED,
      429,
      `${who} has used its ${perMinute} requests per minute.`,
      { 'retry-after': String(Math.max(1, Math.ceil(decision.retryAfterSeconds))) },
    );
  }
  return {
    /** Takes one request from the viewer's budget; throws RATE_LIMITED (429) when spent. */
    async forViewer(viewer: Viewer): Promise<void> {
      if (viewer.kind === 'client') {
        await take(
          `client:${viewer.client.id}`,
          viewer.client.rateLimitPerMinute,
          `Client "${viewer.client.id}"`,
        );
      } else {
        await take(`citizen:${viewer.citizenId}`, budgets.perCitizen, 'This citizen identity');
      }
    },
    /** Takes one refused request from the address's budget; throws RATE_LIMITED when spent. */
    async forUnauthenticated(address: string): Promise<void> {
      await take(`address:${address}`, budgets.unauthenticatedPerAddress, 'This address');
    },
  };
}
