/**
 * Cloudflare's IP ranges as a stack output (appendix E): the only sources
 * Cequence should accept.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { SAMPLE_CLOUDFLARE_IP_RANGES } from "../tools/plan/offlineCalls";
import { guideConfig, runStack } from "./support/stack";

describe("cloudflareIpRanges (appendix E)", () => {
    it("outputs Cloudflare's ranges from getIpRanges", async () => {
        const run = await runStack(guideConfig());
        assert.deepEqual(run.outputs.cloudflareIpRanges, {
            ipv4: SAMPLE_CLOUDFLARE_IP_RANGES.ipv4Cidrs,
            ipv6: SAMPLE_CLOUDFLARE_IP_RANGES.ipv6Cidrs,
        });
        assert.deepEqual(run.calls.map((c) => c.token), ["cloudflare:index/getIpRanges:getIpRanges"]);
    });
});
