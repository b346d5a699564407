/**
 * Test fixtures for `status` and `preflight`: a stack file in a temporary
 * directory, the Cloudflare stand-in holding what `pulumi up` would leave
 * for it (created through the stand-in's own operations, with the values
 * the program's components send), and two ways to run a command: in
 * process, or as the real CLI.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { afterEach } from "node:test";
import { stringify } from "yaml";
import { PROBE_PROTOCOL, PROXIED_TTL, steeringPolicyFor } from "../../components/defaults";
import { cnameTarget, DESCRIPTIONS, hasLoadBalancer, POOL_ORIGIN_NAMES, poolName, sharedCequencePoolName } from "../../components/naming";
import { pathRule } from "../../components/paths";
import type { MonitorSettings } from "../../components/defaults";
import { parseStackConfig } from "../../config/parse";
import { CONFIG_NAMESPACE } from "../../config/rawConfig";
import type { StackConfig } from "../../config/schema";
import type { CliIo, Command, ResolveHostname } from "../../tools/live/commandLine";
import { CloudflareStandIn } from "./cloudflare/standIn";
import type { Account, CloudflareState, Pool, ProbeOutcome, Zone } from "./cloudflare/store";
import { toRaw, type ConfigObject } from "./stack";

export const STACK = "test";
/** Distinctive, so a test can assert it never appears in any output; well-formed, as Cloudflare's tokens are (40 of [0-9A-Za-z_-]). */
export const TOKEN = "tok-SECRET-0123456789-do-not-print-abcdef";

/** A 32-hex-digit ID that is the same for the same name, as Cloudflare IDs look. */
export function idFor(name: string): string {
    return createHash("md5").update(name).digest("hex");
}

export function parseConfig(config: ConfigObject): StackConfig {
    const parsed = parseStackConfig(toRaw(config));
    if (!parsed.ok) throw new Error(`test config is invalid: ${JSON.stringify(parsed.issues)}`);
    return parsed.config;
}

/** The stack's account and zone in the stand-in, to read or change as the dashboard would. */
export interface Deployment {
    state: CloudflareState;
    account: Account;
    zone: Zone;
}

/** Creates a monitor and its pool as `createMonitoredPool` does; returns the pool's ID. */
function deployPool(
    standIn: CloudflareStandIn,
    account: Account,
    pool: { name: string; originName: string; address: string; publicHostname: string; description: string; enabled: boolean; monitor: MonitorSettings },
): string {
    const { monitor } = pool;
    const accountParams = { account_id: account.id };
    const created = standIn.invoke("account-load-balancer-monitors-create-monitor", accountParams, {
        description: pool.description,
        type: PROBE_PROTOCOL.type,
        method: PROBE_PROTOCOL.method,
        follow_redirects: PROBE_PROTOCOL.followRedirects,
        allow_insecure: PROBE_PROTOCOL.allowInsecure,
        path: monitor.path,
        header: { Host: [pool.publicHostname] },
        expected_codes: monitor.expectedCodes,
        interval: monitor.interval,
        timeout: monitor.timeout,
        retries: monitor.retries,
        consecutive_up: monitor.consecutiveUp,
        consecutive_down: monitor.consecutiveDown,
    }) as { id: string };
    const deployed = standIn.invoke("account-load-balancer-pools-create-pool", accountParams, {
        name: pool.name,
        description: pool.description,
        enabled: pool.enabled,
        minimum_origins: 1,
        monitor: created.id,
        origins: [{ name: pool.originName, address: pool.address, enabled: true, weight: 1 }],
    }) as { id: string };
    return deployed.id;
}

/** The stack's path rule (components/paths.ts) as the API takes it: snake_case, as the provider sends it. */
export function apiPathRule(paths: readonly string[], originPoolId: string) {
    const { overrides, ...rule } = pathRule(paths, originPoolId);
    return { ...rule, overrides: { default_pools: overrides.defaultPools, fallback_pool: overrides.fallbackPool } };
}

