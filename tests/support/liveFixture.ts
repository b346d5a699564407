/**
 * Test fixtures for `status` and `preflight`: a stack file in a temporary
 * directory, the Cloudflare state `pulumi up` would leave for it (in the
 * stand-in), and two ways to run a command: in process, or as the real CLI.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { afterEach } from "node:test";
import { stringify } from "yaml";
import { poolName } from "../../config/naming";
import { CONFIG_NAMESPACE, parseStackConfig, type StackConfig } from "../../config/schema";
import type { CliIo, Command } from "../../tools/cloudflareCli";
import { CloudflareStandIn, type StandInPool, type StandInState } from "./cloudflareStandIn";
import { toRaw, type ConfigObject } from "./stack";

export const STACK = "test";
/** Distinctive, so a test can assert it never appears in any output. */
export const TOKEN = "tok-SECRET-0123456789-do-not-print";
export const REGIONS = ["Amsterdam, NL", "Ashburn, VA"];

/** A 32-hex-digit ID that is the same for the same name, as Cloudflare IDs look. */
export function idFor(name: string): string {
    return createHash("md5").update(name).digest("hex");
}

export function parseConfig(config: ConfigObject): StackConfig {
    const parsed = parseStackConfig(toRaw(config));
    if (!parsed.ok) throw new Error(`test config is invalid: ${JSON.stringify(parsed.issues)}`);
    return parsed.config;
}

function healthyPool(name: string, address: string): StandInPool {
    return {
        id: idFor(name),
        name,
        enabled: true,
        monitor: idFor(`${name}-monitor`),
        address,
        regions: Object.fromEntries(REGIONS.map((region) => [region, true])),
        preview: { healthy: true, failureReason: "No failures", responseCode: 200 },
    };
}

/** What `pulumi up` leaves in Cloudflare for the config: everything healthy and as asked. */
export function deployedState(config: StackConfig, stack = STACK): StandInState {
    const state: StandInState = { accountId: config.accountId, zoneId: config.zoneId, pools: [], loadBalancers: [], records: [] };
    for (const app of config.apps) {
        const target = { loadBalancer: app.lbHostname, origin: app.origin, cequence: config.cequence.hostname }[app.routing];
        state.records.push({ id: idFor(`record-${app.hostname}`), name: app.hostname, type: "CNAME", content: target });
        if (app.routing === "cequence") continue;
        const cequence = healthyPool(poolName("cequence", stack, app.hostname), config.cequence.hostname);
        cequence.enabled = config.cequence.enabled;
        const origin = healthyPool(poolName("origin", stack, app.hostname), app.origin);
        state.pools.push(cequence, origin);
        state.loadBalancers.push({
            id: idFor(`lb-${app.lbHostname}`),
            name: app.lbHostname,
            defaultPools: [cequence.id, origin.id],
            fallbackPool: origin.id,
            // As deployed: failover, or random steering during a rollout (the stand-in holds no weights).
            steeringPolicy: config.cequence.trafficPercent < 100 ? "random" : "off",
        });
    }
    return state;
}

/** The stand-in's pool of that role for an app, to change it in a test. */
export function poolOf(state: StandInState, role: "cequence" | "origin", hostname: string, stack = STACK): StandInPool {
    const pool = state.pools.find((p) => p.name === poolName(role, stack, hostname));
    if (!pool) throw new Error(`no ${role} pool for ${hostname}`);
    return pool;
}

export function setHealth(pool: StandInPool, healthy: boolean): void {
    for (const region of Object.keys(pool.regions)) pool.regions[region] = healthy;
}

/** A directory holding `Pulumi.<stack>.yaml` for the config, as a user writes it. */
export function writeStackDir(config: ConfigObject, stack = STACK): string {
    const dir = mkdtempSync(path.join(tmpdir(), "cloudflare-cequence-live-"));
    const qualified = Object.fromEntries(Object.entries(config).map(([key, value]) => [`${CONFIG_NAMESPACE}:${key}`, value]));
    writeFileSync(path.join(dir, `Pulumi.${stack}.yaml`), stringify({ config: qualified }));
    return dir;
}

export function removeDir(dir: string): void {
    rmSync(dir, { recursive: true, force: true });
}

/** A started stand-in holding what `pulumi up` would deploy for the config, and the stack file for it. */
export async function startLive(config: ConfigObject): Promise<{ standIn: CloudflareStandIn; dir: string; parsed: StackConfig }> {
    const parsed = parseConfig(config);
    const standIn = new CloudflareStandIn(deployedState(parsed));
    await standIn.start();
    return { standIn, dir: writeStackDir(config), parsed };
}

export interface RunResult {
    code: number | null;
    stdout: string;
    stderr: string;
}

export function envFor(standIn: CloudflareStandIn, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
    return { CLOUDFLARE_API_TOKEN: TOKEN, CLOUDFLARE_BASE_URL: standIn.baseUrl, ...extra };
}

/** Runs a command in this process, with its output captured. */
export async function runInProcess(command: Command, args: string[], env: NodeJS.ProcessEnv, signal: AbortSignal = new AbortController().signal): Promise<RunResult> {
    let stdout = "";
    let stderr = "";
    const io: CliIo = {
        stdout: { write: (text: string) => (stdout += text) },
        stderr: { write: (text: string) => (stderr += text) },
        env,
        signal,
    };
    const code = await command(args, io);
    return { code, stdout, stderr };
}

const REPO_ROOT = path.resolve(__dirname, "../..");

export interface CliRun extends RunResult {
    signal: NodeJS.Signals | null;
}

/**
 * Runs the real CLI (`tools/<tool>.ts` under tsx) as a child process, with
 * only the given Cloudflare variables. `onStdout` sees output as it arrives,
 * and may signal the child.
 */
export function runCli(
    tool: "status" | "preflight",
    args: string[],
    env: NodeJS.ProcessEnv,
    onStdout?: (soFar: string, child: { kill(signal: NodeJS.Signals): boolean }) => void,
): Promise<CliRun> {
    const inherited = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith("CLOUDFLARE_")));
    const child = spawn(process.execPath, ["--import", "tsx", path.join(REPO_ROOT, "tools", `${tool}.ts`), ...args], {
        cwd: REPO_ROOT,
        env: { ...inherited, ...env },
        stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => {
        stdout += chunk.toString("utf8");
        onStdout?.(stdout, child);
    });
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString("utf8")));
    return new Promise((resolve, reject) => {
        child.on("error", reject);
        child.on("close", (code, signal) => resolve({ code, signal, stdout, stderr }));
    });
}

/**
 * Stops every stand-in a test started once the test ends, removes its stack
 * directory, and fails the test if the stand-in served or received anything
 * outside Cloudflare's OpenAPI schema. Push each started stand-in onto the
 * returned list.
 */
export function stopStandInsAfterEach(): Array<{ standIn: CloudflareStandIn; dir: string }> {
    const started: Array<{ standIn: CloudflareStandIn; dir: string }> = [];
    afterEach(async () => {
        for (const { standIn, dir } of started.splice(0)) {
            await standIn.stop();
            removeDir(dir);
            assert.deepEqual(standIn.violations, [], "the stand-in strayed from Cloudflare's OpenAPI schema");
        }
    });
    return started;
}
