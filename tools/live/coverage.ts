/**
 * `npm run coverage -- --stack <name> [--since 24h|7d|<ISO time>] [--until <ISO time>] [--json] [--markdown]`:
 * over a past window, how much of each app's traffic its load balancer sent
 * to the Cequence pool, and when the Cequence pool failed open. Reads
 * Cloudflare's API only (REST and the GraphQL Analytics API). Exit status: 0
 * every app covered, 2 any other verdict, 1 unreadable. docs/coverage.md.
 */
import { hasLoadBalancer } from "../../components/naming";
import { describePaths } from "../../components/paths";
import type { StackConfig } from "../../config/schema";
import { CliError } from "./cliError";
import { COMMON_USAGE, connect, loadConfig, parseCommandLine, reportFailure, runAsProcess, type Command } from "./commandLine";
import {
    disabledWindow,
    durationSeconds,
    isSampled,
    parseWindow,
    shareOf,
    shareOfTotal,
    unhealthyWindows,
    verdictOf,
    ZERO,
    addEstimates,
    type Estimate,
    type FailOpenWindow,
    type Share,
    type TimeRange,
    type Verdict,
} from "./coverageArithmetic";
import type { CloudflareRead as Read } from "./cloudflareSession";
import type { LivePool, LiveZone } from "./deployment";
import { READ_PERMISSIONS, ZONE_PERMISSIONS } from "./permissions";
import { zoneNotice } from "./zoneNotice";
import { findPool, listLoadBalancers, listPools, poolHealth, readZone } from "./readDeployment";
import { ANALYTICS_PERMISSION, CONFIDENCE_LEVEL, LB_DATASET, readHealthChanges, readLimits, readOriginInWindows, readTraffic } from "./readTraffic";

const DEFAULT_MIN_SHARE_PERCENT = 99;

const USAGE = [
    "usage: npm run coverage -- [--stack <name>] [--since 24h|7d|<ISO time>] [--until <ISO time>] [--min-share <percent>] [--json] [--markdown]",
    ...COMMON_USAGE,
    "  --since <when>      the window's start: 24h, 7d (any number of h or d before --until) or an ISO time with its zone (default: 24h)",
    "  --until <when>      the window's end, an ISO time with its zone (default: now)",
    `  --min-share <pct>   the share through Cequence an app needs to be covered (default: ${DEFAULT_MIN_SHARE_PERCENT})`,
    "  --markdown          print a Markdown table, for an audit record or a weekly report",
].join("\n");

/** One app's coverage over the window. */
export interface AppCoverage {
    hostname: string;
    lbHostname: string | null;
    verdict: Verdict;
    /** Requests the load balancer served (Cloudflare's estimate); null when there is no load balancer to ask about. */
    requests: Estimate | null;
    cequence: Estimate;
    origin: Estimate;
    /** Of all the load balancer's requests, the Cequence pool's. */
    share: Share | null;
    paths: readonly string[] | null;
    /** For an app with `paths`: of the listed paths' requests, those through Cequence. */
    pathsShare: Share | null;
    sampled: boolean;
    failOpen: FailOpenWindow[];
}

export interface StackCoverage {
    stack: string;
    zone: LiveZone;
    window: TimeRange;
    minShare: number;
    apps: AppCoverage[];
}

export const coverage: Command = async (argv, io) => {
    let json = argv.includes("--json");
    let stack: string | undefined;
    try {
        const { common, values } = parseCommandLine(
            argv,
            { since: { type: "string" }, until: { type: "string" }, "min-share": { type: "string" }, markdown: { type: "boolean" } },
            USAGE,
        );
        ({ json, stack } = common);
        if (json && values.markdown) throw new CliError(`--json and --markdown are two formats of the same report: choose one\n${USAGE}`);
        const minShare = percent(values["min-share"]);
        const range = parseWindow(values.since, values.until, Date.now());
        const { config, configFile } = await loadConfig(common, io);
        const session = await connect(io, common.connection, { accountId: config.accountId, zoneId: config.zoneId, configFile }, [
            ...READ_PERMISSIONS,
            ...ZONE_PERMISSIONS,
            ANALYTICS_PERMISSION,
        ]);
        const result = await session.read((read) => measure(read, config, common.stack, range, minShare));
        io.stdout.write(`${json ? JSON.stringify(toJson(result), null, 2) : values.markdown ? renderMarkdown(result) : renderTable(result)}\n`);
        return result.apps.every((app) => app.verdict === "covered") ? 0 : 2;
    } catch (error) {
        if (error instanceof CliError) return reportFailure(io, error, json, stack);
        throw error;
    }
};