/** What `pulumi up` leaves in Cloudflare for the config (index.ts and components/), everything healthy. */
export function deploy(standIn: CloudflareStandIn, config: StackConfig, stack = STACK): Deployment {
    const account = standIn.state.addAccount(config.accountId);
    const zone = standIn.state.addZone(account.id, config.zone, config.zoneId);
    const cequencePool = (name: string, publicHostname: string, description: string) =>
        deployPool(standIn, account, {
            name,
            originName: POOL_ORIGIN_NAMES.cequence,
            address: config.cequence.hostname,
            publicHostname,
            description,
            enabled: config.cequence.enabled,
            monitor: config.cequence.monitor,
        });
    const shared =
        config.cequence.sharedPool && config.cequence.monitor.host !== undefined
            ? cequencePool(sharedCequencePoolName(stack), config.cequence.monitor.host, DESCRIPTIONS.sharedPool(stack))
            : undefined;
    for (const app of config.apps) {
        let target = cnameTarget(app, config.cequence.hostname);
        if (hasLoadBalancer(app)) {
            const cequence = shared ?? cequencePool(poolName("cequence", stack, app.hostname), app.hostname, DESCRIPTIONS.pool("cequence", app.hostname));
            const origin = deployPool(standIn, account, {
                name: poolName("origin", stack, app.hostname),
                originName: POOL_ORIGIN_NAMES.origin,
                address: app.origin,
                publicHostname: app.hostname,
                description: DESCRIPTIONS.pool("origin", app.hostname),
                enabled: true,
                monitor: app.monitor,
            });
            const share = config.cequence.trafficPercent;
            const steering = steeringPolicyFor(share);
            standIn.invoke("load-balancers-create-load-balancer", { zone_id: zone.id }, {
                name: app.lbHostname,
                description: DESCRIPTIONS.loadBalancer(app.hostname),
                proxied: true,
                steering_policy: steering,
                ...(steering === "random" ? { random_steering: { pool_weights: { [cequence]: share / 100, [origin]: (100 - share) / 100 } } } : {}),
                adaptive_routing: { failover_across_pools: config.cequence.failoverAcrossPools },
                default_pools: [cequence, origin],
                fallback_pool: origin,
                ...(app.paths === undefined ? {} : { rules: [apiPathRule(app.paths, origin)] }),
            });
            if (app.routing === "loadBalancer") target = app.lbHostname;
        }
        standIn.invoke("dns-records-for-a-zone-create-dns-record", { zone_id: zone.id }, { name: app.hostname, type: "CNAME", content: target, proxied: true, ttl: PROXIED_TTL });
    }
    return { state: standIn.state, account, zone };
}

/** The deployed pool of that role for an app, to change it in a test. */
export function poolOf(deployment: Deployment, role: "cequence" | "origin", hostname: string, stack = STACK): Pool {
    const pool = deployment.account.pools.find((p) => p.name === poolName(role, stack, hostname));
    if (!pool) throw new Error(`no ${role} pool for ${hostname}`);
    return pool;
}

/** The pool's health per checking region, as pool health reports it; change it to make a region see the pool (un)healthy. */
export function regionsOf(deployment: Deployment, pool: Pool): Record<string, boolean> {
    return deployment.state.regionsOf(deployment.account, pool.id);
}

export function setHealth(deployment: Deployment, pool: Pool, healthy: boolean): void {
    const regions = regionsOf(deployment, pool);
    for (const region of Object.keys(regions)) regions[region] = healthy;
}

/**
 * A load balancer someone made before the stack, named `name`, over a pool of
 * their own (`legacy_pool`, one origin `legacy-origin.example.net`), as a
 * Load Balancing customer often runs `www`; returns the pool's name.
 */
