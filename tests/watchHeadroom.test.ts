import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { CliError } from "../tools/live/cliError";
import { CLOUDFLARE_RATE_LIMIT } from "../tools/live/requestBudget";
import { EMERGENCY_HEADROOM, watchPeriod } from "../tools/live/watchPeriod";

describe("status --watch leaves headroom in the user's rate limit for the emergency update", () => {
    it("keeps half of Cloudflare's 1,200 requests per 5 minutes for everything else the user sends", () => {
        assert.equal(EMERGENCY_HEADROOM, 0.5);
    });

    it("at the period it reads at, a watch sends at most the limit less the headroom per window", () => {
        const limit = CLOUDFLARE_RATE_LIMIT;
        const watchShare = limit.requests * (1 - EMERGENCY_HEADROOM);
        fc.assert(
            fc.property(fc.integer({ min: 1, max: watchShare }), fc.double({ min: 0.001, max: 3600, noNaN: true }), (requestsPerRead, asked) => {
                const { seconds } = watchPeriod(asked, requestsPerRead, limit);
                assert.ok((requestsPerRead * limit.windowSeconds) / seconds <= watchShare + 1e-9, `${requestsPerRead} requests every ${seconds} s is over ${watchShare} per window`);
                assert.ok(seconds >= asked, "never reads more often than asked");
            }),
        );
    });

    it("keeps the period asked for when it leaves the headroom, and stretches it when it does not", () => {
        assert.deepEqual(watchPeriod(60, 11, CLOUDFLARE_RATE_LIMIT), { seconds: 60, stretched: false });
        // 11 requests a read within 600 per 300 s: at least 5.5 s apart.
        assert.deepEqual(watchPeriod(1, 11, CLOUDFLARE_RATE_LIMIT), { seconds: 6, stretched: true });
    });

    it("refuses a stack whose one read would eat into the headroom, naming it", () => {
        assert.throws(
            () => watchPeriod(60, 601, CLOUDFLARE_RATE_LIMIT),
            (error: unknown) =>
                error instanceof CliError &&
                /one read of this stack sends about 601 requests, more than --watch may use in 5 minutes \(600 of the 1200 Cloudflare allows a user, across all their tokens\)/.test(error.message) &&
                /cequence\.enabled: false/.test(error.message),
        );
        assert.doesNotThrow(() => watchPeriod(60, 600, CLOUDFLARE_RATE_LIMIT));
    });
});