function percent(text: string | undefined): number {
    if (text === undefined) return DEFAULT_MIN_SHARE_PERCENT / 100;
    const value = Number(text);
    if (!Number.isFinite(value) || value <= 0 || value > 100) throw new CliError(`--min-share must be a percentage above 0 and at most 100, got ${JSON.stringify(text)}`);
    return value / 100;
}

/**
 * The zone, the account's pools and the zone's load balancers (one list
 * each), the dataset's limits, each Cequence pool's health events once,
 * then the traffic of every app in one query per window piece. Only when
 * it decides something: the health now of a Cequence pool that logged no
 * event since the window began while its app's requests went elsewhere
 * (unhealthy all along, or healthy and the traffic went elsewhere for
 * another reason), and the origin requests of `paths` apps inside their
 * fail-open windows.
 */
async function measure(read: Read, config: StackConfig, stack: string, range: TimeRange, minShare: number): Promise<StackCoverage> {
    const now = Date.now();
    const [zone, pools, loadBalancers, limits] = await Promise.all([readZone(read, config), listPools(read, config), listLoadBalancers(read, config), readLimits(read, config.zoneId)]);
    if (!limits || !limits.enabled) {
        throw new CliError(
            `Zone ${zone.name} (plan ${zone.plan ?? "unknown"}) has no load-balancing analytics: Cloudflare offers them on paid plans (Pro, Business, Enterprise), and its GraphQL API reports the ${LB_DATASET} dataset as not enabled for this zone. Coverage cannot be measured, which is not 0 %.`,
        );
    }
    const oldest = now - limits.notOlderThan * 1000;
    if (range.since < oldest) {
        throw new CliError(
            `--since ${new Date(range.since).toISOString()} is older than Cloudflare keeps load-balancing analytics for zone ${zone.name} (plan ${zone.plan ?? "unknown"}): ${formatDuration(limits.notOlderThan)}, so from ${new Date(oldest).toISOString()} on. Ask for a shorter window (--since ${Math.floor(limits.notOlderThan / 86_400)}d at most).`,
        );
    }
    const poolsByName = new Map(pools.map((pool) => [pool.name, pool]));
    const lbsByName = new Map(loadBalancers.map((lb) => [lb.name, lb]));
    const apps = config.apps.map((app) => {
        const measured = hasLoadBalancer(app);
        return {
            app,
            measured,
            loadBalancer: measured ? lbsByName.get(app.lbHostname) : undefined,
            cequencePool: measured ? findPool(poolsByName, "cequence", stack, app, config)?.pool : undefined,
            originPool: measured ? findPool(poolsByName, "origin", stack, app, config)?.pool : undefined,
        };
    });
    const deployed = apps.filter((a) => a.loadBalancer);
    // Each distinct Cequence pool once; a pool with no monitor is always healthy to Cloudflare and logs no events.
    const cequencePools = [...new Map(deployed.flatMap((a) => (a.cequencePool ? [[a.cequencePool.id, a.cequencePool] as const] : []))).values()];
    const [changes, traffic] = await Promise.all([
        Promise.all(cequencePools.map(async (pool) => [pool.id, pool.monitor ? await readHealthChanges(read, pool, { since: range.since, until: now }) : []] as const)).then((entries) => new Map(entries)),
        readTraffic(read, config.zoneId, deployed.map((a) => a.app.lbHostname), range, limits),
    ]);
    const elsewhere = (lbName: string, pool: LivePool) => [...(traffic.get(lbName) ?? new Map<string, Estimate>()).entries()].some(([name, count]) => name !== pool.name && count.estimate > 0);
    const silent = cequencePools.filter((pool) => pool.monitor && changes.get(pool.id)!.length === 0 && deployed.some((a) => a.cequencePool?.id === pool.id && elsewhere(a.app.lbHostname, pool)));
    const healthNow = new Map(await Promise.all(silent.map(async (pool) => [pool.id, (await poolHealth(read, config, pool)).healthy] as const)));
    const windows = new Map(
        cequencePools.map((pool) => {
            const unhealthy = unhealthyWindows(changes.get(pool.id)!, range, healthNow.get(pool.id) ?? true);
            return [pool.id, pool.enabled ? unhealthy : [disabledWindow(range), ...unhealthy]] as const;
        }),
    );
    const windowsOf = (pool: LivePool | undefined) => (pool ? (windows.get(pool.id) ?? []) : []);
    const pathApps = deployed.flatMap((a) => (a.app.paths && a.originPool ? [{ lbName: a.app.lbHostname, originPool: a.originPool.name, windows: windowsOf(a.cequencePool) }] : []));
    const originInWindows = await readOriginInWindows(read, config.zoneId, pathApps, range, limits);
    return {
        stack,
        zone,
        window: range,
        minShare,
        apps: apps.map(({ app, measured, loadBalancer, cequencePool, originPool }): AppCoverage => {
            const paths = app.paths ?? null;
            const base = { hostname: app.hostname, lbHostname: measured ? app.lbHostname : null, paths, cequence: ZERO, origin: ZERO, share: null, pathsShare: null, sampled: false, failOpen: [] };
            if (!measured) return { ...base, verdict: "not-measured", requests: null };
            if (!loadBalancer) return { ...base, verdict: "not-deployed", requests: null };
            const byPool = traffic.get(app.lbHostname) ?? new Map<string, Estimate>();
            const of = (pool: LivePool | undefined) => (pool ? (byPool.get(pool.name) ?? ZERO) : ZERO);
            const cequence = of(cequencePool);
            const requests = [...byPool.values()].reduce(addEstimates, ZERO);
            const rest = [...byPool.entries()].filter(([name]) => name !== cequencePool?.name).reduce((sum, [, count]) => addEstimates(sum, count), ZERO);
            const share = shareOf(cequence, rest);
            // The Cequence pool serves only the listed paths; origin requests inside its fail-open windows may be listed paths that failed open, so they all count against it.
            const pathsShare = paths ? shareOfTotal(cequence, addEstimates(cequence, originInWindows.get(app.lbHostname) ?? ZERO)) : null;
            return {
                ...base,
                requests,
                cequence,
                origin: of(originPool),
                share,
                pathsShare,
                sampled: [...byPool.values()].some(isSampled),
                failOpen: windowsOf(cequencePool),
                verdict: verdictOf({ deployed: true, requests, share: paths ? pathsShare : share, minShare }),
            };
        }),
    };
}

