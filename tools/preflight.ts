/**
 * `npm run preflight -- --stack <name>`: before the CNAME cutover (guide step
 * 6), would both of each app's pools be healthy? Asks Cloudflare to preview
 * each pool with the monitor the config asks for, waits for the results, and
 * prints a verdict per app with Cloudflare's failure reason. Exit status: 0
 * every app ready, 2 an app is not, 1 the previews could not be run or read.
 */
import { setTimeout as sleep } from "node:timers/promises";
import type { MonitorSettings } from "../components/defaults";
import type { PoolRole } from "../config/naming";
import type { AppConfig, StackConfig } from "../config/schema";
import { CliError, CloudflareSession, PREVIEW_PERMISSIONS, READ_PERMISSIONS } from "./cloudflareApi";
import { COMMON_USAGE, loadConfig, parseCommandLine, positiveNumber, reportFailure, runAsProcess, type CliIo, type Command } from "./cloudflareCli";
import { findPool, hasLoadBalancer, listPools } from "./liveState";
import { PROBE_PROTOCOL } from "../components/monitoredPool";

const DEFAULT_WAIT_SECONDS = 120;
const DEFAULT_POLL_SECONDS = 2;

const USAGE = [
    "usage: npm run preflight -- [--stack <name>] [--json] [--wait <seconds>] [--poll <seconds>]",
    ...COMMON_USAGE,
    `  --wait <seconds>    give up on a preview after this long (default: ${DEFAULT_WAIT_SECONDS})`,
    `  --poll <seconds>    how often to ask for preview results (default: ${DEFAULT_POLL_SECONDS})`,
].join("\n");

export interface OriginCheck {
    /** The origin as Cloudflare names it in the result (its address). */
    origin: string;
    healthy: boolean;
    failureReason: string | null;
    responseCode: number | null;
    rtt: string | null;
}

export interface PoolVerdict {
    pool: string;
    /** Null when the pool does not exist, so there was nothing to preview. */
    healthy: boolean | null;
    origins: OriginCheck[];
}

export interface AppVerdict {
    hostname: string;
    ready: boolean;
    /** Why it is not ready, or why it was not checked; null when ready. */
    reason: string | null;
    cequencePool: PoolVerdict | null;
    originPool: PoolVerdict | null;
}

export const preflight: Command = async (argv, io) => {
    let json = argv.includes("--json");
    let stack: string | undefined;
    try {
        const { common, values } = parseCommandLine(argv, { wait: { type: "string" }, poll: { type: "string" } }, USAGE);
        ({ json, stack } = common);
        const polling: Polling = {
            waitSeconds: values.wait === undefined ? DEFAULT_WAIT_SECONDS : positiveNumber(values.wait, "--wait"),
            pollSeconds: values.poll === undefined ? DEFAULT_POLL_SECONDS : positiveNumber(values.poll, "--poll"),
        };
        const { config, configFile } = loadConfig(common);
        const session = new CloudflareSession(
            io.env,
            common.connection,
            { accountId: config.accountId, zoneId: config.zoneId, configFile },
            [...READ_PERMISSIONS, ...PREVIEW_PERMISSIONS],
            io.signal,
        );
        const verdicts = await checkApps(session, config, common.stack, polling, new Progress(io));
        io.stdout.write(`${json ? JSON.stringify({ stack: common.stack, apps: verdicts }, null, 2) : renderVerdicts(common.stack, verdicts)}\n`);
        return verdicts.every((v) => v.ready) ? 0 : 2;
    } catch (error) {
        if (error instanceof CliError) return reportFailure(io, error, json, stack);
        throw error;
    }
};

interface Polling {
    waitSeconds: number;
    pollSeconds: number;
}

interface PoolToPreview {
    app: AppConfig;
    role: PoolRole;
    id: string;
    name: string;
    monitor: MonitorSettings;
}

async function checkApps(session: CloudflareSession, config: StackConfig, stack: string, polling: Polling, progress: Progress): Promise<AppVerdict[]> {
    const pools = config.apps.some(hasLoadBalancer) ? await listPools(session, config) : [];
    const toPreview: PoolToPreview[] = [];
    const missing = new Map<AppConfig, PoolRole[]>();
    for (const app of config.apps.filter(hasLoadBalancer)) {
        for (const role of ["cequence", "origin"] as const) {
            const pool = findPool(pools, role, stack, app);
            const monitor = role === "cequence" ? config.cequence.monitor : app.monitor;
            if (pool?.id && pool.name) toPreview.push({ app, role, id: pool.id, name: pool.name, monitor });
            else missing.set(app, [...(missing.get(app) ?? []), role]);
        }
    }
    progress.start(toPreview.length);
    const results = await Promise.all(
        toPreview.map(async (pool) => {
            const verdict = await previewPool(session, config, pool, polling);
            progress.done(`${pool.role} pool of ${pool.app.hostname}: ${verdict.healthy ? "healthy" : "UNHEALTHY"}`);
            return { pool, verdict };
        }),
    );
    progress.finish();
    const verdictOf = (app: AppConfig, role: PoolRole) => results.find((r) => r.pool.app === app && r.pool.role === role)?.verdict ?? null;
    return config.apps.map((app): AppVerdict => {
        if (!hasLoadBalancer(app)) {
            return { hostname: app.hostname, ready: true, reason: "routing: cequence has no load balancer, so no pools to preview", cequencePool: null, originPool: null };
        }
        const cequencePool = verdictOf(app, "cequence");
        const originPool = verdictOf(app, "origin");
        return { hostname: app.hostname, ...readiness(missing.get(app) ?? [], cequencePool, originPool), cequencePool, originPool };
    });
}

