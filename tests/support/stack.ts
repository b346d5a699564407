/**
 * Test helpers: stack configs as plain objects, and queries over what the
 * program registered under the mocks.
 */
import assert from "node:assert/strict";
import { CONFIG_NAMESPACE, type RawStackConfig } from "../../config/rawConfig";
import { runProgram, type CallHandlers, type ProgramRun, type RegisteredResource } from "../../tools/plan/mockEngine";
import { OFFLINE_CALLS } from "../../tools/plan/offlineCalls";

/** The project's keys, unqualified, as a user writes them in a stack file. */
export type ConfigObject = Record<string, unknown>;

export const ACCOUNT_ID = "0123456789abcdef0123456789abcdef";
export const ZONE_ID = "fedcba9876543210fedcba9876543210";
export const RECORD_ID = "00112233445566778899aabbccddeeff";

/** The guide's use case. */
export function guideConfig(): ConfigObject {
    return {
        accountId: ACCOUNT_ID,
        zoneId: ZONE_ID,
        zone: "cq-route.com",
        cequence: { hostname: "cq-route.example.cequence.ai" },
        apps: [{ hostname: "www.cq-route.com", origin: "origin-www.cq-route.com" }],
    };
}

/** The guide's use case as ProtectedHostname's arguments (stack `test`). */
export function guideHostnameArgs() {
    return {
        accountId: ACCOUNT_ID,
        zoneId: ZONE_ID,
        zone: "cq-route.com",
        hostname: "www.cq-route.com",
        origin: "origin-www.cq-route.com",
        stackName: "test",
        cequenceHostname: "cq-route.example.cequence.ai",
    };
}

/** Qualifies keys and encodes values the way the Pulumi CLI hands config to a program. */
export function toRaw(config: ConfigObject, extra: Record<string, string> = {}, secretKeys: string[] = []): RawStackConfig {
    const values: Record<string, string> = { ...extra };
    for (const [key, value] of Object.entries(config)) {
        values[`${CONFIG_NAMESPACE}:${key}`] = typeof value === "string" ? value : JSON.stringify(value);
    }
    return { values, secretKeys };
}

/** Runs the program; `calls` overrides the offline answers of provider functions (live state). */
export function runStack(config: ConfigObject, stack = "prod", calls: CallHandlers = {}): Promise<ProgramRun> {
    return runProgram({ stack, config: toRaw(config), calls: { ...OFFLINE_CALLS, ...calls } });
}

export function ofType(run: ProgramRun, type: string): RegisteredResource[] {
    return run.resources.filter((r) => r.type === type);
}

export function named(run: ProgramRun, name: string): RegisteredResource {
    const found = run.resources.find((r) => r.name === name);
    if (!found) throw new Error(`no resource named ${name}; registered: ${run.resources.map((r) => r.name).join(", ")}`);
    return found;
}

export function parentOf(run: ProgramRun, resource: RegisteredResource): RegisteredResource | undefined {
    return run.resources.find((r) => r.urn === resource.parent);
}

/** The guide's config with top-level keys and `cequence` keys replaced. */
export function configWith(top: Record<string, unknown>, cequence: Record<string, unknown> = {}): ConfigObject {
    const config = { ...guideConfig(), ...top };
    config.cequence = { ...(config.cequence as object), ...cequence };
    return config;
}

/** Runs the program on a config it must refuse; returns the error, after checking nothing was registered. */
export async function rejection(config: ConfigObject): Promise<string> {
    const run = await runProgram({ stack: "prod", config: toRaw(config), calls: OFFLINE_CALLS });
    assert.ok(run.error);
    assert.deepEqual(run.resources, []);
    return run.error.message;
}
