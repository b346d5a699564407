/**
 * FailoverLoadBalancer built directly, as a library user would: the names it
 * gives Cloudflare are normalised as the stack's config normalises them, and
 * it refuses its own arguments before registering anything.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { runComponent, runComponentSource } from "./support/componentProgram";
import { named, ZONE_ID } from "./support/stack";

const ARGS = { zoneId: ZONE_ID, hostname: "origin-www-lb.cq-route.com", cequencePoolId: "cequence-pool", originPoolId: "origin-pool", publicHostname: "www.cq-route.com" };

describe("FailoverLoadBalancer", () => {
    it("names the load balancer with the hostname normalised (lower case, no trailing dot), as Cloudflare stores it", async () => {
        const run = await runComponent("FailoverLoadBalancer", "lb", { ...ARGS, hostname: "Origin-WWW-lb.cq-route.com." });
        assert.equal(run.error, undefined);
        const lb = named(run, "lb-lb");
        assert.equal(lb.inputs.name, "origin-www-lb.cq-route.com");
        assert.deepEqual(lb.inputs.defaultPools, ["cequence-pool", "origin-pool"]);
        assert.equal(lb.inputs.fallbackPool, "origin-pool");
    });

    it("refuses its arguments itself, every problem at once, naming each, and registers nothing", async () => {
        const run = await runComponent("FailoverLoadBalancer", "lb", {
            ...ARGS,
            zoneId: "zone",
            hostname: "origin www lb",
            originPoolId: "cequence-pool",
            cequenceTrafficPercent: 0,
        });
        assert.equal(
            run.error?.message,
            [
                "Invalid arguments for FailoverLoadBalancer lb (4 problems):",
                '  zoneId: must be 32 lower-case hex characters, got "zone"',
                '  hostname: must be a DNS hostname such as origin-www.example.com (letters, digits and hyphens in dot-separated labels; no scheme, port, path or IP address), got "origin www lb"',
                "  originPoolId: is cequencePoolId too (cequence-pool): the origin pool is the fallback when Cequence is down, so it must be another pool",
                "  cequenceTrafficPercent: must be a whole number from 1 to 100, got 0",
            ].join("\n"),
        );
        assert.deepEqual(run.resources.filter((r) => r.custom), []);
    });

    it("refuses the same pool output as both pools, before registering the load balancer", async () => {
        const run = await runComponentSource(
            "FailoverLoadBalancer",
            "lb",
            `(() => { const pool = pulumi.output("cequence-pool"); return { ${Object.entries({ zoneId: ARGS.zoneId, hostname: ARGS.hostname, publicHostname: ARGS.publicHostname })
                .map(([key, value]) => `${key}: ${JSON.stringify(value)}`)
                .join(", ")}, cequencePoolId: pool, originPoolId: pool }; })()`,
        );
        assert.equal(
            run.error?.message,
            "Invalid arguments for FailoverLoadBalancer lb (1 problem):\n  originPoolId: is cequencePoolId too: the origin pool is the fallback when Cequence is down, so it must be another pool",
        );
        assert.deepEqual(run.resources.filter((r) => r.custom), []);
    });
});
