import { Redis } from 'ioredis';
import {
  RateLimiterMemory,
  RateLimiterRedis,
  RateLimiterRes,
  type RateLimiterAbstract,
} from 'rate-limiter-flexible';

/** The answer to one request's claim on its client's budget. */
export interface RateDecision {
  allowed: boolean;
  /** Seconds until the budget has room again; 0 when allowed. */
  retryAfterSeconds: number;
}

/** Per-client request budgets per minute, shared by every replica when Redis is configured. */
export interface RateLimiter {
  /** Takes one request from the client's budget of `pointsPerMinute`. */
  consume(clientId: string, pointsPerMinute: number): Promise<RateDecision>;
  /** Where budgets are kept: `redis` (shared by replicas) or `memory` (this process). */
  readonly store: 'redis' | 'memory';
  /** Waits up to `timeoutMs` for Redis; false when budgets are per process meanwhile. */
  ready(timeoutMs?: number): Promise<boolean>;
  close(): Promise<void>;
}

/** Options of `createRateLimiter`. */
export interface RateLimiterOptions {
  /** Redis holding the budgets shared by replicas; in memory (per process) when absent. */
  redisUrl?: string;
  /** Prefix of the Redis keys; default `gateway:rate`. */
  keyPrefix?: string;
  /** How long one Redis call may take before the in-memory budget answers; default 250 ms. */
  redisTimeoutMs?: number;
  /** Told of Redis connection problems (they do not refuse requests). */
  onRedisError?: (error: Error) => void;
}

const WINDOW_SECONDS = 60;

/**
 * Builds the rate limiter: `RateLimiterRedis` over ioredis when `redisUrl` is given, so the
 * budget holds across replicas, else `RateLimiterMemory`. When Redis is unreachable or slow the
 * in-memory `insuranceLimiter` answers instead: requests are never refused because of the
 * infrastructure, only because a budget is spent.
 */
export function createRateLimiter(options: RateLimiterOptions = {}): RateLimiter {
  const keyPrefix = options.keyPrefix ?? 'gateway:rate';
  const timeoutMs = options.redisTimeoutMs ?? 250;
  const redis = options.redisUrl
    ? new Redis(options.redisUrl, {
        // Fail fast to the insurance limiter instead of queueing commands while disconnected.
        enableOfflineQueue: false,
        maxRetriesPerRequest: 0,
        commandTimeout: timeoutMs,
        connectTimeout: Math.max(timeoutMs, 1000),
        retryStrategy: (attempt) => Math.min(attempt * 200, 2000),
        // A stream that failed to connect never reports closing: do not wait on it at close.
        disconnectTimeout: 200,
      })
    : null;
  // Without a listener ioredis prints every connection error itself.
  redis?.on('error', (error: Error) => options.onRedisError?.(error));

  // rate-limiter-flexible fixes the points per instance, so one limiter per distinct rate.
  const limiters = new Map<number, RateLimiterAbstract>();
  const limiterFor = (points: number): RateLimiterAbstract => {
    let limiter = limiters.get(points);
    if (!limiter) {
      const memory = new RateLimiterMemory({ points, duration: WINDOW_SECONDS, keyPrefix });
      limiter = redis
        ? new RateLimiterRedis({
            storeClient: redis,
            points,
            duration: WINDOW_SECONDS,
            keyPrefix,
            rejectIfRedisNotReady: true,
            insuranceLimiter: memory,
          })
        : memory;
      limiters.set(points, limiter);
    }
    return limiter;
  };

  return {
    store: redis ? 'redis' : 'memory',
    async consume(clientId, pointsPerMinute) {
      // A budget below one request a minute (a misconfigured client) admits nothing.
      const points = Math.floor(pointsPerMinute);
      if (!(points >= 1)) return { allowed: false, retryAfterSeconds: WINDOW_SECONDS };
      try {
        await limiterFor(points).consume(clientId, 1);
        return { allowed: true, retryAfterSeconds: 0 };
      } catch (rejection) {
        if (rejection instanceof RateLimiterRes) {
          return {
            allowed: false,
            retryAfterSeconds: Math.max(1, Math.ceil(rejection.msBeforeNext / 1000)),
          };
        }
        throw rejection;
      }
    },
    async ready(waitMs = 2000) {
      if (!redis) return true;
      if (redis.status === 'ready') return true;
      return new Promise<boolean>((resolve) => {
        const done = (value: boolean) => {
          clearTimeout(timer);
          redis.off('ready', onReady);
          resolve(value);
        };
        const onReady = () => done(true);
        const timer = setTimeout(() => done(false), waitMs);
        redis.once('ready', onReady);
      });
    },
    async close() {
      if (!redis) return;
      if (redis.status === 'ready') {
        await redis.quit().catch(() => redis.disconnect());
      } else {
        redis.disconnect();
      }
    },
  };
}
