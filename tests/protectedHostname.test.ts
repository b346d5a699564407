/**
 * ProtectedHostname built directly, as a library user would: what it
 * creates for each routing, the guide's safety rules, its outputs, and the
 * arguments it refuses before registering anything.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import * as pulumi from "@pulumi/pulumi";
import type { ProtectedHostnameArgs } from "../components";
import { poolName } from "../components/naming";
import type { ProgramRun } from "../tools/plan/mockEngine";
import { runComponent, runComponentSource } from "./support/componentProgram";
import { parseStackConfig } from "../config/parse";
import { guideConfig, guideHostnameArgs, named, ofType, toRaw } from "./support/stack";
import { RESOURCE_TYPES } from "../policy/resourceTypes";

const GUIDE = guideHostnameArgs();

const OUTPUTS = ["lbHostname", "cnameTarget", "poolHealthEndpoints", "failOpenSeconds", "cequencePoolId", "protectedPathsExpression"];
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
        ["the public hostname as its own origin", { origin: GUIDE.hostname }, /^ {2}origin: is hostname too \(www\.cq-route\.com\): traffic would loop/m],
        ["the public hostname as the LB hostname", { lbHostname: GUIDE.hostname }, /^ {2}lbHostname: is hostname too/m],
        ["the origin as the LB hostname", { lbHostname: "origin-www.cq-route.com" }, /^ {2}lbHostname: is origin too/m],
        ["the Cequence hostname as the origin", { origin: GUIDE.cequenceHostname }, /^ {2}cequenceHostname: is origin too/m],
        ["the zone apex as the LB hostname", { lbHostname: "cq-route.com" }, /^ {2}lbHostname: cq-route\.com is the zone apex/m],
        ["a traffic percentage of 0", { cequenceTrafficPercent: 0 }, /^ {2}cequenceTrafficPercent: must be a whole number from 1 to 100, got 0$/m],
        ["a traffic percentage of 101", { cequenceTrafficPercent: 101 }, /^ {2}cequenceTrafficPercent: must be a whole number from 1 to 100, got 101$/m],
        ["an unknown routing", { routing: "lb" }, /^ {2}routing: must be one of loadBalancer, origin, cequence, got "lb"$/m],
        ["routing: cequence to a Bridge's port", { routing: "cequence", cequencePort: 9443 }, /^ {2}routing: cequence points the record straight at Cequence, and Cloudflare then connects on port 443, not 9443/m],
        ["an LB hostname outside the zone", { lbHostname: "lb.example.net" }, /^ {2}lbHostname: lb\.example\.net is not in the zone cq-route\.com$/m],
        ["an ill-formed existingRecordId", { existingRecordId: "abc" }, /^ {2}existingRecordId: must be 32 lower-case hex characters/m],
        ["an ill-formed zoneId", { zoneId: "cq-route.com" }, /^ {2}zoneId: must be 32 lower-case hex characters, got "cq-route\.com"$/m],
        ["an ill-formed accountId", { accountId: "ACCOUNT" }, /^ {2}accountId: must be 32 lower-case hex characters, got "ACCOUNT"$/m],
        ["an origin given as a URL", { origin: "https://origin-www.cq-route.com/" }, /^ {2}origin: must be a DNS hostname .*, got "https:\/\/origin-www\.cq-route\.com\/"$/m],
        ["a Cequence port of 0", { cequencePort: 0 }, /^ {2}cequencePort: must be a whole number from 1 to 65535, got 0$/m],
        ["an empty paths list", { paths: [] }, /^ {2}paths: must list at least one path; to send every request through Cequence, remove paths$/m],
        ["a path without its leading /", { paths: ["/login", "api/*"] }, /^ {2}paths\[1\]: must start with \//m],
        ["a * inside a path", { paths: ["/api*"] }, /^ {2}paths\[0\]: "\/api\*": \* may only end a prefix/m],
        ["a repeated path", { paths: ["/login", "/login"] }, /^ {2}paths\[1\]: repeats paths\[0\] \("\/login"\)$/m],
        ["paths with routing: origin", { paths: ["/login"], routing: "origin" }, /^ {2}paths: applies only with routing: loadBalancer/m],
        [
            "a public hostname whose derived LB hostname is too long for DNS",
            { hostname: `${"a".repeat(60)}.cq-route.com` },
            /^ {2}hostname: its derived load balancer hostname origin-a+-lb\.cq-route\.com has the label .* set lbHostname/m,
        ],
    ];
    for (const [label, args, message] of cases) {
        it(label, async () => {
            const run = await protect(args);
            assert.match(String(run.error?.message), /^Invalid arguments for ProtectedHostname \S+ \(1 problem\):\n/);
            assert.match(String(run.error?.message), message);
            assert.deepEqual(run.resources.filter((r) => r.custom), []);
        });
    }

    it("names the hostname in the error, whatever the component's own name (as other languages' examples name it)", async () => {
        const run = await runComponent("ProtectedHostname", "www", { ...GUIDE, cequenceTrafficPercent: 0 });
        assert.match(String(run.error?.message), /^Invalid arguments for ProtectedHostname www\.cq-route\.com \(1 problem\):\n/);
    });

    it("lists every problem at once", async () => {
        const run = await protect({ routing: "lb", cequenceTrafficPercent: 0, cequenceMonitor: { interval: 5, expectedCodes: "5xx" } });
        const message = String(run.error?.message);
        assert.match(message, /\(4 problems\)/);
        for (const argument of ["routing", "cequenceTrafficPercent", "cequenceMonitor.interval", "cequenceMonitor.expectedCodes"]) {
            assert.match(message, new RegExp(`^ {2}${argument.replace(".", "\\.")}: `, "m"));
        }
        assert.deepEqual(run.resources.filter((r) => r.custom), []);
    });
});

describe("ProtectedHostname: arguments given as outputs, as another stack has them", () => {
    /** GUIDE with the named arguments as outputs (a StackReference's, a data source's), the rest as they are. */
    const asOutputs = (names: string[], args: Record<string, unknown> = {}) =>
        runComponentSource(
            "ProtectedHostname",
            "www.cq-route.com",
            `{ ${Object.entries({ ...GUIDE, ...args })
                .map(([key, value]) => `${key}: ${names.includes(key) ? `pulumi.output(${JSON.stringify(value)})` : JSON.stringify(value)}`)
                .join(", ")} }`,
            OUTPUTS,
        );
    it("type-checks with each of those arguments an output, as a consumer's stack has them (tsc checks this file)", () => {
        const fromAnotherStack: ProtectedHostnameArgs = {
            ...GUIDE,
            accountId: pulumi.output(GUIDE.accountId),
            origin: pulumi.output(GUIDE.origin),
            cequenceHostname: pulumi.output(GUIDE.cequenceHostname),
            lbHostname: pulumi.output("origin-www-lb.cq-route.com"),
            zoneId: pulumi.output(GUIDE.zoneId),
            zone: pulumi.output(GUIDE.zone),
            hostname: pulumi.output(GUIDE.hostname),
            stackName: pulumi.output(GUIDE.stackName),
            cequenceTrafficPercent: pulumi.output(100),
            cequenceMonitor: pulumi.output({ interval: 15 }),
            originMonitor: pulumi.output({ path: "/health" }),
        };
        assert.ok(fromAnotherStack);
    });

    const NAMES = ["zoneId", "zone", "hostname", "origin", "cequenceHostname", "lbHostname", "accountId", "stackName", "cequenceTrafficPercent"];

    it("builds the same resources, with the same inputs, as from known values", async () => {
        const [known, outputs] = await Promise.all([protect({ lbHostname: "origin-www-lb.cq-route.com" }), asOutputs(NAMES, { lbHostname: "origin-www-lb.cq-route.com" })]);
        assert.equal(outputs.error, undefined);
        const custom = (run: ProgramRun) => run.resources.filter((r) => r.custom).map((r) => [r.type, r.name, r.inputs]);
        assert.deepEqual(custom(outputs), custom(known));
        assert.deepEqual(outputs.outputs, known.outputs);
    });

    it("takes the monitors' settings as one output each, and refuses a bad one as it resolves, naming the pool's argument", async () => {
        const monitor = { interval: 15, timeout: 3, retries: 1 };
        const [known, outputs] = await Promise.all([protect({ cequenceMonitor: monitor, originMonitor: monitor }), asOutputs(["cequenceMonitor", "originMonitor"], { cequenceMonitor: monitor, originMonitor: monitor })]);
        assert.equal(outputs.error, undefined);
        const monitors = (run: ProgramRun) => ofType(run, RESOURCE_TYPES.monitor).map((r) => r.inputs);
        assert.deepEqual(monitors(outputs), monitors(known));
        assert.equal(outputs.outputs.failOpenSeconds, known.outputs.failOpenSeconds);
        const refused = await asOutputs(["cequenceMonitor"], { cequenceMonitor: { interval: 5 } });
        assert.match(String(refused.error?.message), /Invalid arguments for CequencePool www\.cq-route\.com-cequence \(1 problem\):\n {2}monitor\.interval: must be a whole number from 10 to 3600, got 5/);
        assert.deepEqual(ofType(refused, RESOURCE_TYPES.monitor).filter((r) => r.name.includes("-cequence-")), []);
    });

    it("derives the load balancer hostname from a hostname and zone that are outputs", async () => {
        const run = await asOutputs(["zone", "hostname"]);
        assert.equal(run.error, undefined);
        assert.equal(lbOf(run).inputs.name, "origin-www-lb.cq-route.com");
        assert.equal(named(run, "www.cq-route.com-cutover-record").inputs.content, "origin-www-lb.cq-route.com");
    });

    const refused: Array<[string, string[], Record<string, unknown>, RegExp]> = [
        ["an ill-formed zoneId", ["zoneId"], { zoneId: "cq-route.com" }, /^ {2}zoneId: must be 32 lower-case hex characters, got "cq-route\.com"$/m],
        ["an origin that loops to the hostname", ["origin", "hostname"], { origin: GUIDE.hostname }, /^ {2}origin: is hostname too/m],
        ["a hostname outside the zone", ["zone"], { zone: "example.net" }, /^ {2}hostname: www\.cq-route\.com is not in the zone example\.net$/m],
        ["a stack name with a space", ["stackName"], { stackName: "my stack" }, /^ {2}stackName: must be a Pulumi stack name, got "my stack"$/m],
        ["a traffic percentage of 0", ["cequenceTrafficPercent"], { cequenceTrafficPercent: 0 }, /^ {2}cequenceTrafficPercent: must be a whole number from 1 to 100, got 0$/m],
    ];
    for (const [label, names, args, message] of refused) {
        it(`refuses ${label} as it resolves, naming the argument, and registers nothing that takes it`, async () => {
            const run = await asOutputs(names, args);
            assert.match(String(run.error?.message), /Invalid arguments for ProtectedHostname www\.cq-route\.com \(1 problem\):\n/);
            assert.match(String(run.error?.message), message);
            assert.deepEqual(run.resources.filter((r) => r.custom && r.type !== RESOURCE_TYPES.monitor && r.type !== RESOURCE_TYPES.pool), []);
        });
    }

    it("refuses a zoneId it cannot know yet when it must adopt a record: the import ID is needed before anything is registered", async () => {
        const run = await asOutputs(["zoneId"], { existingRecordId: "0123456789abcdef0123456789abcdef" });
        assert.match(String(run.error?.message), /^ {2}zoneId: must be known when the component is built with existingRecordId/m);
        assert.deepEqual(run.resources.filter((r) => r.custom), []);
    });
});

