/**
 * Property test: for any valid config (any number of apps, every routing,
 * any monitor settings), the graph keeps the guide's invariants and every
 * request body conforms to Cloudflare's schema.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { hasLoadBalancer, legacyPoolName, poolName, sharedCequencePoolName, type PoolRole } from "../components/naming";
import { parseStackConfig } from "../config/parse";
import type { StackConfig } from "../config/schema";
import type { ProgramRun } from "../tools/plan/mockEngine";
import { contractErrorsWithNewerFields } from "./support/newerThanSchema";
import { ACCOUNT_ID, ofType, runStack, toRaw, ZONE_ID, type ConfigObject } from "./support/stack";
import { RESOURCE_TYPES } from "../policy/resourceTypes";

const label = fc.stringMatching(/^[a-z][a-z0-9]{0,6}$/);

/** Monitor settings; `codes` are the expected codes that can mean healthy on that monitor. */
const monitor = (codes: readonly string[]) => fc
    .record({ timeout: fc.integer({ min: 1, max: 10 }), retries: fc.integer({ min: 0, max: 5 }) })
    .chain(({ timeout, retries }) =>
        fc.record(
            {
                path: fc.constantFrom("/", "/health", "/status/ok"),
                expectedCodes: fc.constantFrom(...codes),
                interval: fc.integer({ min: Math.max(10, (retries + 1) * timeout + 1), max: 3600 }),
                timeout: fc.constant(timeout),
                retries: fc.constant(retries),
                consecutiveUp: fc.integer({ min: 1, max: 10 }),
                consecutiveDown: fc.integer({ min: 1, max: 10 }),
            },
            { requiredKeys: ["timeout", "retries", "interval"] },
        ),
    );

const validConfig: fc.Arbitrary<ConfigObject> = fc
    .record({
        zone: fc.constantFrom("cq-route.com", "example.co.uk"),
        labels: fc.uniqueArray(label, { minLength: 1, maxLength: 5 }),
        enabled: fc.boolean(),
        sharedPool: fc.boolean(),
        port: fc.option(fc.constantFrom(443, 9443, 8443), { nil: undefined }),
        cequenceMonitor: fc.option(monitor(["200", "2xx", "204"]), { nil: undefined }),
    })
    .chain(({ zone, labels, enabled, sharedPool, port, cequenceMonitor }) =>
        fc
            .tuple(
                ...labels.map((name) =>
                    fc.record(
                        {
                            hostname: fc.constant(`${name}.${zone}`),
                            origin: fc.constantFrom(`origin-${name}.${zone}`, `${name}.origin.example.net`),
                            // A Bridge's port cannot be reached by routing: cequence (config/crossChecks.ts refuses it).
                            routing: port === undefined || port === 443 ? fc.constantFrom("loadBalancer", "origin", "cequence") : fc.constantFrom("loadBalancer", "origin"),
                            lbHostname: fc.constant(`lb-${name}.${zone}`),
                            existingRecordId: fc.stringMatching(/^[0-9a-f]{32}$/),
                            monitor: monitor(["200", "2xx", "204", "3xx", "401", "4xx"]),
                        },
                        { requiredKeys: ["hostname", "origin"] },
                    ),
                ),
            )
            .map((apps) => ({
                accountId: ACCOUNT_ID,
                zoneId: ZONE_ID,
                zone,
                cequence: {
                    hostname: "tenant.example.cequence.ai",
                    enabled,
                    sharedPool,
                    ...(port === undefined ? {} : { port }),
                    ...(cequenceMonitor ? { monitor: cequenceMonitor } : {}),
                },
                apps,
            })),
    );

function parsed(config: ConfigObject): StackConfig {
    const result = parseStackConfig(toRaw(config));
    if (!result.ok) throw new Error(`generated an invalid config: ${JSON.stringify(result.issues)}`);
    return result.config;
}

