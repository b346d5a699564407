/**
 * `pulumi up` of 40 apps against Cloudflare's rate limit (tests/support/cloudflare/rateLimit.ts),
 * scaled down so that the run takes seconds, not five-minute windows: the
 * same shape (a budget per window, then every request refused with
 * `retry-after` for a whole window). The update either succeeds through the
 * provider's retries or fails cleanly; either way, at most a few more `up`s
 * converge to one of each object, and a preview then shows no changes.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { bundledStackConfig } from "./support/held";
import { inWorld, manyApps } from "./support/world";

const APPS = 40;
/**
 * Cloudflare allows 4 requests a second on average (1,200 in 300 s); the engine sends a 40-app `up`
 * (about 240 requests) at about 7 a second here, in bursts. 10 a second over 2.5 s windows is met
 * by those bursts, and a block then lasts 2.5 s (`retry-after: 3`).
 */
const SCALED_LIMIT = { limit: 25, windowMs: 2_500 };
/** `up`s after the first, at most, before the stack must have converged. */
const MORE_UPS = 3;

describe("pulumi up under Cloudflare's rate limit", () => {
    it(`${APPS} apps: the limit is met, and up converges to one of each object with no changes left`, async () => {
        await inWorld("forty", { ...bundledStackConfig("prod"), apps: manyApps(APPS) }, async ({ standIn, account, zone, stack }) => {
            const limiter = standIn.limitRate(SCALED_LIMIT);
            const outcomes: string[] = [];
            for (let attempt = 0; attempt <= MORE_UPS; attempt++) {
                const result = await stack.up().then(
                    () => "succeeded",
                    (error: unknown) => `failed: ${/429|rate limit/i.test(String(error)) ? "rate limited" : String(error).slice(0, 2000)}`,
                );
                outcomes.push(result);
                if (result === "succeeded") break;
            }
            process.stderr.write(`rate limit ${SCALED_LIMIT.limit}/${SCALED_LIMIT.windowMs} ms: ${outcomes.join("; ")}; ${limiter.refused} requests refused, ${standIn.served.length} served\n`);
            assert.ok(limiter.refused > 0, "the limit was met");
            assert.equal(outcomes.at(-1), "succeeded", `converged within ${MORE_UPS + 1} ups: ${outcomes.join("; ")}`);
            assert.ok(outcomes.slice(0, -1).every((o) => o === "failed: rate limited"), `a failure is the rate limit's, and clean: ${outcomes.join("; ")}`);
            assert.deepEqual(
                { monitors: account.monitors.length, pools: account.pools.length, loadBalancers: zone.loadBalancers.length, records: zone.records.length },
                { monitors: 2 * APPS, pools: 2 * APPS, loadBalancers: APPS, records: APPS },
                "one of each object, nothing duplicated",
            );
            await stack.preview({ expectNoChanges: true });
        });
    });
});