describe("ProtectedHostname: stackName", () => {
    it("defaults to the stack's name, as the program names its pools", async () => {
        const { stackName: _given, ...args } = GUIDE;
        const run = await runComponent("ProtectedHostname", "www.cq-route.com", args, OUTPUTS);
        assert.equal(run.error, undefined);
        assert.equal(named(run, "www.cq-route.com-cequence-pool").inputs.name, poolName("cequence", "test", GUIDE.hostname));
    });
});

describe("ProtectedHostname: a consumer's stack carries none of our history", () => {
    it("no resource it registers has an alias to a component of ours: the program that needs them adds them (index.ts)", async () => {
        const run = await protect();
        // (The provider's own SDK aliases DnsRecord to its former type; that is the provider's history, not ours.)
        const ours = (alias: { urn?: string; type?: string }) => `${alias.urn ?? ""} ${alias.type ?? ""}`.includes("cloudflare-cequence:");
        assert.deepEqual(run.resources.filter((r) => r.aliases.some(ours)).map((r) => r.name), []);
    });
});

describe("ProtectedHostname: paths", () => {
    it("without paths the load balancer has no rules key at all, and the output is undefined", async () => {
        const run = await protect();
        assert.equal("rules" in lbOf(run).inputs, false);
        assert.equal(run.outputs.protectedPathsExpression, undefined);
    });

    it("with paths: the pools stay [Cequence, origin], and one rule sends every other path to the origin pool", async () => {
        const run = await protect({ paths: ["/login", "/api/*"] });
        const lb = lbOf(run);
        const [cequencePool, originPool] = ["www.cq-route.com-cequence-pool", "www.cq-route.com-origin-pool"].map((name) => named(run, name));
        assert.deepEqual(lb.inputs.defaultPools, [cequencePool!.id, originPool!.id]);
        assert.equal(lb.inputs.fallbackPool, originPool!.id);
        assert.equal(lb.inputs.steeringPolicy, "off");
        assert.deepEqual(lb.inputs.rules, [
            {
                name: "cloudflare-cequence: paths not listed go straight to the origin pool",
                condition: 'not (lower(http.request.uri.path) in {"/api" "/login" "/login/"} or lower(http.request.uri.path) matches "^/api/")',
                disabled: false,
                priority: 0,
                terminates: true,
                overrides: { defaultPools: [originPool!.id], fallbackPool: originPool!.id },
            },
        ]);
        assert.equal(run.outputs.protectedPathsExpression, 'lower(http.request.uri.path) in {"/api" "/login" "/login/"} or lower(http.request.uri.path) matches "^/api/"');
    });

    it("with paths and a rollout, the weights apply within the paths: random steering, and the rule's origin pool for the rest", async () => {
        const run = await protect({ paths: ["/login"], cequenceTrafficPercent: 25 });
        const lb = lbOf(run);
        const originPool = named(run, "www.cq-route.com-origin-pool");
        assert.equal(lb.inputs.steeringPolicy, "random");
        assert.deepEqual((lb.inputs.rules as Array<{ overrides: unknown }>)[0]!.overrides, { defaultPools: [originPool.id], fallbackPool: originPool.id });
    });

    it("FailoverLoadBalancer, built directly, refuses bad paths itself, naming the argument", async () => {
        const run = await runComponent("FailoverLoadBalancer", "lb", {
            zoneId: GUIDE.zoneId,
            hostname: "origin-www-lb.cq-route.com",
            cequencePoolId: "c",
            originPoolId: "o",
            publicHostname: GUIDE.hostname,
            paths: ["/ok", "/not ok"],
        });
        assert.match(String(run.error?.message), /^Invalid arguments for FailoverLoadBalancer lb \(1 problem\):\n {2}paths\[1\]: "\/not ok" holds " "/);
        assert.deepEqual(run.resources.filter((r) => r.custom), []);
    });
});