function formatDuration(seconds: number): string {
    if (seconds >= 86_400 && seconds % 86_400 === 0) return `${seconds / 86_400} days`;
    if (seconds >= 3600) return `${Math.round(seconds / 360) / 10} h`;
    if (seconds >= 60) return `${Math.round(seconds / 60)} min`;
    return `${seconds} s`;
}

function iso(ms: number): string {
    return new Date(ms).toISOString();
}

function toJson(result: StackCoverage) {
    return {
        stack: result.stack,
        zone: { name: result.zone.name, status: result.zone.status, paused: result.zone.paused },
        since: iso(result.window.since),
        until: iso(result.window.until),
        minShare: result.minShare,
        confidenceLevel: CONFIDENCE_LEVEL,
        apps: result.apps.map((app) => ({
            hostname: app.hostname,
            lbHostname: app.lbHostname,
            verdict: app.verdict,
            requests: app.requests,
            cequence: app.cequence,
            origin: app.origin,
            share: app.share,
            paths: app.paths,
            pathsShare: app.pathsShare,
            sampled: app.sampled,
            failOpen: app.failOpen.map((w) => ({ start: iso(w.start), end: iso(w.end), durationSeconds: durationSeconds(w), reason: w.reason, startsBefore: w.startsBefore, endsAfter: w.endsAfter })),
        })),
    };
}

