import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { setImmediate as nextTurn } from "node:timers/promises";
import fc from "fast-check";
import { CLOUDFLARE_RATE_LIMIT, MAX_IN_FLIGHT, RequestBudget } from "../tools/live/requestBudget";

/** A request that stays in flight until released, so a test controls when each ends. */
function heldRequests() {
    const releases: Array<() => void> = [];
    let inFlight = 0;
    let most = 0;
    const request = () =>
        new Promise<void>((resolve) => {
            inFlight += 1;
            most = Math.max(most, inFlight);
            releases.push(() => {
                inFlight -= 1;
                resolve();
            });
        });
    return { request, releases, most: () => most };
}

const neverAborted = new AbortController().signal;

describe("the request budget", () => {
    it("defaults to Cloudflare's limit and 32 in flight", () => {
        const budget = new RequestBudget(() => {});
        assert.deepEqual(budget.limit, { requests: 1200, windowSeconds: 300 });
        assert.equal(budget.maxInFlight, MAX_IN_FLIGHT);
        assert.equal(CLOUDFLARE_RATE_LIMIT.requests, 1200);
    });

    it("never has more than its limit in flight, and runs every request", async () => {
        await fc.assert(
            fc.asyncProperty(fc.integer({ min: 1, max: 8 }), fc.integer({ min: 0, max: 40 }), async (limit, count) => {
                const budget = new RequestBudget(() => {}, CLOUDFLARE_RATE_LIMIT, limit);
                const held = heldRequests();
                const all = Promise.all(Array.from({ length: count }, () => budget.send(neverAborted, held.request)));
                // Release whatever is in flight, turn by turn, until everything has run.
                for (let released = 0; released < count; ) {
                    await nextTurn();
                    const batch = held.releases.splice(0);
                    batch.forEach((release) => release());
                    released += batch.length;
                }
                await all;
                assert.ok(held.most() <= limit);
                assert.deepEqual(budget.totals, { requests: count, maxInFlight: Math.min(limit, count) });
            }),
            { numRuns: 30 },
        );
    });

    it("waits for room in the window, and says so once", async () => {
        const events: string[] = [];
        const budget = new RequestBudget((message) => events.push(`wait: ${message}`), { requests: 3, windowSeconds: 0.05 });
        await Promise.all([1, 2, 3, 4, 5].map((n) => budget.send(neverAborted, async () => void events.push(`send ${n}`))));
        const waits = events.filter((event) => event.startsWith("wait: "));
        assert.deepEqual(waits, ["wait: waiting 1 s to stay under Cloudflare's limit of 3 requests per 0.05 s"]);
        // The fourth request is the first that does not fit the window: it goes only after the wait began.
        assert.ok(events.indexOf(waits[0]!) < events.indexOf("send 4"), events.join("; "));
        assert.deepEqual(events.filter((event) => event.startsWith("send ")).sort(), ["send 1", "send 2", "send 3", "send 4", "send 5"]);
    });

    it("holds every request during a pause (a 429's Retry-After), announced once", async () => {
        const events: string[] = [];
        const budget = new RequestBudget((message) => events.push(message));
        budget.pauseUntil(Date.now() + 30, (seconds) => `paused ${seconds} s`);
        budget.pauseUntil(Date.now() + 10, (seconds) => `shorter ${seconds} s`);
        await Promise.all([1, 2].map((n) => budget.send(neverAborted, async () => void events.push(`send ${n}`))));
        assert.deepEqual(events, ["paused 1 s", "send 1", "send 2"]);
    });

    it("a request waiting for a slot leaves the queue when aborted", async () => {
        const budget = new RequestBudget(() => {}, CLOUDFLARE_RATE_LIMIT, 1);
        const held = heldRequests();
        const first = budget.send(neverAborted, held.request);
        const abort = new AbortController();
        const second = budget.send(abort.signal, held.request);
        abort.abort(new Error("stop"));
        await assert.rejects(second, /stop/);
        await nextTurn();
        held.releases.splice(0).forEach((release) => release());
        await first;
        assert.equal(budget.totals.requests, 1);
    });
});