describe("ProtectedHostname: hostnames normalised as the stack's config normalises them", () => {
    it("takes upper case and a trailing dot, in the zone too, as Cloudflare stores the names", async () => {
        const run = await protect({
            zone: "CQ-Route.com.",
            hostname: "WWW.cq-route.com.",
            origin: "Origin-WWW.cq-route.com.",
            cequenceHostname: "CQ-Route.Example.Cequence.ai.",
        });
        assert.equal(run.error, undefined);
        assert.equal(named(run, "www.cq-route.com-cutover-record").inputs.content, "origin-www-lb.cq-route.com");
        assert.equal(named(run, "www.cq-route.com-cutover-record").inputs.name, "www.cq-route.com");
        assert.equal(lbOf(run).inputs.name, "origin-www-lb.cq-route.com");
        const pool = (role: "cequence" | "origin") => named(run, `www.cq-route.com-${role}-pool`).inputs as { name: string; origins: Array<{ address: string }> };
        assert.deepEqual([pool("cequence").name, pool("origin").name], [poolName("cequence", "test", "www.cq-route.com"), poolName("origin", "test", "www.cq-route.com")]);
        assert.deepEqual([pool("cequence").origins[0]!.address, pool("origin").origins[0]!.address], ["cq-route.example.cequence.ai", "origin-www.cq-route.com"]);
        assert.deepEqual(named(run, "www.cq-route.com-cequence-monitor").inputs.header, { Host: ["www.cq-route.com"] });
    });

    it("gives the names the stack gives for the same config", async () => {
        const config = guideConfig();
        config.zone = "CQ-Route.com.";
        config.apps = [{ hostname: "API.cq-route.com.", origin: "Origin-API.cq-route.com", routing: "origin" }];
        const parsed = parseStackConfig(toRaw(config));
        assert.ok(parsed.ok);
        const [app] = parsed.config.apps;
        const run = await protect({ zone: config.zone, hostname: "API.cq-route.com.", origin: "Origin-API.cq-route.com", routing: "origin" });
        const record = run.resources.find((r) => r.type === RESOURCE_TYPES.dnsRecord)!;
        assert.deepEqual([record.inputs.name, record.inputs.content], [app!.hostname, app!.origin]);
        assert.equal(ofType(run, RESOURCE_TYPES.loadBalancer)[0]!.inputs.name, app!.lbHostname);
    });
});