function pct(share: Share | null): string {
    if (share === null) return "-";
    const p = (value: number) => `${(Math.floor(value * 1000) / 10).toFixed(1)} %`;
    return share.lower === share.upper ? p(share.estimate) : `${p(share.estimate)} (${p(share.lower)}–${p(share.upper)})`;
}

function requestsText(app: AppCoverage): string {
    if (app.requests === null) return "-";
    const r = app.requests;
    return app.sampled ? `~${Math.round(r.estimate)} (${Math.round(r.lower)}–${Math.round(r.upper)})` : String(Math.round(r.estimate));
}

function describeWindow(w: FailOpenWindow): string {
    const start = w.startsBefore ? (w.reason === "disabled" ? "start unknown" : `before ${iso(w.start)}`) : iso(w.start);
    const end = w.endsAfter ? "still at the window's end" : iso(w.end);
    const duration = w.startsBefore || w.endsAfter ? `at least ${formatDuration(durationSeconds(w))}` : formatDuration(durationSeconds(w));
    return `${w.reason === "disabled" ? "Cequence pool DISABLED" : "Cequence pool unhealthy"}: ${start} → ${end} (${duration})`;
}

const HEADERS = ["HOSTNAME", "REQUESTS", "THROUGH CEQUENCE", "LISTED PATHS THROUGH CEQUENCE", "FAIL-OPEN", "VERDICT"];

function rows(result: StackCoverage): string[][] {
    return result.apps.map((app) => [
        app.hostname,
        requestsText(app),
        pct(app.share),
        app.paths ? pct(app.pathsShare) : "-",
        app.failOpen.length === 0 ? "none" : `${app.failOpen.length} window${app.failOpen.length === 1 ? "" : "s"}`,
        app.verdict,
    ]);
}

function heading(result: StackCoverage): string {
    return `Stack ${result.stack}, zone ${result.zone.name}: ${iso(result.window.since)} → ${iso(result.window.until)}; covered at ${Math.round(result.minShare * 1000) / 10} % or more through Cequence`;
}

function notes(result: StackCoverage): string[] {
    // A zone paused or not active now: said as status says it, as it may explain a window with no traffic.
    const zone = zoneNotice(result.zone);
    const lines: string[] = zone ? [`Now: ${zone}`] : [];
    for (const app of result.apps) {
        for (const w of app.failOpen) lines.push(`${app.hostname}: ${describeWindow(w)}`);
        if (app.verdict === "not-deployed") lines.push(`${app.hostname}: no load balancer ${app.lbHostname} in the zone (run pulumi up, or status for what is missing)`);
        if (app.verdict === "not-measured") lines.push(`${app.hostname}: routing cequence sends the hostname straight to Cequence with no load balancer, so Cloudflare's load-balancing analytics have nothing to count`);
        if (app.paths) lines.push(`${app.hostname}: listed paths ${describePaths(app.paths)}; origin requests inside fail-open windows count as listed paths that failed open (a lower bound on the share)`);
    }
    if (result.apps.some((app) => app.sampled)) {
        lines.push(`~: Cloudflare sampled these counts (adaptive sampling); the estimate is given with its ${CONFIDENCE_LEVEL * 100} % confidence interval.`);
    }
    return lines;
}

function renderTable(result: StackCoverage): string {
    const body = rows(result);
    const widths = HEADERS.map((header, column) => Math.max(header.length, ...body.map((row) => row[column]!.length)));
    const line = (cells: string[]) => cells.map((cell, column) => cell.padEnd(widths[column]!)).join("  ").trimEnd();
    const extra = notes(result);
    return [heading(result), "", line(HEADERS), ...body.map(line), ...(extra.length > 0 ? ["", ...extra] : [])].join("\n");
}

function renderMarkdown(result: StackCoverage): string {
    const cell = (text: string) => text.replace(/\|/g, "\\|");
    const line = (cells: string[]) => `| ${cells.map(cell).join(" | ")} |`;
    const extra = notes(result);
    return [`**${heading(result)}**`, "", line(HEADERS), line(HEADERS.map(() => "---")), ...rows(result).map(line), ...(extra.length > 0 ? ["", ...extra.map((note) => `- ${cell(note)}`)] : [])].join("\n");
}

if (require.main === module) runAsProcess(coverage);
