import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { guideConfig, named, ofType, parentOf, runStack, TYPES } from "./support/stack";

describe("the guide's use case", () => {
    it("puts Cequence first and fails open to the origin", async () => {
        const run = await runStack(guideConfig());
        assert.equal(run.error, undefined);
        const [lb] = ofType(run, TYPES.loadBalancer);
        const cequencePool = named(run, "www.cq-route.com-cequence-pool");
        const originPool = named(run, "www.cq-route.com-origin-pool");
        assert.deepEqual(lb!.inputs.defaultPools, [cequencePool.id, originPool.id]);
        assert.equal(lb!.inputs.fallbackPool, originPool.id);
        assert.equal(lb!.inputs.steeringPolicy, "off");
        assert.equal(lb!.inputs.proxied, true);
        assert.equal(lb!.inputs.name, "origin-www-lb.cq-route.com");
        assert.equal(parentOf(run, lb!)?.type, "cloudflare-cequence:index:FailoverLoadBalancer");
    });
});
