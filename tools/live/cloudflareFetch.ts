/**
 * The `fetch` Cloudflare's SDK sends every request through, each page of a
 * list included. Retries and timeouts live here rather than in the SDK,
 * because the SDK's timeout ends when the headers arrive (a body that stalls
 * would hang the tool) and its retries wait out a 429 silently, one request at
 * a time, while the others keep hitting the limit.
 */
import { setTimeout as sleep } from "node:timers/promises";
import type { RequestBudget } from "./requestBudget";

export interface AttemptPolicy {
    /** How long one attempt may take, from sending to the last byte of the body. */
    timeoutMs: number;
    /** Further attempts after a timeout, a connection error, 408, 409, 429 or 5xx. */
    retries: number;
}

/** The SDK's backoff: 0.5 s doubling to at most 8 s, less up to a quarter of jitter so that parallel retries spread. */
function backoffMs(retry: number): number {
    return Math.min(500 * 2 ** retry, 8000) * (1 - Math.random() * 0.25);
}

/** Statuses worth another attempt, as the SDK has them. */
function isRetryable(status: number): boolean {
    return status === 408 || status === 409 || status === 429 || status >= 500;
}

/**
 * How long the answer asks us to wait (`Retry-After` in seconds or as a date,
 * or `retry-after-ms`), at most the rate limit's window: Cloudflare's window
 * is 5 minutes, so no longer wait can be meant.
 */
export function retryAfterMs(headers: Headers, now: number, maxMs: number): number | undefined {
    const ms = Number.parseFloat(headers.get("retry-after-ms") ?? "");
    const header = headers.get("retry-after");
    const asked = !Number.isNaN(ms) ? ms : header === null ? Number.NaN : /^\s*[\d.]+\s*$/.test(header) ? Number.parseFloat(header) * 1000 : Date.parse(header) - now;
    return Number.isNaN(asked) ? undefined : Math.min(Math.max(asked, 0), maxMs);
}

class AttemptTimeout extends DOMException {
    constructor(timeoutMs: number) {
        // "TimeoutError" is how the SDK recognises a timeout (APIConnectionTimeoutError).
        super(`no complete answer within ${timeoutMs} ms`, "TimeoutError");
    }
}

/**
 * One attempt, bounded as a whole: the body is read inside the deadline and
 * handed to the SDK already complete. Every listener and timer it sets is
 * gone when it settles, so a long `--watch` accumulates nothing.
 */
async function attempt(url: string | URL | Request, init: RequestInit, timeoutMs: number): Promise<Response> {
    const controller = new AbortController();
    const outer = init.signal;
    const forward = () => controller.abort(outer?.reason);
    if (outer?.aborted) forward();
    outer?.addEventListener("abort", forward, { once: true });
    const timer = setTimeout(() => controller.abort(new AttemptTimeout(timeoutMs)), timeoutMs);
    try {
        const response = await fetch(url, { ...init, signal: controller.signal });
        const body = await response.arrayBuffer();
        const empty = body.byteLength === 0 || response.status === 204 || response.status === 304;
        return new Response(empty ? null : body, { status: response.status, statusText: response.statusText, headers: response.headers });
    } finally {
        clearTimeout(timer);
        outer?.removeEventListener("abort", forward);
    }
}

/**
 * A `fetch` for the SDK: each attempt within the budget (a slot, the rate
 * window) and its deadline; a 429 pauses every request for its `Retry-After`
 * and says so; other failures back off as the SDK would. The last answer,
 * good or bad, goes to the SDK, which turns it into a result or an error.
 */
export function budgetedFetch(budget: RequestBudget, policy: AttemptPolicy): typeof fetch {
    const maxWaitMs = budget.limit.windowSeconds * 1000;
    return async (url, init = {}) => {
        const signal = init.signal ?? new AbortController().signal;
        for (let retry = 0; ; retry++) {
            const last = retry >= policy.retries;
            let response: Response;
            try {
                response = await budget.send(signal, () => attempt(url, init, policy.timeoutMs));
            } catch (error) {
                if (last || signal.aborted) throw error;
                await sleep(backoffMs(retry), undefined, { signal });
                continue;
            }
            if (last || !isRetryable(response.status)) return response;
            const asked = retryAfterMs(response.headers, Date.now(), maxWaitMs);
            if (response.status === 429) {
                const waitMs = asked ?? backoffMs(retry);
                budget.pauseUntil(Date.now() + waitMs, (seconds) =>
                    asked === undefined ? `rate-limited by Cloudflare; waiting ${seconds} s before trying again` : `rate-limited by Cloudflare; waiting ${seconds} s as Retry-After asks`,
                );
                await sleep(waitMs, undefined, { signal });
            } else {
                await sleep(asked ?? backoffMs(retry), undefined, { signal });
            }
        }
    };
}
