/**
 * The benchmark's flat baseline (bench/baseline) must register exactly the
 * Cloudflare resources the program does, with the same inputs and options;
 * otherwise the ratio `npm run bench` reports compares different work. When
 * this fails after a resource was added to the program, add it to the
 * baseline too.
 */
import assert from "node:assert/strict";
import * as path from "node:path";
import { describe, it } from "node:test";
import { benchConfig, benchRawConfig } from "../bench/appsConfig";
import { runProgram, PROJECT_ROOT, type ProgramRun, type RegisteredResource } from "../tools/plan/mockEngine";
import { OFFLINE_CALLS } from "../tools/plan/offlineCalls";
import { ACCOUNT_ID, RECORD_ID, toRaw, ZONE_ID, type ConfigObject } from "./support/stack";

const BASELINE = path.join(PROJECT_ROOT, "bench", "baseline", "index.ts");

/** Every feature of the config that changes what is registered, across a few apps. */
function mixedConfig(): ConfigObject {
    return {
        accountId: ACCOUNT_ID,
        zoneId: ZONE_ID,
        zone: "cq-route.com",
        cequence: {
            hostname: "cq-route.example.cequence.ai",
            enabled: false,
            monitor: { path: "/cequence-health", interval: 30, timeout: 4, retries: 1 },
        },
        apps: [
            { hostname: "www.cq-route.com", origin: "origin-www.cq-route.com" },
            { hostname: "cq-route.com", origin: "origin-apex.example.net", existingRecordId: RECORD_ID },
            {
                hostname: "api.cq-route.com",
                origin: "origin-api.cq-route.com",
                lbHostname: "api-failover.cq-route.com",
                routing: "origin",
                monitor: { path: "/healthz", expectedCodes: "2xx", consecutiveUp: 3 },
            },
            { hostname: "shop.eu.cq-route.com", origin: "origin-shop.cq-route.com", routing: "cequence" },
        ],
    };
}

/**
 * A custom resource as text that leaves out everything derived from logical
 * names: an input that is another resource's ID becomes that resource's own
 * description, so references still have to point at the same kind of thing.
 */
function describeAll(run: ProgramRun): string[] {
    const custom = run.resources.filter((r) => r.custom);
    const byId = new Map(custom.map((r) => [r.id, r]));
    const memo = new Map<RegisteredResource, unknown>();
    const describe = (resource: RegisteredResource): unknown => {
        const known = memo.get(resource);
        if (known !== undefined) return known;
        const description = {
            type: resource.type,
            inputs: replaceIds(resource.inputs),
            protect: resource.protect,
            retainOnDelete: resource.retainOnDelete,
            importId: resource.importId,
        };
        memo.set(resource, description);
        return description;
    };
    const replaceIds = (value: unknown): unknown => {
        if (typeof value === "string") {
            const referenced = byId.get(value);
            return referenced ? { reference: describe(referenced) } : value;
        }
        if (Array.isArray(value)) return value.map(replaceIds);
        if (value !== null && typeof value === "object") {
            return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, replaceIds(inner)]));
        }
        return value;
    };
    return custom.map((r) => canonicalJson(describe(r))).sort();
}

/** JSON with object keys sorted, so that key order does not count as a difference. */
function canonicalJson(value: unknown): string {
    return JSON.stringify(value, (_, inner: unknown) =>
        inner !== null && typeof inner === "object" && !Array.isArray(inner)
            ? Object.fromEntries(Object.entries(inner).sort(([a], [b]) => a.localeCompare(b)))
            : inner,
    );
}

function without(items: readonly string[], removed: readonly string[]): string[] {
    const left = [...removed];
    return items.filter((item) => {
        const index = left.indexOf(item);
        if (index === -1) return true;
        left.splice(index, 1);
        return false;
    });
}

async function assertSameResources(config: ConfigObject): Promise<void> {
    const raw = toRaw(config);
    const ours = await runProgram({ stack: "bench", config: raw, calls: OFFLINE_CALLS });
    const baseline = await runProgram({ program: BASELINE, stack: "bench", config: raw, calls: OFFLINE_CALLS });
    assert.equal(ours.error, undefined);
    assert.equal(baseline.error, undefined);
    const ourResources = describeAll(ours);
    const baselineResources = describeAll(baseline);
    assert.ok(ourResources.length > 0);
    assert.deepEqual(
        { missingFromBaseline: without(ourResources, baselineResources), onlyInBaseline: without(baselineResources, ourResources) },
        { missingFromBaseline: [], onlyInBaseline: [] },
    );
}

describe("the benchmark's flat baseline", () => {
    it("registers what the program registers for the benchmark's configs", async () => {
        await assertSameResources(benchConfig(3));
    });

    it("registers what the program registers for every routing, import and monitor setting", async () => {
        await assertSameResources(mixedConfig());
    });

    it("is fed the config the Pulumi CLI would hand the program", () => {
        assert.deepEqual(benchRawConfig(2), toRaw(benchConfig(2)));
    });
});