function checkInvariants(config: StackConfig, run: ProgramRun): void {
    assert.equal(run.error, undefined);
    const monitorIds = new Set(ofType(run, RESOURCE_TYPES.monitor).map((m) => m.id));
    const pools = ofType(run, RESOURCE_TYPES.pool);
    const poolById = new Map(pools.map((p) => [p.id, p]));
    const records = ofType(run, RESOURCE_TYPES.dnsRecord);
    const loadBalancers = ofType(run, RESOURCE_TYPES.loadBalancer);
    const withLb = config.apps.filter(hasLoadBalancer);

    assert.equal(records.length, config.apps.length, "one CNAME per app");
    assert.equal(loadBalancers.length, withLb.length, "one LB per app that is not appendix A");
    const { sharedPool, port } = config.cequence;
    const cequencePools = sharedPool ? Math.min(1, withLb.length) : withLb.length;
    assert.equal(pools.length, cequencePools + withLb.length, "one origin pool per LB, and one Cequence pool per LB or per stack");
    assert.equal(new Set(pools.map((p) => p.inputs.name)).size, pools.length, "pool names are unique");
    const monitorById = new Map(ofType(run, RESOURCE_TYPES.monitor).map((m) => [m.id, m]));
    const firstPoolIds = new Set(loadBalancers.map((lb) => (lb.inputs.defaultPools as string[])[0]));
    assert.equal(firstPoolIds.size, cequencePools, "with a shared pool, every LB's pool 1 is the same pool");

    for (const pool of pools) {
        assert.match(String(pool.inputs.name), /^[A-Za-z0-9_-]+$/);
        assert.ok(monitorIds.has(String(pool.inputs.monitor)), "every pool has a registered monitor");
        const names = (pool.inputs.origins as Array<{ name: string }>).map((o) => o.name);
        assert.deepEqual(names, [...names].sort(), "origins are sorted by name");
    }
    for (const monitorResource of ofType(run, RESOURCE_TYPES.monitor)) {
        assert.equal(typeof monitorResource.inputs.expectedCodes, "string");
        const interval = monitorResource.inputs.interval as number;
        assert.ok(interval > ((monitorResource.inputs.retries as number) + 1) * (monitorResource.inputs.timeout as number));
    }

    for (const app of config.apps) {
        const record = records.find((r) => r.inputs.name === app.hostname)!;
        const expectedTarget = { loadBalancer: app.lbHostname, origin: app.origin, cequence: config.cequence.hostname }[app.routing];
        assert.equal(record.inputs.content, expectedTarget);
        assert.ok(!String(record.inputs.content).endsWith("."));
        assert.deepEqual([record.inputs.type, record.inputs.proxied, record.inputs.ttl], ["CNAME", true, 1]);
        assert.ok(record.protect && record.retainOnDelete, "the public record is protected and retained");
        assert.equal(record.importId, app.existingRecordId ? `${ZONE_ID}/${app.existingRecordId}` : "");

        const lb = loadBalancers.find((l) => l.inputs.name === app.lbHostname);
        if (!hasLoadBalancer(app)) {
            assert.equal(lb, undefined);
            continue;
        }
        assert.ok(lb, `an LB for ${app.hostname}`);
        const [first, second] = (lb.inputs.defaultPools as string[]).map((id) => poolById.get(id)!);
        assert.equal((lb.inputs.defaultPools as string[]).length, 2);
        const [cequenceOrigin] = first!.inputs.origins as Array<{ address: string; port?: number }>;
        assert.equal(cequenceOrigin!.address, config.cequence.hostname, "pool 1 is Cequence");
        const cequenceMonitor = monitorById.get(String(first!.inputs.monitor))!;
        const explicitPort = port === 443 ? undefined : port;
        assert.equal(cequenceOrigin!.port, explicitPort, "Cequence's port, sent only when not HTTPS's");
        assert.equal(cequenceMonitor.inputs.port, explicitPort, "the monitor probes Cequence's port");
        assert.deepEqual((cequenceMonitor.inputs.header as Record<string, string[]>).Host, [sharedPool ? config.cequence.monitor.host : app.hostname]);
        assert.match(String(cequenceMonitor.inputs.expectedCodes), /^2/, "only a 2xx is Cequence healthy");
        assert.equal((second!.inputs.origins as Array<{ port?: number }>)[0]!.port, undefined, "origins are HTTPS on 443");
        assert.equal((second!.inputs.origins as Array<{ address: string }>)[0]!.address, app.origin);
        assert.equal(lb.inputs.fallbackPool, second!.id, "the fallback is the origin, the last pool");
        assert.equal(first!.inputs.enabled, config.cequence.enabled);
        assert.equal(second!.inputs.enabled, true, "the origin pool is never disabled");
        assert.deepEqual([lb.inputs.steeringPolicy, lb.inputs.proxied], ["off", true]);
    }

    assert.deepEqual(
        Object.keys(run.outputs.loadBalancers as object).sort(),
        withLb.map((a) => a.hostname).sort(),
    );
    for (const resource of run.resources.filter((r) => r.custom && r.type.startsWith("cloudflare:"))) {
        assert.deepEqual(contractErrorsWithNewerFields(resource), []);
    }
}

