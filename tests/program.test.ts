/**
 * The resource graph the program registers for the guide's use case and its
 * variants: what each resource is, what it points at, and what is protected.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { legacyPoolName, poolName } from "../components/naming";
import { ACCOUNT_ID, guideConfig, named, ofType, parentOf, RECORD_ID, runStack, ZONE_ID, type ConfigObject } from "./support/stack";
import { RESOURCE_TYPES } from "../policy/resourceTypes";
import { CLOUDFLARE_API_BASE } from "../components/defaults";

const COMPONENT = {
    cequence: "cloudflare-cequence:index:CequencePool",
    origin: "cloudflare-cequence:index:AppOriginPool",
    loadBalancer: "cloudflare-cequence:index:FailoverLoadBalancer",
    cutover: "cloudflare-cequence:index:CnameCutover",
};

function withApp(edit: Record<string, unknown>, cequenceEdit: Record<string, unknown> = {}): ConfigObject {
    const config = guideConfig();
    const [first] = config.apps as Record<string, unknown>[];
    Object.assign(first!, edit);
    Object.assign(config.cequence as object, cequenceEdit);
    return config;
}

describe("the guide's use case (routing: loadBalancer)", async () => {
    const run = await runStack(guideConfig());
    const cequencePool = named(run, "www.cq-route.com-cequence-pool");
    const originPool = named(run, "www.cq-route.com-origin-pool");
    const cequenceMonitor = named(run, "www.cq-route.com-cequence-monitor");
    const originMonitor = named(run, "www.cq-route.com-origin-monitor");
    const lb = named(run, "www.cq-route.com-failover-lb");
    const record = named(run, "www.cq-route.com-cutover-record");

    it("registers exactly two monitors, two pools, one LB and one CNAME", () => {
        assert.equal(run.error, undefined);
        const counts = Object.fromEntries(Object.values(RESOURCE_TYPES).map((t) => [t, ofType(run, t).length]));
        assert.deepEqual(counts, {
            [RESOURCE_TYPES.monitor]: 2,
            [RESOURCE_TYPES.pool]: 2,
            [RESOURCE_TYPES.loadBalancer]: 1,
            [RESOURCE_TYPES.dnsRecord]: 1,
            [RESOURCE_TYPES.legacyRecord]: 0,
            [RESOURCE_TYPES.notificationPolicy]: 0,
            [RESOURCE_TYPES.managedTransforms]: 0,
            [RESOURCE_TYPES.ruleset]: 0,
            [RESOURCE_TYPES.randomPassword]: 0,
        });
        assert.equal(run.resources.filter((r) => r.custom).length, 6);
    });

    it("attaches each pool's own monitor", () => {
        assert.equal(cequencePool.inputs.monitor, cequenceMonitor.id);
        assert.equal(originPool.inputs.monitor, originMonitor.id);
    });

    it("points the Cequence pool at the Cequence hostname and the origin pool at the origin", () => {
        assert.deepEqual(cequencePool.inputs.origins, [
            { name: "cequence", address: "cq-route.example.cequence.ai", enabled: true, weight: 1 },
        ]);
        assert.deepEqual(originPool.inputs.origins, [
            { name: "application-origin", address: "origin-www.cq-route.com", enabled: true, weight: 1 },
        ]);
        assert.equal(cequencePool.inputs.enabled, true);
        assert.equal(originPool.inputs.enabled, true);
        assert.equal(cequencePool.inputs.accountId, ACCOUNT_ID);
    });

    it("names pools with letters, digits, - and _ only, per stack and app", () => {
        assert.equal(cequencePool.inputs.name, "cequence_www_cq-route_com__prod");
        assert.equal(originPool.inputs.name, "origin_www_cq-route_com__prod");
    });

    it("probes over HTTPS with the public hostname as Host and explicit expected codes", () => {
        for (const monitor of [cequenceMonitor, originMonitor]) {
            assert.equal(monitor.inputs.type, "https");
            assert.deepEqual(monitor.inputs.header, { Host: ["www.cq-route.com"] });
            assert.equal(monitor.inputs.expectedCodes, "200");
            assert.deepEqual(
                [monitor.inputs.interval, monitor.inputs.timeout, monitor.inputs.retries, monitor.inputs.consecutiveUp, monitor.inputs.consecutiveDown],
                [60, 5, 2, 2, 1],
            );
        }
    });

    it("fails over from Cequence to the origin, which is also the fallback", () => {
        assert.deepEqual(lb.inputs.defaultPools, [cequencePool.id, originPool.id]);
        assert.equal(lb.inputs.fallbackPool, originPool.id);
        assert.equal(lb.inputs.steeringPolicy, "off");
        assert.equal(lb.inputs.proxied, true);
        assert.equal(lb.inputs.name, "origin-www-lb.cq-route.com");
        assert.equal(lb.inputs.zoneId, ZONE_ID);
    });

    it("points the proxied public CNAME at the LB hostname, with no trailing dot", () => {
        assert.deepEqual(
            { name: record.inputs.name, type: record.inputs.type, content: record.inputs.content, proxied: record.inputs.proxied, ttl: record.inputs.ttl },
            { name: "www.cq-route.com", type: "CNAME", content: "origin-www-lb.cq-route.com", proxied: true, ttl: 1 },
        );
    });

    it("protects the public record and retains it on delete, and protects the LB it points at", () => {
        assert.equal(record.protect, true);
        assert.equal(record.retainOnDelete, true);
        assert.equal(record.importId, "");
        assert.equal(lb.protect, true, "deleting the LB would leave the CNAME dangling");
        assert.deepEqual(
            run.resources.filter((r) => r.protect || r.retainOnDelete).map((r) => r.name).sort(),
            ["www.cq-route.com-cutover-record", "www.cq-route.com-failover", "www.cq-route.com-failover-lb"],
        );
    });

    it("parents each resource to its component, named from the component", () => {
        const expected: Array<[typeof cequencePool, string, string]> = [
            [cequenceMonitor, COMPONENT.cequence, "www.cq-route.com-cequence"],
            [cequencePool, COMPONENT.cequence, "www.cq-route.com-cequence"],
            [originMonitor, COMPONENT.origin, "www.cq-route.com-origin"],
            [originPool, COMPONENT.origin, "www.cq-route.com-origin"],
            [lb, COMPONENT.loadBalancer, "www.cq-route.com-failover"],
            [record, COMPONENT.cutover, "www.cq-route.com-cutover"],
        ];
        for (const [child, type, name] of expected) {
            const parent = parentOf(run, child);
            assert.equal(parent?.type, type);
            assert.equal(parent?.name, name);
            assert.ok(child.name.startsWith(`${name}-`));
        }
    });

    it("outputs the LB hostname, the CNAME target and each pool's health endpoints", () => {
        assert.deepEqual(run.outputs.loadBalancers, { "www.cq-route.com": "origin-www-lb.cq-route.com" });
        assert.deepEqual(run.outputs.routing, { "www.cq-route.com": "origin-www-lb.cq-route.com" });
        const base = `${CLOUDFLARE_API_BASE}/accounts/${ACCOUNT_ID}/load_balancers/pools`;
        assert.deepEqual(run.outputs.poolHealthEndpoints, {
            "www.cq-route.com": {
                cequence: { pool: "cequence_www_cq-route_com__prod", healthApiUrl: `${base}/${cequencePool.id}/health`, probeUrl: "https://cq-route.example.cequence.ai/" },
                origin: { pool: "origin_www_cq-route_com__prod", healthApiUrl: `${base}/${originPool.id}/health`, probeUrl: "https://origin-www.cq-route.com/" },
            },
        });
        assert.deepEqual(run.secretOutputs, []);
    });
});

describe("apps[].paths", () => {
    it("without paths the load balancer has no rules key and the stack no protectedPaths output: stacks deployed before paths see no change", async () => {
        const run = await runStack(guideConfig());
        assert.equal("rules" in named(run, "www.cq-route.com-failover-lb").inputs, false);
        assert.equal("protectedPaths" in run.outputs, false);
    });

    it("gives only the app with paths its rule, and outputs its expression by hostname", async () => {
        const config = guideConfig();
        config.apps = [
            { hostname: "www.cq-route.com", origin: "origin-www.cq-route.com" },
            { hostname: "api.cq-route.com", origin: "origin-api.cq-route.com", paths: ["/v1/*", "/login"] },
        ];
        const run = await runStack(config);
        assert.equal("rules" in named(run, "www.cq-route.com-failover-lb").inputs, false);
        const rules = named(run, "api.cq-route.com-failover-lb").inputs.rules as Array<{ condition: string; overrides: { defaultPools: string[] } }>;
        assert.equal(rules.length, 1);
        assert.equal(rules[0]!.condition, 'not (lower(http.request.uri.path) in {"/login" "/login/" "/v1"} or lower(http.request.uri.path) matches "^/v1/")');
        assert.deepEqual(rules[0]!.overrides.defaultPools, [named(run, "api.cq-route.com-origin-pool").id]);
        assert.deepEqual(run.outputs.protectedPaths, { "api.cq-route.com": 'lower(http.request.uri.path) in {"/login" "/login/" "/v1"} or lower(http.request.uri.path) matches "^/v1/"' });
    });
});

describe("routing and appendices", () => {
    it("routing: origin keeps the LB and pools but points the CNAME at the origin", async () => {
        const run = await runStack(withApp({ routing: "origin" }));
        assert.equal(named(run, "www.cq-route.com-failover-lb").protect, false, "an LB no CNAME points at can be removed");
        assert.equal(named(run, "www.cq-route.com-cutover-record").inputs.content, "origin-www.cq-route.com");
        assert.equal(ofType(run, RESOURCE_TYPES.loadBalancer).length, 1);
        assert.equal(ofType(run, RESOURCE_TYPES.pool).length, 2);
        assert.deepEqual(run.outputs.routing, { "www.cq-route.com": "origin-www.cq-route.com" });
        assert.deepEqual(run.outputs.loadBalancers, { "www.cq-route.com": "origin-www-lb.cq-route.com" });
    });

    it("routing: cequence (appendix A) points the CNAME at Cequence with no LB, pools or monitors", async () => {
        const run = await runStack(withApp({ routing: "cequence" }));
        assert.deepEqual(run.resources.filter((r) => r.custom).map((r) => r.type), [RESOURCE_TYPES.dnsRecord]);
        assert.equal(named(run, "www.cq-route.com-cutover-record").inputs.content, "cq-route.example.cequence.ai");
        assert.deepEqual(run.outputs.loadBalancers, {});
        assert.deepEqual(run.outputs.poolHealthEndpoints, {});
    });

    it("cequence.enabled: false (appendix C) disables only the Cequence pool", async () => {
        const run = await runStack(withApp({}, { enabled: false }));
        assert.equal(named(run, "www.cq-route.com-cequence-pool").inputs.enabled, false);
        assert.equal(named(run, "www.cq-route.com-origin-pool").inputs.enabled, true);
        assert.equal(named(run, "www.cq-route.com-cutover-record").inputs.content, "origin-www-lb.cq-route.com");
    });

    it("warns when adoption would also cut over, and when enabled: false cannot bypass an appendix-A app", async () => {
        const adoptAndCut = await runStack(withApp({ existingRecordId: RECORD_ID }));
        assert.equal(adoptAndCut.warnings.length, 1);
        assert.match(adoptAndCut.warnings[0]!, /apps\[0\] \(www\.cq-route\.com\): existingRecordId with routing: loadBalancer adopts the record and repoints it/);
        const direct = await runStack(withApp({ routing: "cequence" }, { enabled: false }));
        assert.match(direct.warnings.join("\n"), /cequence\.enabled: false cannot take Cequence out of line for routing: cequence/);
        assert.deepEqual((await runStack(withApp({ routing: "origin", existingRecordId: RECORD_ID }))).warnings, []);
    });

    it("existingRecordId adopts the record through import, still protected", async () => {
        const run = await runStack(withApp({ routing: "origin", existingRecordId: RECORD_ID }));
        const record = named(run, "www.cq-route.com-cutover-record");
        assert.equal(record.importId, `${ZONE_ID}/${RECORD_ID}`);
        assert.equal(record.id, RECORD_ID);
        assert.equal(record.protect, true);
        assert.equal(record.retainOnDelete, true);
        assert.equal(run.resources.filter((r) => r.importId !== "").length, 1);
    });

    it("passes each app's monitor settings to its origin monitor and cequence.monitor to every Cequence monitor", async () => {
        const config = withApp(
            { monitor: { path: "/healthz", expectedCodes: "2xx", interval: 30 } },
            { monitor: { path: "/cq-health", interval: 15, timeout: 2, retries: 1, consecutiveUp: 3, consecutiveDown: 2 } },
        );
        const run = await runStack(config);
        const cequenceMonitor = named(run, "www.cq-route.com-cequence-monitor").inputs;
        const originMonitor = named(run, "www.cq-route.com-origin-monitor").inputs;
        assert.deepEqual(
            [cequenceMonitor.path, cequenceMonitor.interval, cequenceMonitor.timeout, cequenceMonitor.retries, cequenceMonitor.consecutiveUp, cequenceMonitor.consecutiveDown],
            ["/cq-health", 15, 2, 1, 3, 2],
        );
        assert.deepEqual([originMonitor.path, originMonitor.expectedCodes, originMonitor.interval], ["/healthz", "2xx", 30]);
        const endpoints = run.outputs.poolHealthEndpoints as Record<string, Record<string, { probeUrl: string }>>;
        assert.equal(endpoints["www.cq-route.com"]!.cequence!.probeUrl, "https://cq-route.example.cequence.ai/cq-health");
        assert.equal(endpoints["www.cq-route.com"]!.origin!.probeUrl, "https://origin-www.cq-route.com/healthz");
    });

    it("uses the stack name in pool names, so stacks can share an account", async () => {
        const run = await runStack(guideConfig(), "staging");
        assert.deepEqual(ofType(run, RESOURCE_TYPES.pool).map((p) => p.inputs.name).sort(), [
            "cequence_www_cq-route_com__staging",
            "origin_www_cq-route_com__staging",
        ]);
    });

    it("names an app's pools after apps[].poolStack, the stack it was moved from, so a move renames nothing", async () => {
        const config = guideConfig();
        (config.apps as Record<string, unknown>[])[0]!.poolStack = "prod.eu";
        const run = await runStack(config, "staging");
        assert.deepEqual(ofType(run, RESOURCE_TYPES.pool).map((p) => p.inputs.name).sort(), [
            poolName("cequence", "prod.eu", "www.cq-route.com"),
            poolName("origin", "prod.eu", "www.cq-route.com"),
        ]);
    });
});

function twoApps(cequenceEdit: Record<string, unknown> = {}): ConfigObject {
    const config = guideConfig();
    (config.apps as unknown[]).push({ hostname: "api.cq-route.com", origin: "origin-api.cq-route.com" });
    Object.assign(config.cequence as object, cequenceEdit);
    config.alerts = { emails: ["oncall@example.com"] };
    return config;
}

const HOSTS = ["www.cq-route.com", "api.cq-route.com"];

describe("cequence.sharedPool", async () => {
    const run = await runStack(twoApps({ sharedPool: true }));
    const shared = named(run, "cequence-shared-pool");
    const monitor = named(run, "cequence-shared-monitor");

    it("registers one Cequence pool and monitor for the stack, and an origin pool per app", () => {
        assert.equal(run.error, undefined);
        assert.deepEqual(ofType(run, RESOURCE_TYPES.pool).map((p) => p.name).sort(), ["api.cq-route.com-origin-pool", "cequence-shared-pool", "www.cq-route.com-origin-pool"]);
        assert.equal(ofType(run, RESOURCE_TYPES.monitor).length, 3);
        assert.equal(parentOf(run, shared)?.type, COMPONENT.cequence);
        assert.equal(shared.inputs.name, "cequence_shared__prod");
        assert.equal(shared.inputs.monitor, monitor.id);
        assert.equal(shared.inputs.description, "Cequence UAP in line for every hostname of stack prod");
    });

    it("is pool 1 of every load balancer, the app's origin pool its fallback", () => {
        for (const host of HOSTS) {
            const lb = named(run, `${host}-failover-lb`);
            const origin = named(run, `${host}-origin-pool`);
            assert.deepEqual(lb.inputs.defaultPools, [shared.id, origin.id]);
            assert.equal(lb.inputs.fallbackPool, origin.id);
        }
    });

    it("probes with the first load-balanced app's hostname as Host, or cequence.monitor.host", async () => {
        assert.deepEqual(monitor.inputs.header, { Host: ["www.cq-route.com"] });
        const chosen = await runStack(twoApps({ sharedPool: true, monitor: { host: "health.cq-route.com" } }));
        assert.deepEqual(named(chosen, "cequence-shared-monitor").inputs.header, { Host: ["health.cq-route.com"] });
    });

    it("alerts on the one shared pool, and outputs it for every app", () => {
        const policies = ofType(run, RESOURCE_TYPES.notificationPolicy);
        assert.equal(policies.length, 2);
        for (const policy of policies) assert.deepEqual((policy.inputs.filters as { poolIds: string[] }).poolIds, [shared.id]);
        const endpoints = run.outputs.poolHealthEndpoints as Record<string, Record<string, { pool: string }>>;
        assert.deepEqual(HOSTS.map((h) => endpoints[h]!.cequence!.pool), ["cequence_shared__prod", "cequence_shared__prod"]);
    });

    it("registers no Cequence pool when no app has a load balancer", async () => {
        const direct = await runStack(withApp({ routing: "cequence" }, { sharedPool: true }));
        assert.deepEqual(ofType(direct, RESOURCE_TYPES.pool), []);
    });
});

describe("switching between per-app and shared Cequence pools", async () => {
    const perApp = await runStack(twoApps());
    const shared = await runStack(twoApps({ sharedPool: true }));
    const urns = (run: typeof perApp) => new Set(run.resources.map((r) => r.urn));

    /**
     * The mock engine cannot run two updates, so this checks what Pulumi's
     * order follows from: a resource's dependencies are created or updated
     * before it, resources that leave the program are deleted at the end of
     * the update, after every update that moved away from them, and the load
     * balancers keep their URNs (updated in place, never replaced).
     */
    for (const [from, to, name] of [
        [perApp, shared, "per-app to shared"],
        [shared, perApp, "shared to per-app"],
    ] as const) {
        it(`${name}: each LB is updated in place and depends on its new Cequence pool, which it points at; the old pools are only deleted`, () => {
            const before = urns(from);
            for (const host of HOSTS) {
                const lb = named(to, `${host}-failover-lb`);
                assert.ok(before.has(lb.urn), "the load balancer keeps its URN");
                const cequencePool = ofType(to, RESOURCE_TYPES.pool).find((p) => p.id === (lb.inputs.defaultPools as string[])[0])!;
                assert.ok(!before.has(cequencePool.urn), "pool 1 is a new pool, created in this update");
                assert.ok(lb.dependencies.includes(cequencePool.urn), "so it is created before the load balancer is pointed at it");
            }
            const removed = [...before].filter((urn) => !urns(to).has(urn));
            assert.ok(removed.some((urn) => urn.endsWith("LoadBalancerPool::" + (to === shared ? "www.cq-route.com-cequence-pool" : "cequence-shared-pool"))));
            for (const resource of to.resources) {
                assert.deepEqual(resource.dependencies.filter((urn) => removed.includes(urn)), [], `${resource.name} depends on nothing deleted`);
            }
        });
    }
});

