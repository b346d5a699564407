import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { degradedRegions, globalHealth } from "../tools/live/poolHealth";
import { CloudflareState } from "./support/cloudflare/store";

/** Distinct region names, each with its verdict. */
const regionVerdicts = fc.uniqueArray(fc.record({ region: fc.string({ minLength: 1, maxLength: 12 }), healthy: fc.boolean() }), { selector: (r) => r.region, maxLength: 15 });

describe("a pool's global health is what most of its checking regions say", () => {
    it("healthy exactly when more than half of the regions find it healthy", () => {
        fc.assert(
            fc.property(regionVerdicts, (regions) => {
                const healthy = regions.filter((r) => r.healthy).length;
                assert.equal(globalHealth(regions).healthy, healthy > regions.length - healthy);
            }),
        );
    });

    it("agrees with the stand-in's rule for every set of regional verdicts", () => {
        fc.assert(
            fc.property(regionVerdicts, (regions) => {
                const state = new CloudflareState();
                const account = state.addAccount();
                account.poolHealth.pool = Object.fromEntries(regions.map((r) => [r.region, r.healthy]));
                assert.equal(globalHealth(regions).healthy, state.globallyHealthy(account, "pool"));
            }),
        );
    });

    it("one more healthy region never makes a healthy pool unhealthy, one more unhealthy region never makes an unhealthy pool healthy", () => {
        fc.assert(
            fc.property(regionVerdicts, fc.boolean(), (regions, healthy) => {
                const before = globalHealth(regions).healthy;
                const after = globalHealth([...regions, { region: "\u0000added", healthy }]).healthy;
                if (healthy && before) assert.equal(after, true);
                if (!healthy && !before) assert.equal(after, false);
            }),
        );
    });

    it("no region reporting, and a tie, are no majority", () => {
        assert.equal(globalHealth([]).healthy, false);
        assert.equal(globalHealth([{ region: "Amsterdam, NL", healthy: true }, { region: "Ashburn, VA", healthy: false }]).healthy, false);
    });

    it("degraded regions are the dissenting ones of a healthy pool, and none for an unhealthy pool (its verdict says it)", () => {
        fc.assert(
            fc.property(regionVerdicts, (regions) => {
                const health = globalHealth(regions);
                const dissent = regions.filter((r) => !r.healthy).map((r) => r.region);
                assert.deepEqual(degradedRegions(health), health.healthy ? dissent : []);
            }),
        );
    });
});
