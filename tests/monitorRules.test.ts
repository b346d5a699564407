/**
 * The monitor rules have one definition (components/monitorRules.ts): a
 * setting the stack's config refuses, the components refuse as an argument,
 * in the same words, and what one accepts the other accepts. The components
 * check settings given as outputs too, as they resolve.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { PoolRole } from "../components/naming";
import { parseStackConfig } from "../config/parse";
import { RESOURCE_TYPES } from "../policy/resourceTypes";
import type { ProgramRun } from "../tools/plan/mockEngine";
import { runComponent, runComponentSource } from "./support/componentProgram";
import { ACCOUNT_ID, guideConfig, guideHostnameArgs, toRaw } from "./support/stack";

const PROTECTED = guideHostnameArgs();
const POOL = { accountId: ACCOUNT_ID, publicHostname: "www.cq-route.com", poolName: "p" };

/** Where each role's monitor is set: in the stack's config, on ProtectedHostname, and the pool component that owns it. */
const PLACES: Record<PoolRole, { config: string; argument: string; pool: [string, Record<string, unknown>] }> = {
    cequence: { config: "cequence.monitor", argument: "cequenceMonitor", pool: ["CequencePool", { ...POOL, cequenceHostname: PROTECTED.cequenceHostname }] },
    origin: { config: "apps[0].monitor", argument: "originMonitor", pool: ["AppOriginPool", { ...POOL, originHostname: PROTECTED.origin }] },
};

/** Monitor settings to try on both monitors: each is refused on at least one. */
const MONITORS: Array<[string, Record<string, unknown>]> = [
    ["an interval below 10", { interval: 5 }],
    ["an interval above 3600", { interval: 7200 }],
    ["a fractional interval", { interval: 30.5 }],
    ["a timeout of 11", { timeout: 11 }],
    ["retries of 6", { retries: 6 }],
    ["consecutiveUp of 0", { consecutiveUp: 0 }],
    ["consecutiveDown of 11", { consecutiveDown: 11 }],
    ["an interval not above (retries + 1) × timeout", { interval: 15, timeout: 5, retries: 2 }],
    ["the default interval not above (retries + 1) × timeout", { timeout: 10, retries: 5 }],
    ["a path without its leading slash", { path: "health" }],
    ["expected codes that are no code", { expectedCodes: "ok" }],
    ["expected codes 5xx", { expectedCodes: "5xx" }],
    ["expected code 302", { expectedCodes: "302" }],
    ["expected code 404", { expectedCodes: "404" }],
    ["expected code 101", { expectedCodes: "101" }],
    ["several problems at once", { interval: 5, path: "x y", expectedCodes: "5xx" }],
];

/** The config's problems under `prefix.`, as `key: message` lines. */
function configProblems(role: PoolRole, monitor: Record<string, unknown>): string[] {
    const config = guideConfig();
    if (role === "cequence") (config.cequence as Record<string, unknown>).monitor = monitor;
    else (config.apps as Array<Record<string, unknown>>)[0]!.monitor = monitor;
    const parsed = parseStackConfig(toRaw(config));
    const prefix = `${PLACES[role].config}.`;
    return parsed.ok ? [] : parsed.issues.map((i) => `${i.path.slice(prefix.length)}: ${i.message}`);
}

/** A component's argument problems under `prefix.`, as `key: message` lines; none when it registered what it should. */
function argumentProblems(run: ProgramRun, prefix: string): string[] {
    if (run.error === undefined) return [];
    const lines = run.error.message.split("\n").filter((line) => line.startsWith(`  ${prefix}.`));
    assert.ok(lines.length > 0, `expected a problem under ${prefix} in: ${run.error.message}`);
    assert.deepEqual(run.resources.filter((r) => r.custom), [], "nothing is registered");
    return lines.map((line) => line.slice(`  ${prefix}.`.length));
}