describe("invariants over generated configs", () => {
    it("hold for every valid config", async () => {
        await fc.assert(
            fc.asyncProperty(validConfig, async (config) => {
                checkInvariants(parsed(config), await runStack(config));
            }),
            { numRuns: 40 },
        );
    });
});

/** Reads (role, stack, hostname) back from a pool name: a name that decodes uniquely cannot collide. */
function decodePoolName(name: string): { role: string; stack: string; hostname: string } {
    const match = /^([a-z]+)_(.*?[A-Za-z0-9])__(.*)$/.exec(name);
    if (!match) throw new Error(`not a pool name: ${name}`);
    const [, role, host, stack] = match;
    return { role: role!, hostname: host!.replace(/_/g, "."), stack: stack!.replace(/_(.)/g, (_, c: string) => (c === "_" ? "_" : ".")) };
}

const stackName = fc.stringMatching(/^[A-Za-z0-9._-]{1,12}$/);
const hostname = fc.array(fc.stringMatching(/^[a-z0-9]([a-z0-9-]{0,5}[a-z0-9])?$/), { minLength: 2, maxLength: 4 }).map((labels) => labels.join("."));
const role = fc.constantFrom<PoolRole>("cequence", "origin");

describe("pool names", () => {
    it("decode back to their role, stack and hostname, so no two stacks' pools share a name", () => {
        fc.assert(
            fc.property(role, stackName, hostname, (r, stack, host) => {
                const name = poolName(r, stack, host);
                assert.match(name, /^[A-Za-z0-9_-]+$/, "Cloudflare's pool-name characters");
                assert.deepEqual(decodePoolName(name), { role: r, stack, hostname: host });
            }),
            { numRuns: 500 },
        );
    });

    it("never equal a shared Cequence pool's name", () => {
        fc.assert(
            fc.property(role, stackName, stackName, hostname, (r, stack, otherStack, host) => {
                assert.notEqual(poolName(r, stack, host), sharedCequencePoolName(otherStack));
            }),
        );
        assert.equal(sharedCequencePoolName("prod.eu"), "cequence_shared__prod_-eu");
    });

    it("tell apart the stacks the old names confused", () => {
        assert.equal(legacyPoolName("cequence", "prod", "eu.www.cq-route.com"), legacyPoolName("cequence", "prod.eu", "www.cq-route.com"));
        assert.equal(poolName("cequence", "prod", "eu.www.cq-route.com"), "cequence_eu_www_cq-route_com__prod");
        assert.equal(poolName("cequence", "prod.eu", "www.cq-route.com"), "cequence_www_cq-route_com__prod_-eu");
        assert.equal(poolName("origin", "prod_eu", "www.cq-route.com"), "origin_www_cq-route_com__prod__eu");
    });
});
