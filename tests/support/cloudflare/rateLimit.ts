/**
 * Cloudflare's global API rate limit, on demand: "1200 requests per five
 * minute period per user … If you exceed this limit, all API calls for the
 * next five minutes will be blocked, receiving a HTTP 429 response", with
 * `retry-after`, "the number of seconds, rounded up, until more capacity is
 * available" (https://developers.cloudflare.com/fundamentals/api/reference/limits/).
 * Counted per user, not per token: the limit "applies cumulatively regardless
 * of whether the request is made via the dashboard, API key, or API token"
 * (same page; https://developers.cloudflare.com/api/limits), so every token
 * and key of one user shares one window, and a user over it is blocked on all
 * of them. The window is a parameter, so a test can scale it down and keep
 * Cloudflare's shape.
 */

export interface RateLimitSettings {
    /** Requests a user may send in one window, over all their tokens and keys: Cloudflare's is 1,200. */
    limit: number;
    /** The window, and how long a user is blocked once they go over: Cloudflare's is 5 minutes. */
    windowMs: number;
}

export const CLOUDFLARE_RATE_LIMIT: Readonly<RateLimitSettings> = Object.freeze({ limit: 1200, windowMs: 5 * 60_000 });

interface Window {
    startedAt: number;
    count: number;
    blockedUntil: number;
}

export class RateLimiter {
    private readonly windows = new Map<string, Window>();
    /** Requests answered 429 so far. */
    refused = 0;

    constructor(readonly settings: RateLimitSettings) {
        if (!(settings.limit >= 1 && settings.windowMs >= 1)) throw new Error(`a rate limit needs limit ≥ 1 and windowMs ≥ 1, got ${JSON.stringify(settings)}`);
    }

    /**
     * Counts one request of `user` (whichever credential they sent it with) at
     * `now` (ms); returns the seconds to send in `retry-after` when it is
     * refused, undefined when it may go on.
     */
    take(user: string, now: number): number | undefined {
        let window = this.windows.get(user);
        if (window && now < window.blockedUntil) return this.refuse(window.blockedUntil - now);
        if (!window || now - window.startedAt >= this.settings.windowMs) {
            window = { startedAt: now, count: 0, blockedUntil: 0 };
            this.windows.set(user, window);
        }
        window.count += 1;
        if (window.count <= this.settings.limit) return undefined;
        window.blockedUntil = now + this.settings.windowMs;
        return this.refuse(this.settings.windowMs);
    }

    private refuse(waitMs: number): number {
        this.refused += 1;
        return Math.max(1, Math.ceil(waitMs / 1000));
    }
}
