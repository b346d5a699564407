/**
 * ProtectedHostname built directly, as a library user would: what it
 * creates for each routing, the guide's safety rules, its outputs, and the
 * arguments it refuses before registering anything.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { poolName } from "../components/naming";
import type { ProgramRun } from "../tools/plan/mockEngine";
import { runComponent } from "./support/componentProgram";
import { ACCOUNT_ID, named, ofType, ZONE_ID } from "./support/stack";
import { RESOURCE_TYPES } from "../policy/resourceTypes";

const GUIDE = {
    accountId: ACCOUNT_ID,
    zoneId: ZONE_ID,
    zone: "cq-route.com",
    hostname: "www.cq-route.com",
    origin: "origin-www.cq-route.com",
    stackName: "test",
    cequenceHostname: "cq-route.example.cequence.ai",
};

const OUTPUTS = ["lbHostname", "cnameTarget", "poolHealthEndpoints", "failOpenSeconds", "cequencePoolId"];
const protect = (args: Record<string, unknown> = {}) => runComponent("ProtectedHostname", "www.cq-route.com", { ...GUIDE, ...args }, OUTPUTS);

function lbOf(run: ProgramRun) {
    return named(run, "www.cq-route.com-failover-lb");
}

describe("ProtectedHostname: what each routing creates", () => {
    it("routing loadBalancer (the default): pools [Cequence, origin], fallback origin, the CNAME on the LB, which is protected", async () => {
        const run = await protect();
        const [cequencePool, originPool] = ["www.cq-route.com-cequence-pool", "www.cq-route.com-origin-pool"].map((name) => named(run, name));
        assert.deepEqual([cequencePool!.inputs.name, originPool!.inputs.name], [poolName("cequence", "test", GUIDE.hostname), poolName("origin", "test", GUIDE.hostname)]);
        const lb = lbOf(run);
        assert.deepEqual(lb.inputs.defaultPools, [cequencePool!.id, originPool!.id]);
        assert.equal(lb.inputs.fallbackPool, originPool!.id);
        assert.equal(lb.inputs.name, "origin-www-lb.cq-route.com");
        assert.equal(lb.protect, true, "the LB is protected while the CNAME points at it");
        const record = named(run, "www.cq-route.com-cutover-record");
        assert.equal(record.inputs.content, "origin-www-lb.cq-route.com");
        assert.ok(record.dependencies.includes(lb.urn), "the cutover waits for the load balancer");
        assert.deepEqual(run.resources.filter((r) => r.custom).length, 6);
    });

    it("routing origin: the same pools and LB, the CNAME on the origin, and the LB not protected", async () => {
        const run = await protect({ routing: "origin" });
        assert.equal(named(run, "www.cq-route.com-cutover-record").inputs.content, GUIDE.origin);
        assert.equal(lbOf(run).protect, false);
    });

    it("routing cequence (appendix A): only the CNAME, on Cequence", async () => {
        const run = await protect({ routing: "cequence" });
        assert.deepEqual(run.resources.filter((r) => r.custom).map((r) => r.type), [RESOURCE_TYPES.dnsRecord]);
        assert.equal(named(run, "www.cq-route.com-cutover-record").inputs.content, GUIDE.cequenceHostname);
    });

    it("a shared Cequence pool is pool 1, and no pool of its own is made", async () => {
        const shared = { poolId: "feedfacefeedfacefeedfacefeedface", poolName: "cequence_shared__test", healthApiUrl: "https://h", probeUrl: "https://p" };
        const run = await protect({ sharedCequencePool: shared });
        assert.equal(ofType(run, RESOURCE_TYPES.pool).length, 1);
        assert.equal((lbOf(run).inputs.defaultPools as string[])[0], shared.poolId);
    });

    it("its own lbHostname, when given, names the load balancer", async () => {
        const run = await protect({ lbHostname: "cequence-www.cq-route.com" });
        assert.equal(lbOf(run).inputs.name, "cequence-www.cq-route.com");
    });
});

describe("ProtectedHostname: outputs", () => {
    it("gives the LB hostname, the CNAME target, the pools' health endpoints and the worst-case fail-open seconds", async () => {
        const run = await protect({ cequenceMonitor: { interval: 15, timeout: 3, retries: 1, consecutiveDown: 1 } });
        assert.equal(named(run, "www.cq-route.com").type, "cloudflare-cequence:index:ProtectedHostname");
        const outputs = run.outputs;
        assert.equal(outputs.lbHostname, "origin-www-lb.cq-route.com");
        assert.equal(outputs.cnameTarget, "origin-www-lb.cq-route.com");
        assert.equal(outputs.failOpenSeconds, 21);
        const endpoints = outputs.poolHealthEndpoints as Record<string, { pool: string; probeUrl: string }>;
        assert.equal(endpoints.cequence!.pool, poolName("cequence", "test", GUIDE.hostname));
        assert.equal(endpoints.cequence!.probeUrl, "https://cq-route.example.cequence.ai/");
        assert.equal(outputs.cequencePoolId, named(run, "www.cq-route.com-cequence-pool").id);
    });

    it("without a load balancer (routing cequence) it has no LB hostname, pools or fail-open", async () => {
        const outputs = (await protect({ routing: "cequence" })).outputs;
        assert.deepEqual(
            OUTPUTS.filter((output) => outputs[output] !== undefined),
            ["cnameTarget"],
        );
    });
});

describe("ProtectedHostname: arguments that would break the hostname register nothing and name the argument", () => {
    const cases: Array<[string, Record<string, unknown>, RegExp]> = [
        ["the public hostname as its own origin", { origin: GUIDE.hostname }, /hostname and origin are both www\.cq-route\.com/],
        ["the public hostname as the LB hostname", { lbHostname: GUIDE.hostname }, /hostname and lbHostname are both/],
        ["the origin as the LB hostname", { lbHostname: "origin-www.cq-route.com" }, /origin and lbHostname are both/],
        ["the Cequence hostname as the origin", { origin: GUIDE.cequenceHostname }, /origin and cequenceHostname are both/],
        ["a traffic percentage of 0", { cequenceTrafficPercent: 0 }, /cequenceTrafficPercent must be a whole number from 1 to 100, got 0/],
        ["a traffic percentage of 101", { cequenceTrafficPercent: 101 }, /cequenceTrafficPercent must be a whole number from 1 to 100, got 101/],
        ["an unknown routing", { routing: "lb" }, /routing must be one of loadBalancer, origin, cequence, got "lb"/],
        ["an LB hostname outside the zone", { lbHostname: "lb.example.net" }, /lbHostname lb\.example\.net is not in the zone cq-route\.com/],
        ["an ill-formed existingRecordId", { existingRecordId: "abc" }, /existingRecordId must be 32 lower-case hex characters/],
    ];
    for (const [label, args, message] of cases) {
        it(label, async () => {
            const run = await protect(args);
            assert.match(String(run.error?.message), message);
            assert.deepEqual(run.resources.filter((r) => r.custom), []);
        });
    }
});