describe("cequence.port (a Cequence Bridge)", async () => {
    const run = await runStack(withApp({}, { hostname: "bridge.cq-route.com", port: 9443 }));

    it("sends the port to the pool's origin, named for it, and to the monitor", () => {
        assert.deepEqual(named(run, "www.cq-route.com-cequence-pool").inputs.origins, [
            { name: "cequence-port-9443", address: "bridge.cq-route.com", enabled: true, weight: 1, port: 9443 },
        ]);
        assert.equal(named(run, "www.cq-route.com-cequence-monitor").inputs.port, 9443);
        const endpoints = run.outputs.poolHealthEndpoints as Record<string, Record<string, { probeUrl: string }>>;
        assert.equal(endpoints["www.cq-route.com"]!.cequence!.probeUrl, "https://bridge.cq-route.com:9443/");
    });

    it("leaves the origin pool on HTTPS's port, and sends no port at 443", async () => {
        assert.equal(named(run, "www.cq-route.com-origin-monitor").inputs.port, undefined);
        assert.equal((named(run, "www.cq-route.com-origin-pool").inputs.origins as Array<{ port?: number }>)[0]!.port, undefined);
        const direct = await runStack(withApp({}, { port: 443 }));
        assert.equal(named(direct, "www.cq-route.com-cequence-monitor").inputs.port, undefined);
        assert.deepEqual(named(direct, "www.cq-route.com-cequence-pool").inputs.origins, [
            { name: "cequence", address: "cq-route.example.cequence.ai", enabled: true, weight: 1 },
        ]);
    });
});

