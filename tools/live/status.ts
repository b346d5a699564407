/**
 * `npm run status -- --stack <name>`: is traffic going through Cequence right
 * now, and does Cloudflare still hold what the config asks for? Reads
 * Cloudflare's API only (no Pulumi CLI or state). Exit status: 0 all well,
 * 2 an app failed open, is down, not deployed, not proxied or drifted, or its
 * zone is paused or not active, 1 unreadable.
 */
import { setTimeout as sleep } from "node:timers/promises";
import type { StackConfig } from "../../config/schema";
import { CliError } from "./cliError";
import type { CloudflareSession } from "./cloudflareSession";
import { COMMON_USAGE, connect, loadConfig, parseCommandLine, positiveNumber, reportFailure, runAsProcess, type CliIo, type Command } from "./commandLine";
import { READ_PERMISSIONS, URL_NORMALIZATION_PERMISSIONS, ZONE_PERMISSIONS } from "./permissions";
import { hasLoadBalancer, type Routing } from "../../components/naming";
import { describePaths } from "../../components/paths";
import { readLiveState, type ReadOptions } from "./readDeployment";
import { assessStack, DRIFT_LABELS, exitStatus, RULE_DRIFT, type AppStatus, type PoolStatus, type StackStatus } from "./assessDeployment";
import { shadowMessage } from "./shadowingLoadBalancer";
import { watchPeriod, watchRequestsPerWindow } from "./watchPeriod";
import { pathNormalizationRequests, readPathNormalization, type PathNormalization } from "./urlNormalization";
import { zoneNotice } from "./zoneNotice";

const USAGE = [
    "usage: npm run status -- [--stack <name>] [--json] [--regions] [--origin-health] [--watch <seconds>]",
    ...COMMON_USAGE,
    "  --regions           show each pool's health per checking region (reads every pool's health)",
    "  --origin-health     read each origin pool's health even when it decides nothing now (one more request per app)",
    "  --watch <seconds>   read again every <seconds> until Ctrl-C (stretched to use at most half of Cloudflare's rate limit, leaving the rest for an emergency update)",
].join("\n");

export const status: Command = async (argv, io) => {
    let json = argv.includes("--json");
    let stack: string | undefined;
    try {
        const { common, values } = parseCommandLine(
            argv,
            { regions: { type: "boolean" }, "origin-health": { type: "boolean" }, watch: { type: "string" } },
            USAGE,
        );
        ({ json, stack } = common);
        const regions = values.regions ?? false;
        const readOptions: ReadOptions = { allHealth: regions || (values["origin-health"] ?? false) };
        const watchSeconds = values.watch === undefined ? undefined : positiveNumber(values.watch, "--watch");
        const { config, configFile } = await loadConfig(common, io);
        const permissions = [...READ_PERMISSIONS, ...ZONE_PERMISSIONS, ...(pathNormalizationRequests(config) > 0 ? URL_NORMALIZATION_PERMISSIONS : [])];
        const session = await connect(io, common.connection, { accountId: config.accountId, zoneId: config.zoneId, configFile }, permissions);
        const render = (result: StackStatus, normalization: PathNormalization | undefined) =>
            json ? JSON.stringify(toJson(result, regions, normalization), null, watchSeconds === undefined ? 2 : 0) : renderTable(result, regions, normalization);
        const readAndPrint = async () => {
            const [live, normalization] = await session.read((read) => Promise.all([readLiveState(read, config, common.stack, readOptions), readPathNormalization(read, config)]));
            const result = assessStack(common.stack, config, live);
            io.stdout.write(`${render(result, normalization)}\n`);
            return exitStatus(result);
        };
        if (watchSeconds === undefined) return await readAndPrint();
        return await watch(io, session, watchSeconds, estimatedRequests(config, readOptions), json, readAndPrint);
    } catch (error) {
        if (error instanceof CliError) return reportFailure(io, error, json, stack);
        throw error;
    }
};

