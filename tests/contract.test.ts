/**
 * Contract with Cloudflare's API: every resource the program registers,
 * turned into the body the provider would send, validates against
 * Cloudflare's own OpenAPI schema, closed-world.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { contractErrorsWithNewerFields } from "./support/newerThanSchema";
import { contractErrors, requestBody } from "./support/openapi";
import { guideConfig, named, runStack, type ConfigObject } from "./support/stack";
import { RESOURCE_TYPES } from "../policy/resourceTypes";

function everyRouting(): ConfigObject {
    const config = guideConfig();
    config.cequence = {
        hostname: "cq-route.example.cequence.ai",
        enabled: false,
        trafficPercent: 5,
        failoverAcrossPools: false,
        monitor: { path: "/health", expectedCodes: "2xx", interval: 20 },
    };
    config.alerts = { emails: ["oncall@example.com"], webhookIds: ["14cc1190-5d2b-4b98-a696-c424cb2ad05f"], pagerdutyIds: [] };
    config.trueClientIp = true;
    config.edgeAuth = { headerName: "X-Cequence-Edge", active: "b", existingRulesetId: "0123456789abcdef0123456789abcdef" };
    config.managedTransforms = { request: ["add_visitor_location_headers"], response: ["add_security_headers"] };
    config.apps = [
        { hostname: "www.cq-route.com", origin: "origin-www.cq-route.com", routing: "loadBalancer" },
        { hostname: "api.cq-route.com", origin: "api-origin.example.net", routing: "origin", existingRecordId: "00112233445566778899aabbccddeeff" },
        { hostname: "cq-route.com", origin: "apex.example.net", routing: "cequence" },
    ];
    return config;
}

describe("request bodies conform to Cloudflare's OpenAPI schema", async () => {
    const run = await runStack(everyRouting());
    const custom = run.resources.filter((r) => r.custom && r.type.startsWith("cloudflare:"));

    it("covers every kind of resource the stack registers", () => {
        assert.equal(run.error, undefined);
        const types = new Set(custom.map((r) => r.type));
        assert.deepEqual([...types].sort(), Object.values(RESOURCE_TYPES).filter((t) => t.startsWith("cloudflare:") && t !== RESOURCE_TYPES.legacyRecord).sort());
    });

    for (const resource of custom) {
        it(`${resource.name}`, () => {
            assert.deepEqual(contractErrors(resource), []);
        });
    }

    it("maps Pulumi names to the API's and leaves path parameters out", () => {
        const body = requestBody(named(run, "www.cq-route.com-failover-lb"));
        assert.deepEqual(Object.keys(body).sort(), [
            "adaptive_routing", "default_pools", "description", "fallback_pool", "name", "proxied", "random_steering", "steering_policy",
        ]);
        const monitor = requestBody(named(run, "www.cq-route.com-cequence-monitor"));
        assert.deepEqual(Object.keys(monitor.header as object), ["Host", "X-Cequence-Edge"], "header names are map keys, kept as written");
        assert.equal(monitor.expected_codes, "2xx");
    });
});

describe("the validator is not a rubber stamp", async () => {
    const run = await runStack(guideConfig());
    const lb = named(run, "www.cq-route.com-failover-lb");
    const monitor = named(run, "www.cq-route.com-cequence-monitor");
    const record = named(run, "www.cq-route.com-cutover-record");
    const pool = named(run, "www.cq-route.com-cequence-pool");
    const mutate = (resource: typeof lb, inputs: Record<string, unknown>) => ({ ...resource, unmaskedInputs: { ...resource.unmaskedInputs, ...inputs } });

    it("rejects an unknown field (closed world)", () => {
        assert.notDeepEqual(contractErrors(mutate(lb, { sessionAffinityTypo: "none" })), []);
    });
    it("rejects a steering policy Cloudflare does not know", () => {
        assert.notDeepEqual(contractErrors(mutate(lb, { steeringPolicy: "failover" })), []);
    });
    it("rejects a monitor without expected codes", () => {
        assert.notDeepEqual(contractErrors(mutate(monitor, { expectedCodes: undefined })), []);
    });
    it("rejects a monitor type Cloudflare does not know", () => {
        assert.notDeepEqual(contractErrors(mutate(monitor, { type: "gopher" })), []);
    });
    it("rejects a DNS record of an unknown type", () => {
        assert.notDeepEqual(contractErrors(mutate(record, { type: "CNAMEX" })), []);
    });
    it("rejects a pool origin with a misspelled field", () => {
        assert.notDeepEqual(contractErrors(mutate(pool, { origins: [{ name: "cequence", adress: "x.example.com" }] })), []);
    });
});

describe("fields newer than the 2024 schema", async () => {
    // A Cequence Bridge on its own port, behind one shared pool.
    const config = guideConfig();
    config.cequence = { hostname: "bridge.cq-route.com", port: 9443, sharedPool: true };
    const run = await runStack(config);
    const pool = named(run, "cequence-shared-pool");
    const mutate = (inputs: Record<string, unknown>) => ({ ...pool, unmaskedInputs: { ...pool.unmaskedInputs, ...inputs } });

    it("are refused by the schema alone, closed-world", () => {
        assert.notDeepEqual(contractErrors(pool), [], "origins[].port is not in the August 2024 schema");
    });
    for (const resource of run.resources.filter((r) => r.custom && r.type.startsWith("cloudflare:"))) {
        it(`${resource.name} conforms, the pool origin's port checked on its own`, () => {
            assert.deepEqual(contractErrorsWithNewerFields(resource), []);
        });
    }
    it("still refuse a port out of range, and a port anywhere else", () => {
        assert.notDeepEqual(contractErrorsWithNewerFields(mutate({ origins: [{ name: "cequence", address: "x.example.com", port: 70000 }] })), []);
        assert.notDeepEqual(contractErrorsWithNewerFields(mutate({ port: 9443 })), []);
    });
});
