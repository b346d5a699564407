/**
 * How fast, and how visibly, a hostname fails open to its origin when
 * Cequence fails: the worst case the stack reports, and adaptive routing.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { worstCaseFailOpenSeconds } from "../components/failOpen";
import { guideConfig, named, runStack, configWith, rejection } from "./support/stack";

describe("worst-case fail-open time", () => {
    const cases: Array<[interval: number, timeout: number, retries: number, consecutiveDown: number, seconds: number]> = [
        [60, 5, 2, 1, 75], // the defaults: one probe interval plus three timed-out attempts
        [60, 5, 0, 1, 65],
        [60, 5, 2, 3, 195],
        [15, 2, 1, 1, 19], // Business minimum interval
        [10, 2, 1, 2, 24], // Enterprise minimum interval
        [300, 5, 2, 1, 315],
        [3600, 10, 5, 10, 36060],
    ];
    for (const [interval, timeout, retries, consecutiveDown, seconds] of cases) {
        it(`interval ${interval}, timeout ${timeout}, retries ${retries}, consecutiveDown ${consecutiveDown} → ${seconds} s`, () => {
            assert.equal(worstCaseFailOpenSeconds({ interval, timeout, retries, consecutiveDown }), seconds);
        });
    }

    it("is a stack output per load-balanced hostname, and warns past 5 minutes naming the key", async () => {
        const quick = await runStack(guideConfig());
        assert.deepEqual(quick.outputs.failOpenSeconds, { "www.cq-route.com": 75 });
        assert.deepEqual(quick.warnings, []);
        const slow = await runStack(configWith({}, { monitor: { interval: 300 } }));
        assert.deepEqual(slow.outputs.failOpenSeconds, { "www.cq-route.com": 315 });
        assert.equal(slow.warnings.length, 1);
        assert.match(slow.warnings[0]!, /315 s/);
        assert.match(slow.warnings[0]!, /cequence\.monitor\.interval/);
    });
});

describe("cequence.failoverAcrossPools", () => {
    it("defaults to adaptive failover across pools", async () => {
        const run = await runStack(guideConfig());
        assert.deepEqual(named(run, "www.cq-route.com-failover-lb").inputs.adaptiveRouting, { failoverAcrossPools: true });
    });
    it("can be turned off", async () => {
        const run = await runStack(configWith({}, { failoverAcrossPools: false }));
        assert.deepEqual(named(run, "www.cq-route.com-failover-lb").inputs.adaptiveRouting, { failoverAcrossPools: false });
    });
    it("rejects a non-boolean", async () => {
        assert.match(await rejection(configWith({}, { failoverAcrossPools: "yes" })), /cequence\.failoverAcrossPools: must be a boolean/);
    });
});