/**
 * What one read sends in a healthy state, before the first read has been
 * counted: the zone, three record lists of one page each plus the empty page
 * that ends each (the SDK pages until then), the load balancer list (every
 * stack), the pool and monitor lists, and the health of each Cequence pool
 * (one when shared), plus each origin pool's when asked, and the zone's URL
 * normalization with paths.
 */
function estimatedRequests(config: StackConfig, options: ReadOptions): number {
    // The zone, up to six record-list pages, the load balancers, and the URL normalization with paths.
    const base = 1 + 6 + 1 + pathNormalizationRequests(config);
    const balanced = config.apps.filter(hasLoadBalancer).length;
    if (balanced === 0) return base;
    const cequencePools = config.cequence.sharedPool ? 1 : balanced;
    return base + 2 + cequencePools + (options.allHealth ? balanced : 0);
}

/**
 * Reads and prints every period until Ctrl-C, and exits with the last read's
 * status. A failed read is reported and retried on the next tick: an incident
 * is when Cloudflare is most likely to be briefly unreachable. The period is
 * checked against the rate limit before the first read (by estimate) and after
 * each (by count), and a stretch is said on stderr.
 */
async function watch(io: CliIo, session: CloudflareSession, askedSeconds: number, estimate: number, json: boolean, readAndPrint: () => Promise<number>): Promise<number> {
    const { limit } = session.budget;
    let period = watchPeriod(askedSeconds, estimate, limit);
    const sayStretch = (requests: number) =>
        io.stderr.write(
            `--watch ${askedSeconds}: a read sends ${requests} requests and --watch uses at most ${watchRequestsPerWindow(limit)} of the ${limit.requests} per ${limit.windowSeconds / 60} minutes Cloudflare allows a user (the rest is left for the emergency update), so reading every ${period.seconds} s instead (stretched)\n`,
        );
    if (period.stretched) sayStretch(estimate);
    let last = 1;
    while (!io.signal.aborted) {
        // With --json each read is one line (NDJSON), so the header goes to stderr.
        io.stderr.write(`${new Date().toISOString()}: reading Cloudflare (every ${period.seconds} s; Ctrl-C to stop)\n`);
        const before = session.budget.totals.requests;
        try {
            last = await readAndPrint();
        } catch (error) {
            if (!(error instanceof CliError)) throw error;
            if (io.signal.aborted) break;
            last = reportFailure(io, error, json, undefined);
        }
        const sent = session.budget.totals.requests - before;
        const next = watchPeriod(askedSeconds, sent, limit);
        if (next.seconds > period.seconds) {
            period = next;
            sayStretch(sent);
        }
        try {
            await sleep(period.seconds * 1000, undefined, { signal: io.signal });
        } catch {
            break;
        }
    }
    return last;
}

interface PoolJson {
    enabled?: boolean;
    healthy: boolean | null;
    regions?: PoolStatus["regions"];
    degradedRegions?: string[];
}

function toJson(result: StackStatus, regions: boolean, normalization: PathNormalization | undefined) {
    const pool = (status: PoolStatus | null, withEnabled: boolean): PoolJson | null =>
        status && {
            ...(withEnabled ? { enabled: status.enabled } : {}),
            healthy: status.healthy,
            ...(regions ? { regions: status.regions } : {}),
            ...(status.degradedRegions.length > 0 ? { degradedRegions: status.degradedRegions } : {}),
        };
    return {
        stack: result.stack,
        zone: { name: result.zone.name, status: result.zone.status, paused: result.zone.paused },
        apps: result.apps.map((app) => ({
            hostname: app.hostname,
            cname: app.cname,
            traffic: app.traffic,
            paths: app.paths,
            shadowedBy: app.shadowedBy,
            problems: app.problems,
            cequencePool: pool(app.cequencePool, true),
            originPool: pool(app.originPool, false),
            drift: app.drift,
        })),
        // Read only when an app lists paths.
        urlNormalization: normalization ?? null,
    };
}

