/**
 * `npm run status -- --stack <name>`: is traffic going through Cequence right
 * now, and does Cloudflare still hold what the config asks for? Reads
 * Cloudflare's API only (no Pulumi CLI or state). Exit status: 0 all well,
 * 2 an app failed open, is down, not deployed or drifted, 1 unreadable.
 */
import { setTimeout as sleep } from "node:timers/promises";
import type { Routing } from "../config/schema";
import { CliError, CloudflareSession, READ_PERMISSIONS } from "./cloudflareApi";
import { COMMON_USAGE, loadConfig, parseCommandLine, positiveNumber, reportFailure, runAsProcess, type CliIo, type Command } from "./cloudflareCli";
import { readLiveState } from "./liveState";
import { assessStack, DRIFT_LABELS, exitStatus, type AppStatus, type PoolStatus, type StackStatus } from "./liveStatus";

const USAGE = [
    "usage: npm run status -- [--stack <name>] [--json] [--regions] [--watch <seconds>]",
    ...COMMON_USAGE,
    "  --regions           show each pool's health per checking region",
    "  --watch <seconds>   read again every <seconds> until Ctrl-C",
].join("\n");

export const status: Command = async (argv, io) => {
    let json = argv.includes("--json");
    let stack: string | undefined;
    try {
        const { common, values } = parseCommandLine(argv, { regions: { type: "boolean" }, watch: { type: "string" } }, USAGE);
        ({ json, stack } = common);
        const watchSeconds = values.watch === undefined ? undefined : positiveNumber(values.watch, "--watch");
        const { config, configFile } = loadConfig(common);
        const session = new CloudflareSession(
            io.env,
            common.connection,
            { accountId: config.accountId, zoneId: config.zoneId, configFile },
            READ_PERMISSIONS,
            io.signal,
        );
        const render = (result: StackStatus) =>
            json ? JSON.stringify(toJson(result, values.regions ?? false), null, watchSeconds === undefined ? 2 : 0) : renderTable(result, values.regions ?? false);
        const readAndPrint = async () => {
            const result = assessStack(common.stack, config, await readLiveState(session, config, common.stack));
            io.stdout.write(`${render(result)}\n`);
            return exitStatus(result);
        };
        return watchSeconds === undefined ? await readAndPrint() : await watch(io, watchSeconds, json, readAndPrint);
    } catch (error) {
        if (error instanceof CliError) return reportFailure(io, error, json, stack);
        throw error;
    }
};

/**
 * Reads and prints every `periodSeconds` until Ctrl-C, and exits with the last
 * read's status. A failed read is reported and retried on the next tick: an
 * incident is when Cloudflare is most likely to be briefly unreachable.
 */
async function watch(io: CliIo, periodSeconds: number, json: boolean, readAndPrint: () => Promise<number>): Promise<number> {
    let last = 1;
    while (!io.signal.aborted) {
        // With --json each read is one line (NDJSON), so the header goes to stderr.
        io.stderr.write(`${new Date().toISOString()}: reading Cloudflare (every ${periodSeconds} s; Ctrl-C to stop)\n`);
        try {
            last = await readAndPrint();
        } catch (error) {
            if (!(error instanceof CliError)) throw error;
            if (io.signal.aborted) break;
            last = reportFailure(io, error, json, undefined);
        }
        try {
            await sleep(periodSeconds * 1000, undefined, { signal: io.signal });
        } catch {
            break;
        }
    }
    return last;
}

interface PoolJson {
    enabled?: boolean;
    healthy: boolean;
    regions?: PoolStatus["regions"];
}

function toJson(result: StackStatus, regions: boolean) {
    const pool = (status: PoolStatus | null, withEnabled: boolean): PoolJson | null =>
        status && {
            ...(withEnabled ? { enabled: status.enabled } : {}),
            healthy: status.healthy,
            ...(regions ? { regions: status.regions } : {}),
        };
    return {
        stack: result.stack,
        apps: result.apps.map((app) => ({
            hostname: app.hostname,
            cname: app.cname,
            traffic: app.traffic,
            cequencePool: pool(app.cequencePool, true),
            originPool: pool(app.originPool, false),
            drift: app.drift,
        })),
    };
}

const HEADERS = ["HOSTNAME", "CNAME →", "CEQUENCE POOL", "ORIGIN POOL", "TRAFFIC"];

function renderTable(result: StackStatus, regions: boolean): string {
    const rows = result.apps.map((app) => [
        app.hostname,
        app.cname ?? "(no record)",
        describePool(app.cequencePool, app.routing, true),
        describePool(app.originPool, app.routing, false),
        app.traffic,
    ]);
    const widths = HEADERS.map((header, column) => Math.max(header.length, ...rows.map((row) => row[column]!.length)));
    const line = (cells: string[]) => cells.map((cell, column) => cell.padEnd(widths[column]!)).join("  ").trimEnd();
    const lines = [`Stack ${result.stack}: ${result.apps.length} app${result.apps.length === 1 ? "" : "s"}`, "", line(HEADERS), ...rows.map(line)];
    if (regions) lines.push("", ...result.apps.flatMap(renderRegions));
    const drifted = result.apps.filter((app) => app.drift.length > 0);
    lines.push("");
    if (drifted.length === 0) {
        lines.push("No drift: Cloudflare matches the config.");
    } else {
        lines.push("Drift (Cloudflare differs from the config; `pulumi up` puts it back):");
        for (const app of drifted) {
            for (const drift of app.drift) {
                lines.push(`  ${app.hostname}: ${DRIFT_LABELS[drift.kind]}: the config asks for ${drift.expected}; Cloudflare has ${drift.actual}`);
            }
        }
    }
    return lines.join("\n");
}

function describePool(pool: PoolStatus | null, routing: Routing, isCequence: boolean): string {
    if (pool === null) return routing === "cequence" ? "- (no load balancer)" : "missing";
    const health = pool.healthy ? "healthy" : pool.regions.length === 0 ? "no health data" : "UNHEALTHY";
    if (!isCequence) return health;
    return `${pool.enabled ? "enabled" : "DISABLED"}, ${health}`;
}

function renderRegions(app: AppStatus): string[] {
    const pools: Array<[string, PoolStatus | null]> = [
        ["Cequence pool", app.cequencePool],
        ["origin pool", app.originPool],
    ];
    return pools.flatMap(([label, pool]) =>
        pool === null
            ? []
            : [
                  `${app.hostname} ${label} by region: ${
                      pool.regions.length === 0 ? "no region has reported yet" : pool.regions.map((r) => `${r.region} ${r.healthy ? "healthy" : "UNHEALTHY"}`).join("; ")
                  }`,
              ],
    );
}

if (require.main === module) runAsProcess(status);