describe("renamed pools", async () => {
    const run = await runStack(guideConfig());

    /**
     * Stacks deployed before the new pool names get an update, not a
     * replacement: the pools keep their Pulumi names, so their URNs (below,
     * as those stacks have them) stay, and only the `name` input changes. The
     * provider does not replace a pool whose `name` changes: its schema gives
     * `name` no RequiresReplace plan modifier, unlike `account_id`
     * (cloudflare/terraform-provider-cloudflare,
     * internal/services/load_balancer_pool/schema.go at a2efdc57, which
     * @pulumi/cloudflare 6 bridges).
     */
    it("keep their URNs; only the name changes", () => {
        for (const role of ["cequence", "origin"] as const) {
            const pool = named(run, `www.cq-route.com-${role}-pool`);
            const component = role === "cequence" ? "CequencePool" : "AppOriginPool";
            assert.equal(pool.urn, `urn:pulumi:prod::cloudflare-cequence::cloudflare-cequence:index:${component}$cloudflare:index/loadBalancerPool:LoadBalancerPool::www.cq-route.com-${role}-pool`);
            assert.equal(pool.inputs.name, poolName(role, "prod", "www.cq-route.com"));
            assert.notEqual(pool.inputs.name, legacyPoolName(role, "prod", "www.cq-route.com"));
        }
    });
});