const HEADERS = ["HOSTNAME", "CNAME →", "CEQUENCE POOL", "ORIGIN POOL", "TRAFFIC"];

function renderTable(result: StackStatus, regions: boolean, normalization: PathNormalization | undefined): string {
    const rows = result.apps.map((app) => [
        app.hostname,
        app.cname ?? "(no record)",
        describePool(app.cequencePool, app.routing, true),
        describePool(app.originPool, app.routing, false),
        app.traffic,
    ]);
    const widths = HEADERS.map((header, column) => Math.max(header.length, ...rows.map((row) => row[column]!.length)));
    const line = (cells: string[]) => cells.map((cell, column) => cell.padEnd(widths[column]!)).join("  ").trimEnd();
    const zone = zoneNotice(result.zone);
    const lines = [`Stack ${result.stack}: ${result.apps.length} app${result.apps.length === 1 ? "" : "s"}`, ...(zone ? [zone] : []), "", line(HEADERS), ...rows.map(line)];
    const scoped = result.apps.filter((app) => app.paths !== null);
    if (scoped.length > 0) {
        lines.push("", "Through Cequence for these paths only; the load balancer's rule sends every other request straight to the origin:");
        lines.push(...scoped.map((app) => `  ${app.hostname}: ${describePaths(app.paths!)}`));
    }
    const shadowed = result.apps.flatMap((app) => (app.shadowedBy ? [`  ${shadowMessage(app.hostname, app.shadowedBy)}.`] : []));
    if (shadowed.length > 0) lines.push("", "Shadowed by a load balancer (exit 2):", ...shadowed);
    const problems = result.apps.flatMap((app) => app.problems.map((problem) => `  ${app.hostname}: ${problem.key}: ${problem.message}.`));
    if (problems.length > 0) lines.push("", "Problems (exit 2):", ...problems);
    if (normalization?.warning) lines.push(`warning: ${normalization.warning}`);
    if (regions) lines.push("", ...result.apps.flatMap(renderRegions));
    const degraded = result.apps.flatMap(renderDegraded);
    if (degraded.length > 0) lines.push("", ...degraded);
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
        if (drifted.some((app) => app.drift.some((drift) => RULE_DRIFT.has(drift.kind)))) {
            lines.push(
                "Load balancer rules: the provider reads them from its own state, so `pulumi up` puts back only what the config changed; re-enable or fix the rule in the dashboard, or take paths out and back in with two `pulumi up`s (docs/paths.md).",
            );
        }
    }
    return lines.join("\n");
}

function describePool(pool: PoolStatus | null, routing: Routing, isCequence: boolean): string {
    if (pool === null) return hasLoadBalancer({ routing }) ? "missing" : "- (no load balancer)";
    const health = pool.healthy === null ? "not read" : pool.healthy ? "healthy" : pool.regions.length === 0 ? "no health data" : "UNHEALTHY";
    if (!isCequence) return health;
    return `${pool.enabled ? "enabled" : "DISABLED"}, ${health}`;
}

function labelledPools(app: AppStatus): Array<[string, PoolStatus | null]> {
    return [
        ["Cequence pool", app.cequencePool],
        ["origin pool", app.originPool],
    ];
}

/** The pools the majority of regions finds healthy but some region does not: Cloudflare keeps sending them traffic, so a note, not a verdict. */
function renderDegraded(app: AppStatus): string[] {
    return labelledPools(app).flatMap(([label, pool]) =>
        pool === null || pool.degradedRegions.length === 0
            ? []
            : [
                  `Note: ${app.hostname} ${label} is healthy by the majority of its checking regions, but UNHEALTHY from ${pool.degradedRegions.join(", ")}; Cloudflare fails over on the majority, so traffic still goes to it (docs/status.md, "A pool's health").`,
              ],
    );
}

function renderRegions(app: AppStatus): string[] {
    return labelledPools(app).flatMap(([label, pool]) =>
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