export function addLoadBalancerAt(live: Live, name: string, enabled = true): string {
    const pool = live.standIn.invoke("account-load-balancer-pools-create-pool", { account_id: live.account.id }, {
        name: "legacy_pool",
        origins: [{ name: "legacy", address: "legacy-origin.example.net", enabled: true, weight: 1 }],
    }) as { id: string; name: string };
    live.standIn.invoke("load-balancers-create-load-balancer", { zone_id: live.zone.id }, { name, default_pools: [pool.id], fallback_pool: pool.id, proxied: true, enabled });
    return pool.name;
}

/** What a probe of each of the pool's origins finds (previews report it). */
export function setProbe(deployment: Deployment, pool: Pool, outcome: Omit<ProbeOutcome, "rtt">): void {
    for (const origin of pool.origins) deployment.account.probes[origin.address] = { ...outcome, rtt: "66ms" };
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

export interface Live extends Deployment {
    standIn: CloudflareStandIn;
    dir: string;
    parsed: StackConfig;
}

/** A started stand-in holding what `pulumi up` would deploy for the config, and the stack file for it. */
export async function startLive(config: ConfigObject): Promise<Live> {
    const parsed = parseConfig(config);
    const standIn = new CloudflareStandIn();
    const deployment = deploy(standIn, parsed);
    await standIn.start();
    return { ...deployment, standIn, dir: writeStackDir(config), parsed };
}

export interface RunResult {
    code: number | null;
    stdout: string;
    stderr: string;
}

export function envFor(standIn: CloudflareStandIn, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
    return { CLOUDFLARE_API_TOKEN: TOKEN, CLOUDFLARE_BASE_URL: standIn.baseUrl, ...extra };
}

/**
 * A resolver that answers every name, with an address of TEST-NET-1 (RFC 5737): the sandbox has no
 * DNS, so a command run in process never asks the machine's resolver unless a test says so.
 */
export const resolvesEverything: ResolveHostname = async () => ({ address: "192.0.2.1", family: 4 });

/** Runs a command in this process, with its output captured; every hostname resolves unless `extras` gives a resolver. */
export async function runInProcess(
    command: Command,
    args: string[],
    env: NodeJS.ProcessEnv,
    extras: Partial<Pick<CliIo, "signal" | "requestBudget" | "resolveHostname">> = {},
): Promise<RunResult> {
    let stdout = "";
    let stderr = "";
    const io: CliIo = {
        stdout: { write: (text: string) => (stdout += text) },
        stderr: { write: (text: string) => (stderr += text) },
        env,
        signal: new AbortController().signal,
        resolveHostname: resolvesEverything,
        ...extras,
    };
    const code = await command(args, io);
    return { code, stdout, stderr };
}

const REPO_ROOT = path.resolve(__dirname, "../..");

export interface CliRun extends RunResult {
    signal: NodeJS.Signals | null;
}

/**
 * Runs the real CLI (`tools/live/<tool>.ts` under tsx) as a child process, with
 * only the given Cloudflare variables. `onStdout` sees output as it arrives,
 * and may signal the child.
 */
export function runCli(
    tool: "status" | "preflight" | "recover" | "coverage",
    args: string[],
    env: NodeJS.ProcessEnv,
    onStdout?: (soFar: string, child: { kill(signal: NodeJS.Signals): boolean }) => void,
): Promise<CliRun> {
    const inherited = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith("CLOUDFLARE_")));
    const child = spawn(process.execPath, ["--import", "tsx", path.join(REPO_ROOT, "tools", "live", `${tool}.ts`), ...args], {
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
 * directory (if it has one), and fails the test if the stand-in served or
 * received anything outside Cloudflare's OpenAPI schema. Push each started
 * stand-in onto the returned list.
 */
export function stopStandInsAfterEach(): Array<{ standIn: CloudflareStandIn; dir?: string }> {
    const started: Array<{ standIn: CloudflareStandIn; dir?: string }> = [];
    afterEach(async () => {
        for (const { standIn, dir } of started.splice(0)) {
            await standIn.stop();
            if (dir !== undefined) removeDir(dir);
            assert.deepEqual(standIn.violations, [], "the stand-in strayed from Cloudflare's OpenAPI schema");
        }
    });
    return started;
}
