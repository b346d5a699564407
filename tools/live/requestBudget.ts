/**
 * How many requests `status` and `preflight` may have in flight, and how fast
 * they may send them: Cloudflare allows a user 1,200 requests per 5 minutes,
 * counted across the dashboard, API keys and every API token of that user,
 * and blocks all their calls for the next 5 minutes once they go over
 * (https://developers.cloudflare.com/fundamentals/api/reference/limits/); a
 * 429 asks, with `Retry-After`, for a pause that holds for every request.
 * The window here counts this process's requests only: whatever else the
 * user sends (another tool, `pulumi up`, the dashboard) shares the same limit
 * unseen, which is why `status --watch` leaves headroom (watchPeriod.ts).
 */
import { setTimeout as sleep } from "node:timers/promises";

export interface RateLimit {
    /** Requests allowed in any window. */
    requests: number;
    windowSeconds: number;
}

/** Cloudflare's limit per user, over all their tokens and keys. */
export const CLOUDFLARE_RATE_LIMIT: Readonly<RateLimit> = Object.freeze({ requests: 1200, windowSeconds: 300 });

/** Enough to read 1,000 hostnames in well under a second at Cloudflare's latency, few enough not to look like a flood. */
export const MAX_IN_FLIGHT = 32;

/** What a budget has let through so far: the figures the benchmark reports. */
export interface BudgetCounts {
    /** Requests sent, every attempt and every page counted. */
    requests: number;
    /** The most requests in flight at once. */
    maxInFlight: number;
}

/**
 * A concurrency limit and a sliding-window pacer in one: {@link send} waits
 * for a free slot, then until the window has room and no 429 pause holds,
 * then sends. Each wait is announced once on `onWait` (stderr), so a user
 * knows why nothing moves.
 */
export class RequestBudget {
    private inFlight = 0;
    private readonly queue: Array<() => void> = [];
    /** Send times inside the current window, oldest first. */
    private readonly sent: number[] = [];
    private pausedUntil = 0;
    /** The end of the wait last announced, so 32 waiting requests print one line. */
    private announcedUntil = 0;
    private readonly counts: BudgetCounts = { requests: 0, maxInFlight: 0 };

    constructor(
        private readonly onWait: (message: string) => void,
        readonly limit: Readonly<RateLimit> = CLOUDFLARE_RATE_LIMIT,
        readonly maxInFlight: number = MAX_IN_FLIGHT,
        private readonly now: () => number = Date.now,
    ) {}

    /** The counts so far, as a copy. */
    get totals(): BudgetCounts {
        return { ...this.counts };
    }

    /** Every request waits until then (a 429's `Retry-After`); the wait is announced once, as `describe` puts it. */
    pauseUntil(until: number, describe: (seconds: number) => string): void {
        if (until <= this.pausedUntil) return;
        this.pausedUntil = until;
        this.announce(until, describe);
    }

    /** Runs `request` within the budget; the slot is held until it settles, body read and all. */
    async send<T>(signal: AbortSignal, request: () => Promise<T>): Promise<T> {
        await this.acquire(signal);
        try {
            await this.reserve(signal);
            this.counts.requests += 1;
            return await request();
        } finally {
            this.release();
        }
    }

    private async acquire(signal: AbortSignal): Promise<void> {
        signal.throwIfAborted();
        if (this.inFlight < this.maxInFlight) {
            this.take();
            return;
        }
        await new Promise<void>((resolve, reject) => {
            const onAbort = () => {
                this.queue.splice(this.queue.indexOf(admit), 1);
                reject(signal.reason as Error);
            };
            const admit = () => {
                signal.removeEventListener("abort", onAbort);
                this.take();
                resolve();
            };
            this.queue.push(admit);
            signal.addEventListener("abort", onAbort, { once: true });
        });
    }

    private take(): void {
        this.inFlight += 1;
        this.counts.maxInFlight = Math.max(this.counts.maxInFlight, this.inFlight);
    }

    private release(): void {
        this.inFlight -= 1;
        // The slot passes straight to the next in line, so a newcomer cannot jump the queue.
        this.queue.shift()?.();
    }

    /**
     * Reservations in the order they were asked for: after a pause, each
     * waiter's own timer could fire in any order, and the later request
     * would then take the earlier one's place.
     */
    private reservations: Promise<void> = Promise.resolve();

    private reserve(signal: AbortSignal): Promise<void> {
        const turn = this.reservations.then(() => this.reserveNow(signal));
        this.reservations = turn.catch(() => undefined);
        return turn;
    }

    /** Waits until the window has room and no pause holds, then takes the room in the same turn, so no two requests take the same place. */
    private async reserveNow(signal: AbortSignal): Promise<void> {
        signal.throwIfAborted();
        const windowMs = this.limit.windowSeconds * 1000;
        for (;;) {
            const now = this.now();
            while (this.sent.length > 0 && this.sent[0]! <= now - windowMs) this.sent.shift();
            const windowFreesAt = this.sent.length >= this.limit.requests ? this.sent[this.sent.length - this.limit.requests]! + windowMs : 0;
            const until = Math.max(this.pausedUntil, windowFreesAt);
            if (until <= now) {
                this.sent.push(now);
                return;
            }
            if (until === windowFreesAt && until > this.pausedUntil) {
                this.announce(until, (seconds) => `waiting ${seconds} s to stay under Cloudflare's limit of ${this.limit.requests} requests per ${this.limit.windowSeconds} s`);
            }
            await sleep(until - now, undefined, { signal });
        }
    }

    private announce(until: number, describe: (seconds: number) => string): void {
        if (until <= this.announcedUntil) return;
        this.announcedUntil = until;
        this.onWait(describe(Math.ceil((until - this.now()) / 1000)));
    }
}
