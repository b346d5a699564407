import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import * as path from "node:path";
import { describe, it } from "node:test";
import type { ResourceValidationArgs } from "@pulumi/policy";
import { policies, type CequencePolicy } from "../policy/policies";
import { guideConfig, runStack } from "./support/stack";
import { RESOURCE_TYPES } from "../policy/resourceTypes";

/** Runs one policy on one resource's inputs, as the policy server would, and returns the violations. */
async function violations(policy: CequencePolicy, type: string, props: Record<string, unknown>): Promise<string[]> {
    const reported: string[] = [];
    const unused = (what: string) => () => {
        throw new Error(`the policies read props only; ${what} was called`);
    };
    const args: ResourceValidationArgs = {
        type,
        props,
        urn: `urn:pulumi:test::cloudflare-cequence::${type}::resource`,
        name: "resource",
        opts: { protect: false, ignoreChanges: [], aliases: [], customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 }, additionalSecretOutputs: [] },
        stackTags: new Map(),
        isType: unused("isType"),
        asType: unused("asType"),
        getConfig: unused("getConfig"),
        notApplicable: unused("notApplicable"),
    };
    await policy.validateResource(args, (message) => reported.push(message));
    return reported;
}

function policy(name: string): CequencePolicy {
    const found = policies.find((p) => p.name === name);
    if (!found) throw new Error(`no policy ${name}; the pack has ${policies.map((p) => p.name).join(", ")}`);
    return found;
}

const CEQUENCE_POOL = "cequence-pool-id";
const ORIGIN_POOL = "origin-pool-id";
const guideLoadBalancer = {
    proxied: true,
    steeringPolicy: "off",
    defaultPools: [CEQUENCE_POOL, ORIGIN_POOL],
    fallbackPool: ORIGIN_POOL,
};
const guideMonitor = { type: "https", header: { Host: ["www.cq-route.com"] }, expectedCodes: "200" };
const guideCname = { type: "CNAME", proxied: true, ttl: 1, content: "origin-www-lb.cq-route.com" };

interface Case {
    policy: string;
    type: string;
    passing: Record<string, unknown>;
    violating: Record<string, unknown>;
    /** Part of the violation message that tells the user what to change. */
    advice: RegExp;
}

const cases: Case[] = [
    { policy: "load-balancer-proxied", type: RESOURCE_TYPES.loadBalancer, passing: guideLoadBalancer, violating: { ...guideLoadBalancer, proxied: false }, advice: /set proxied: true/ },
    { policy: "load-balancer-failover-steering", type: RESOURCE_TYPES.loadBalancer, passing: { ...guideLoadBalancer, steeringPolicy: "random" }, violating: { ...guideLoadBalancer, steeringPolicy: "dynamic_latency" }, advice: /"off".*"random"/ },
    { policy: "load-balancer-fails-open-to-origin", type: RESOURCE_TYPES.loadBalancer, passing: guideLoadBalancer, violating: { ...guideLoadBalancer, fallbackPool: CEQUENCE_POOL }, advice: /fail open to the application origin/ },
    {
        policy: "load-balancer-rules-fail-open-to-origin",
        type: RESOURCE_TYPES.loadBalancer,
        passing: { ...guideLoadBalancer, rules: [{ condition: 'not (http.request.uri.path in {"/login"})', overrides: { defaultPools: [ORIGIN_POOL], fallbackPool: ORIGIN_POOL } }] },
        violating: { ...guideLoadBalancer, rules: [{ condition: 'http.request.uri.path in {"/login"}', overrides: { defaultPools: [CEQUENCE_POOL], fallbackPool: CEQUENCE_POOL } }] },
        advice: /end its defaultPools with the application origin, the load balancer's fallbackPool "origin-pool-id", and fall back to it/,
    },
    { policy: "pool-has-monitor", type: RESOURCE_TYPES.pool, passing: { name: "p", monitor: "monitor-id" }, violating: { name: "p" }, advice: /attach a LoadBalancerMonitor/ },
    { policy: "monitor-sends-host-header", type: RESOURCE_TYPES.monitor, passing: { ...guideMonitor, header: { host: ["www.cq-route.com"] } }, violating: { ...guideMonitor, header: {} }, advice: /Host: \["<public hostname>"\]/ },
    { policy: "monitor-explicit-expected-codes", type: RESOURCE_TYPES.monitor, passing: guideMonitor, violating: { ...guideMonitor, expectedCodes: undefined }, advice: /"200" or "2xx"/ },
    { policy: "monitor-never-healthy-on-5xx", type: RESOURCE_TYPES.monitor, passing: { ...guideMonitor, expectedCodes: "2xx" }, violating: { ...guideMonitor, expectedCodes: "5xx" }, advice: /expect a 2xx/ },
    { policy: "proxied-cname-automatic-ttl", type: RESOURCE_TYPES.dnsRecord, passing: guideCname, violating: { ...guideCname, ttl: 300 }, advice: /ttl: 1/ },
    { policy: "proxied-cname-no-trailing-dot", type: RESOURCE_TYPES.legacyRecord, passing: guideCname, violating: { ...guideCname, content: "origin-www-lb.cq-route.com." }, advice: /write "origin-www-lb.cq-route.com"/ },
];

