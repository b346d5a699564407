/**
 * Issue 4: fail-open speed and visibility, the rollout, True-Client-IP and
 * Cloudflare's IP ranges, as registered by the real program.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { worstCaseFailOpenSeconds } from "../components/failOpen";
import { runProgram } from "../tools/plan/mockEngine";
import { OFFLINE_CALLS, SAMPLE_CLOUDFLARE_IP_RANGES } from "../tools/plan/offlineCalls";
import { guideConfig, named, ofType, runStack, toRaw, TYPES, ZONE_ID, type ConfigObject } from "./support/stack";

function configWith(top: Record<string, unknown>, cequence: Record<string, unknown> = {}): ConfigObject {
    const config = { ...guideConfig(), ...top };
    config.cequence = { ...(config.cequence as object), ...cequence };
    return config;
}

async function rejection(config: ConfigObject): Promise<string> {
    const run = await runProgram({ stack: "prod", config: toRaw(config), calls: OFFLINE_CALLS });
    assert.ok(run.error);
    assert.deepEqual(run.resources, []);
    return run.error.message;
}

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

describe("alerts", () => {
    const alerts = { emails: ["oncall@example.com"], webhookIds: ["14cc1190-5d2b-4b98-a696-c424cb2ad05f"] };

    it("creates a health and an enablement policy filtered to every Cequence pool", async () => {
        const config = configWith({ alerts });
        (config.apps as unknown[]).push(
            { hostname: "api.cq-route.com", origin: "origin-api.cq-route.com" },
            { hostname: "direct.cq-route.com", origin: "origin-direct.cq-route.com", routing: "cequence" },
        );
        const run = await runStack(config);
        const cequencePools = [named(run, "www.cq-route.com-cequence-pool").id, named(run, "api.cq-route.com-cequence-pool").id];
        const policies = ofType(run, TYPES.notificationPolicy);
        assert.deepEqual(policies.map((p) => p.inputs.alertType).sort(), ["load_balancing_health_alert", "load_balancing_pool_enablement_alert"]);
        for (const policy of policies) {
            assert.deepEqual((policy.inputs.filters as { poolIds: string[] }).poolIds, cequencePools);
            assert.deepEqual(policy.inputs.mechanisms, {
                emails: [{ id: "oncall@example.com" }],
                webhooks: [{ id: "14cc1190-5d2b-4b98-a696-c424cb2ad05f" }],
            });
            assert.equal(policy.inputs.enabled, true);
        }
        const health = policies.find((p) => p.inputs.alertType === "load_balancing_health_alert")!;
        assert.deepEqual(health.inputs.filters, { poolIds: cequencePools, newHealths: ["Unhealthy", "Healthy"], eventSources: ["pool"] });
        const enablement = policies.find((p) => p.inputs.alertType === "load_balancing_pool_enablement_alert")!;
        assert.deepEqual(enablement.inputs.filters, { poolIds: cequencePools, enableds: ["true", "false"] });
    });

    it("creates nothing when absent or when every list is empty", async () => {
        assert.equal(ofType(await runStack(guideConfig()), TYPES.notificationPolicy).length, 0);
        const empty = await runStack(configWith({ alerts: { emails: [], webhookIds: [], pagerdutyIds: [] } }));
        assert.equal(ofType(empty, TYPES.notificationPolicy).length, 0);
    });

    it("rejects an invalid email address by its index", async () => {
        const message = await rejection(configWith({ alerts: { emails: ["oncall@example.com", "not-an-email"] } }));
        assert.match(message, /alerts\.emails\[1\]: must be an email address/);
    });

    it("rejects an unknown key with a hint", async () => {
        assert.match(await rejection(configWith({ alerts: { email: ["a@example.com"] } })), /alerts\.email: unknown key \(did you mean "emails"\?\)/);
    });
});

describe("trueClientIp (appendix D)", () => {
    it("adopts the zone's managed transforms, keeps the listed ones and adds True-Client-IP", async () => {
        const run = await runStack(configWith({ trueClientIp: true, managedTransforms: { request: ["add_visitor_location_headers"], response: ["add_security_headers"] } }));
        const [transforms] = ofType(run, TYPES.managedTransforms);
        assert.ok(transforms);
        assert.equal(transforms.importId, ZONE_ID);
        assert.equal(transforms.retainOnDelete, true);
        assert.deepEqual(transforms.inputs.managedRequestHeaders, [
            { id: "add_true_client_ip_headers", enabled: true },
            { id: "add_visitor_location_headers", enabled: true },
        ]);
        assert.deepEqual(transforms.inputs.managedResponseHeaders, [{ id: "add_security_headers", enabled: true }]);
    });

    it("never turns off a transform that is on in the zone at deploy time", async () => {
        const live = {
            "cloudflare:index/getManagedTransforms:getManagedTransforms": () => ({
                id: ZONE_ID,
                managedRequestHeaders: [
                    { id: "add_client_certificate_headers", enabled: true },
                    { id: "add_visitor_location_headers", enabled: false },
                ],
                managedResponseHeaders: [{ id: "remove_x-powered-by_header", enabled: true }],
            }),
        };
        const run = await runStack(configWith({ trueClientIp: true }), "prod", live);
        const [transforms] = ofType(run, TYPES.managedTransforms);
        assert.deepEqual(transforms!.inputs.managedRequestHeaders, [
            { id: "add_client_certificate_headers", enabled: true },
            { id: "add_true_client_ip_headers", enabled: true },
        ]);
        assert.deepEqual(transforms!.inputs.managedResponseHeaders, [{ id: "remove_x-powered-by_header", enabled: true }]);
    });

    it("is off by default: the zone's managed transforms are not touched", async () => {
        assert.equal(ofType(await runStack(guideConfig()), TYPES.managedTransforms).length, 0);
    });

    it("rejects remove_visitor_ip_headers alongside it", async () => {
        const message = await rejection(configWith({ trueClientIp: true, managedTransforms: { request: ["remove_visitor_ip_headers"] } }));
        assert.match(message, /managedTransforms\.request\[0\]: remove_visitor_ip_headers cannot be on together/);
    });

    it("rejects managedTransforms without trueClientIp", async () => {
        assert.match(await rejection(configWith({ managedTransforms: { request: ["add_visitor_location_headers"] } })), /managedTransforms: only applies with trueClientIp: true/);
    });
});

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