describe("monitor settings: the config and the components refuse the same, in the same words", () => {
    for (const [label, monitor] of MONITORS) {
        it(label, async () => {
            let refusedSomewhere = false;
            for (const role of ["cequence", "origin"] as const) {
                const expected = configProblems(role, monitor);
                refusedSomewhere ||= expected.length > 0;
                const place = PLACES[role];
                const protectedRun = await runComponent("ProtectedHostname", "www.cq-route.com", { ...PROTECTED, [place.argument]: monitor });
                assert.deepEqual(argumentProblems(protectedRun, place.argument), expected, `ProtectedHostname's ${place.argument}`);
                const [pool, args] = place.pool;
                const poolRun = await runComponent(pool, "pool", { ...args, monitor });
                assert.deepEqual(argumentProblems(poolRun, "monitor"), expected, `${pool}'s monitor`);
            }
            assert.ok(refusedSomewhere, "each case is refused on one monitor at least");
        });
    }

    it("accepts what the config accepts: a 4xx on the origin, the limits themselves", async () => {
        const accepted: Array<[PoolRole, Record<string, unknown>]> = [
            ["origin", { expectedCodes: "404" }],
            ["origin", { expectedCodes: "3xx" }],
            ["cequence", { expectedCodes: "2xx", interval: 10, timeout: 1, retries: 0, consecutiveUp: 10, consecutiveDown: 1 }],
            ["cequence", { interval: 3600, timeout: 10, retries: 5 }],
        ];
        for (const [role, monitor] of accepted) {
            assert.deepEqual(configProblems(role, monitor), []);
            const run = await runComponent("ProtectedHostname", "www.cq-route.com", { ...PROTECTED, [PLACES[role].argument]: monitor });
            assert.equal(run.error, undefined, run.error?.message);
        }
    });
});

describe("the Cequence port: the config and the components refuse the same", () => {
    for (const port of [0, 70000, 443.5]) {
        it(`${port}`, async () => {
            const config = guideConfig();
            (config.cequence as Record<string, unknown>).port = port;
            const parsed = parseStackConfig(toRaw(config));
            assert.ok(!parsed.ok);
            const [issue] = parsed.issues;
            assert.equal(issue!.path, "cequence.port");
            const protectedRun = await runComponent("ProtectedHostname", "www.cq-route.com", { ...PROTECTED, cequencePort: port });
            assert.match(String(protectedRun.error?.message), new RegExp(`^ {2}cequencePort: ${escape(issue!.message)}$`, "m"));
            const poolRun = await runComponent("CequencePool", "pool", { ...PLACES.cequence.pool[1], port });
            assert.match(String(poolRun.error?.message), new RegExp(`^ {2}port: ${escape(issue!.message)}$`, "m"));
            assert.deepEqual(poolRun.resources.filter((r) => r.custom), []);
        });
    }
});

describe("monitor settings and ports given as outputs are checked as they resolve", () => {
    it("a monitor setting: the monitor is never registered", async () => {
        const args = `{ ...${JSON.stringify(PLACES.cequence.pool[1])}, monitor: { interval: pulumi.output(5), expectedCodes: "200" } }`;
        const run = await runComponentSource("CequencePool", "pool", args);
        assert.match(String(run.error?.message), /Invalid arguments for CequencePool pool \(1 problem\):\n {2}monitor\.interval: must be a whole number from 10 to 3600, got 5$/);
        assert.deepEqual(run.resources.filter((r) => r.type === RESOURCE_TYPES.monitor), []);
    });

    it("a port: neither the monitor nor the pool is registered", async () => {
        const args = `{ ...${JSON.stringify(PLACES.cequence.pool[1])}, port: pulumi.output(0) }`;
        const run = await runComponentSource("CequencePool", "pool", args);
        assert.match(String(run.error?.message), /^ {2}port: must be a whole number from 1 to 65535, got 0$/m);
        assert.deepEqual(run.resources.filter((r) => r.custom), []);
    });

    it("good settings as outputs deploy as plain ones do", async () => {
        const monitor = { interval: 30, expectedCodes: "2xx", path: "/health" };
        const plain = await runComponent("AppOriginPool", "pool", { ...PLACES.origin.pool[1], monitor });
        const args = `{ ...${JSON.stringify(PLACES.origin.pool[1])}, monitor: { interval: pulumi.output(30), expectedCodes: Promise.resolve("2xx"), path: "/health" } }`;
        const deferred = await runComponentSource("AppOriginPool", "pool", args);
        assert.equal(deferred.error, undefined, deferred.error?.message);
        const monitorOf = (run: ProgramRun) => run.resources.find((r) => r.type === RESOURCE_TYPES.monitor)!.inputs;
        assert.deepEqual(monitorOf(deferred), monitorOf(plain));
    });
});

function escape(text: string): string {
    return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