function readiness(missing: PoolRole[], cequence: PoolVerdict | null, origin: PoolVerdict | null): { ready: boolean; reason: string | null } {
    if (missing.length > 0) {
        return { ready: false, reason: `no ${missing.join(" or ")} pool in Cloudflare: run \`pulumi up\` with routing: origin first` };
    }
    const failing = [cequence, origin].filter((pool): pool is PoolVerdict => pool !== null && pool.healthy !== true);
    if (failing.length === 0) return { ready: true, reason: null };
    return { ready: false, reason: failing.map((pool) => `${pool.pool}: ${failureText(pool)}`).join("; ") };
}

function failureText(pool: PoolVerdict): string {
    const failed = pool.origins.filter((o) => !o.healthy);
    if (failed.length === 0) return "unhealthy (Cloudflare gave no reason)";
    return failed
        .map((o) => [o.origin, o.failureReason ?? "unhealthy", o.responseCode ? `HTTP ${o.responseCode}` : null].filter(Boolean).join(" — "))
        .join(", ");
}

/**
 * The monitor the program deploys for the pool (components/monitoredPool.ts),
 * so the preview answers for the config, even if the live monitor drifted.
 */
function monitorBody(settings: MonitorSettings, publicHostname: string) {
    return {
        type: PROBE_PROTOCOL.type,
        method: PROBE_PROTOCOL.method,
        path: settings.path,
        header: { Host: [publicHostname] },
        expected_codes: settings.expectedCodes,
        interval: settings.interval,
        timeout: settings.timeout,
        retries: settings.retries,
        consecutive_up: settings.consecutiveUp,
        consecutive_down: settings.consecutiveDown,
        follow_redirects: PROBE_PROTOCOL.followRedirects,
        allow_insecure: PROBE_PROTOCOL.allowInsecure,
    };
}

/**
 * Starts a preview of the pool with its configured monitor, then asks for the
 * result until Cloudflare has one for the pool (until then the result lacks
 * the pool) or `waitSeconds` pass.
 */
async function previewPool(session: CloudflareSession, config: StackConfig, pool: PoolToPreview, polling: Polling): Promise<PoolVerdict> {
    const started = await session.request({ action: `preview pool ${pool.name}`, scope: "account" }, (client, options) =>
        client.loadBalancers.pools.health.create(pool.id, { account_id: config.accountId, ...monitorBody(pool.monitor, pool.app.hostname) }, options),
    );
    const previewId = started.preview_id;
    if (!previewId) throw new CliError(`Cloudflare started no preview for pool ${pool.name} (its answer had no preview_id); try again.`);
    const deadline = Date.now() + polling.waitSeconds * 1000;
    for (;;) {
        const result = await session.request({ action: `read the preview of pool ${pool.name}`, scope: "account" }, (client, options) =>
            client.loadBalancers.previews.get(previewId, { account_id: config.accountId }, options),
        );
        const entry = result[pool.id];
        if (typeof entry?.healthy === "boolean") {
            const origins = (entry.origins ?? []).flatMap((byAddress) =>
                Object.entries(byAddress).map(([origin, data]) => ({
                    origin: origin.replace(/\.$/, ""),
                    healthy: data.healthy === true,
                    failureReason: data.failure_reason ?? null,
                    responseCode: data.response_code ?? null,
                    rtt: data.rtt ?? null,
                })),
            );
            return { pool: pool.name, healthy: entry.healthy, origins };
        }
        if (Date.now() >= deadline) {
            throw new CliError(`Cloudflare has not finished previewing pool ${pool.name} after ${polling.waitSeconds} s; try again, or wait longer with --wait <seconds>.`);
        }
        try {
            await sleep(polling.pollSeconds * 1000, undefined, { signal: session.signal });
        } catch {
            throw new CliError("Interrupted while waiting for preview results.");
        }
    }
}

/**
 * "Previewing n/m pools" on stderr, so stdout stays a clean table or JSON.
 * On a terminal one line is redrawn; in a log, each finished pool gets a line.
 */
class Progress {
    private total = 0;
    private finished = 0;

    constructor(private readonly io: CliIo) {}

    start(total: number): void {
        this.total = total;
        this.write(`Previewing ${total} pool${total === 1 ? "" : "s"} with the configured monitors (Cloudflare probes from several regions)…`);
    }

    done(what: string): void {
        this.finished += 1;
        this.write(`[${this.finished}/${this.total}] ${what}`);
    }

    finish(): void {
        if (this.io.stderr.isTTY) this.io.stderr.write("\n");
    }

    private write(line: string): void {
        this.io.stderr.write(this.io.stderr.isTTY ? `\r\x1b[2K${line}` : `${line}\n`);
    }
}

function renderVerdicts(stack: string, verdicts: AppVerdict[]): string {
    const width = Math.max(...verdicts.map((v) => v.hostname.length));
    const lines = [`Preflight for stack ${stack}: would Cequence's and the origin's pools be healthy after the cutover?`, ""];
    for (const verdict of verdicts) {
        const pools = [verdict.cequencePool, verdict.originPool]
            .filter((pool): pool is PoolVerdict => pool !== null)
            .map((pool) => `${pool.pool} ${pool.healthy ? "healthy" : "UNHEALTHY"}`)
            .join(", ");
        const detail = [pools, verdict.reason].filter(Boolean).join("; ");
        lines.push(`${verdict.hostname.padEnd(width)}  ${verdict.ready ? "ready    " : "NOT READY"}  ${detail}`);
    }
    const notReady = verdicts.filter((v) => !v.ready);
    lines.push(
        "",
        notReady.length === 0
            ? "Every app is ready: set routing: loadBalancer and run `pulumi up` to cut over."
            : `Do not cut over ${notReady.map((v) => v.hostname).join(", ")} until the problems above are fixed.`,
    );
    return lines.join("\n");
}

if (require.main === module) runAsProcess(preflight);