describe("policy pack", () => {
    it("has one passing and one violating case per policy, each mandatory by default", () => {
        assert.deepEqual(cases.map((c) => c.policy).sort(), policies.map((p) => p.name).sort());
        for (const p of policies) assert.equal(p.enforcementLevel, "mandatory", p.name);
    });

    for (const c of cases) {
        it(`${c.policy}: passes the guide's setup and reports a violation with advice`, async () => {
            assert.deepEqual(await violations(policy(c.policy), c.type, c.passing), []);
            const reported = await violations(policy(c.policy), c.type, c.violating);
            assert.equal(reported.length, 1, `expected one violation, got ${JSON.stringify(reported)}`);
            assert.match(reported[0]!, c.advice);
        });
    }

    it("fails a load balancer with no fallback pool or no steering policy", async () => {
        const { fallbackPool: _fallback, steeringPolicy: _steering, ...bare } = guideLoadBalancer;
        assert.equal((await violations(policy("load-balancer-fails-open-to-origin"), RESOURCE_TYPES.loadBalancer, bare)).length, 1);
        assert.equal((await violations(policy("load-balancer-failover-steering"), RESOURCE_TYPES.loadBalancer, bare)).length, 1);
    });

    it("leaves what a rule does not cover alone: TCP monitors, DNS-only and non-CNAME records, other types", async () => {
        assert.deepEqual(await violations(policy("monitor-sends-host-header"), RESOURCE_TYPES.monitor, { type: "tcp" }), []);
        assert.deepEqual(await violations(policy("monitor-explicit-expected-codes"), RESOURCE_TYPES.monitor, { type: "tcp" }), []);
        const dnsOnly = { ...guideCname, proxied: false, ttl: 300, content: "origin.example.com." };
        assert.deepEqual(await violations(policy("proxied-cname-automatic-ttl"), RESOURCE_TYPES.dnsRecord, dnsOnly), []);
        assert.deepEqual(await violations(policy("proxied-cname-no-trailing-dot"), RESOURCE_TYPES.dnsRecord, dnsOnly), []);
        assert.deepEqual(await violations(policy("proxied-cname-automatic-ttl"), RESOURCE_TYPES.dnsRecord, { type: "A", proxied: true, ttl: 300 }), []);
        assert.deepEqual(await violations(policy("load-balancer-proxied"), RESOURCE_TYPES.pool, { proxied: false }), []);
    });

    it("lets a load balancer rule fail open as the load balancer does, and refuses each that sends matching traffic to Cequence without the origin behind it", async () => {
        const check = (rules: unknown[]) => violations(policy("load-balancer-rules-fail-open-to-origin"), RESOURCE_TYPES.loadBalancer, { ...guideLoadBalancer, rules });
        const to = (defaultPools?: string[], fallbackPool?: string) => ({ condition: "true", overrides: { defaultPools, fallbackPool } });
        for (const passing of [[to([CEQUENCE_POOL, ORIGIN_POOL])], [{ condition: "true", fixedResponse: { statusCode: 403 } }], [{ condition: "true", overrides: { steeringPolicy: "random" } }], []]) {
            assert.deepEqual(await check(passing), [], JSON.stringify(passing));
        }
        for (const violating of [[to([CEQUENCE_POOL])], [to([CEQUENCE_POOL, ORIGIN_POOL], CEQUENCE_POOL)], [to(undefined, CEQUENCE_POOL)]]) {
            assert.equal((await check(violating)).length, 1, JSON.stringify(violating));
        }
        const [both] = await check([to([ORIGIN_POOL]), to([CEQUENCE_POOL])]);
        assert.match(both!, /^rules\[1\] sends the requests it matches to \["cequence-pool-id"\] with fallback "origin-pool-id"/);
    });

    const sharedBridge = guideConfig();
    sharedBridge.cequence = { hostname: "bridge.cq-route.com", port: 9443, sharedPool: true };
    (sharedBridge.apps as unknown[]).push({ hostname: "api.cq-route.com", origin: "origin-api.cq-route.com" });
    const scoped = guideConfig();
    scoped.apps = [{ ...(scoped.apps as object[])[0], paths: ["/login", "/api/*"] }];
    for (const [what, config] of [
        ["the main stack", guideConfig()],
        ["a stack with a shared Cequence pool on a Bridge's port", sharedBridge],
        ["a stack with paths, whose load balancer has a rule", scoped],
    ] as const) {
        it(`passes every resource ${what} registers`, async () => {
            const run = await runStack(config);
            assert.equal(run.error, undefined);
            const checked = new Set(Object.values(RESOURCE_TYPES) as string[]);
            const resources = run.resources.filter((r) => checked.has(r.type));
            // One of each checked kind at least, so the pass is not vacuous.
            const { loadBalancer, pool, monitor, dnsRecord } = RESOURCE_TYPES;
            for (const type of [loadBalancer, pool, monitor, dnsRecord]) {
                assert.ok(resources.some((r) => r.type === type), `the stack registered no ${type}`);
            }
            for (const resource of resources) {
                for (const p of policies) {
                    assert.deepEqual(await violations(p, resource.type, resource.inputs), [], `${p.name} on ${resource.name}`);
                }
            }
        });
    }
});

describe("the policy pack as a project of its own", () => {
    const policyDir = path.join(__dirname, "..", "policy");
    const rootPackage = JSON.parse(readFileSync(path.join(__dirname, "..", "package.json"), "utf8")) as { workspaces?: string[] };

    // `pulumi preview --policy-pack policy` runs the folder as a program: @pulumi/policy reads its
    // version from the folder's own package.json, and resolves its dependencies from there.
    it("has a package.json with a version and the dependencies it imports, installed by the root's npm ci", () => {
        const pack = JSON.parse(readFileSync(path.join(policyDir, "package.json"), "utf8")) as { version?: string; dependencies?: Record<string, string> };
        assert.match(pack.version ?? "", /^\d+\.\d+\.\d+$/);
        assert.ok(pack.dependencies?.["@pulumi/policy"], "@pulumi/policy");
        assert.ok(pack.dependencies?.["@pulumi/pulumi"], "@pulumi/pulumi");
        assert.ok(existsSync(path.join(policyDir, "PulumiPolicy.yaml")));
        assert.deepEqual(rootPackage.workspaces, ["policy"], "the root's npm ci installs the pack's dependencies");
    });
});
