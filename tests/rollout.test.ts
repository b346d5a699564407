/**
 * A gradual rollout (`cequence.trafficPercent`): random steering with pool
 * weights below 100, failover at 100, and the values refused.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { guideConfig, named, runStack, configWith, rejection } from "./support/stack";

describe("cequence.trafficPercent", () => {
    it("at 100 keeps the guide's failover, with no weights", async () => {
        const lb = named(await runStack(guideConfig()), "www.cq-route.com-failover-lb").inputs;
        assert.equal(lb.steeringPolicy, "off");
        assert.equal(lb.randomSteering, undefined);
    });

    for (const percent of [5, 25, 99]) {
        it(`at ${percent} sends ${percent}% to Cequence by random steering, keeping order and fallback`, async () => {
            const run = await runStack(configWith({}, { trafficPercent: percent }));
            const lb = named(run, "www.cq-route.com-failover-lb").inputs;
            const cequencePool = named(run, "www.cq-route.com-cequence-pool").id;
            const originPool = named(run, "www.cq-route.com-origin-pool").id;
            assert.equal(lb.steeringPolicy, "random");
            assert.deepEqual(lb.randomSteering, { poolWeights: { [cequencePool]: percent / 100, [originPool]: (100 - percent) / 100 } });
            assert.deepEqual(lb.defaultPools, [cequencePool, originPool]);
            assert.equal(lb.fallbackPool, originPool);
        });
    }

    for (const bad of [0, 101, 2.5]) {
        it(`rejects ${bad}`, async () => {
            assert.match(await rejection(configWith({}, { trafficPercent: bad })), /cequence\.trafficPercent: /);
        });
    }
});
