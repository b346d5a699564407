/**
 * `npm run preflight -- --stack <name>`: before the CNAME cutover (guide step
 * 6), would both of each app's pools be healthy? Asks Cloudflare to preview
 * each pool with the monitor the config asks for, waits for the results, and
 * prints a verdict per app with Cloudflare's failure reason. Exit status: 0
 * every app ready, 2 an app is not, 1 the previews could not be run or read.
 */
import { lookup } from "node:dns/promises";
import { setTimeout as sleep } from "node:timers/promises";
import { HTTPS_PORT, PROBE_PROTOCOL, type MonitorSettings } from "../../components/defaults";
import { cnameTarget, hasLoadBalancer, type PoolRole } from "../../components/naming";
import { listedPrefixes, REGEX_PLANS } from "../../components/paths";
import type { AppConfig, StackConfig } from "../../config/schema";
import { CliError } from "./cliError";
import type { CloudflareRead } from "./cloudflareSession";
import { COMMON_USAGE, connect, loadConfig, parseCommandLine, positiveNumber, reportFailure, runAsProcess, type CliIo, type Command, type ResolveHostname } from "./commandLine";
import { readProbeAuthHeader, type ProbeAuthHeader } from "./edgeAuthHeader";
import { PREVIEW_PERMISSIONS, READ_PERMISSIONS, URL_NORMALIZATION_PERMISSIONS, ZONE_PERMISSIONS } from "./permissions";
import { redactingIo } from "./redactingIo";
import type { LiveLoadBalancer, LivePool, LiveRecord, LiveZone } from "./deployment";
import { configuredPoolName, findPool, listLoadBalancers, listPools, listRecords, poolsToName, readZone } from "./readDeployment";
import { unresolvedOrigins } from "./originResolution";
import { originHostnames, proxiedOriginProblems } from "./proxiedOrigin";
import { shadowFindings } from "./shadowingLoadBalancer";
import { pathNormalizationRequests, readPathNormalization } from "./urlNormalization";
import { zoneNotice } from "./zoneNotice";
import { readLoadBalancingEntitlement, type LoadBalancingEntitlement } from "./loadBalancingEntitlement";
import { neededWritePermissions, readTokenPolicies, uncheckedWritePermissions, writeAccess, type WriteAccess } from "./tokenPolicies";

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

/** Something in the live zone that would break `pulumi up` or the cutover, under the config key to change. */
export interface ZoneProblem {
    /** The config key to change, e.g. `apps[0].lbHostname`. */
    key: string;
    message: string;
}

export interface AppVerdict {
    hostname: string;
    ready: boolean;
    /** Why it is not ready, or why it was not checked; null when ready. */
    reason: string | null;
    /** What the zone's DNS records say the config must change. */
    problems: ZoneProblem[];
    /** What the zone's plan may not allow, and what its URL normalization lets past, in `apps[].paths`; they leave the app ready. */
    warnings: ZoneProblem[];
    cequencePool: PoolVerdict | null;
    originPool: PoolVerdict | null;
}

/**
 * What `pulumi up` needs of the account and the token, which no app's pools
 * show before the first deployment: the Load Balancing add-on
 * (loadBalancingEntitlement.ts) and the write permissions (tokenPolicies.ts).
 */
export interface AccountVerdict {
    /** Null when no app has a load balancer, so none is needed. */
    loadBalancing: LoadBalancingEntitlement | null;
    writePermissions: WriteAccess;
    /** What could not be checked, once for the stack; what failed is in every app's problems. */
    warnings: ZoneProblem[];
}

/** The key a token problem is filed under: the token is what changes. */
export const TOKEN_KEY = "CLOUDFLARE_API_TOKEN";

export const preflight: Command = async (argv, cliIo) => {
    // The edge-authentication secret goes to Cloudflare in the previews, and nowhere else.
    const { io, hide } = redactingIo(cliIo);
    let json = argv.includes("--json");
    let stack: string | undefined;
    try {
        const { common, values } = parseCommandLine(argv, { wait: { type: "string" }, poll: { type: "string" } }, USAGE);
        ({ json, stack } = common);
        const polling: Polling = {
            waitSeconds: values.wait === undefined ? DEFAULT_WAIT_SECONDS : positiveNumber(values.wait, "--wait"),
            pollSeconds: values.poll === undefined ? DEFAULT_POLL_SECONDS : positiveNumber(values.poll, "--poll"),
        };
        const { config, configFile } = await loadConfig(common, io);
        const session = await connect(io, common.connection, { accountId: config.accountId, zoneId: config.zoneId, configFile }, [
            ...READ_PERMISSIONS,
            ...PREVIEW_PERMISSIONS,
            ...ZONE_PERMISSIONS,
            ...(pathNormalizationRequests(config) > 0 ? URL_NORMALIZATION_PERMISSIONS : []),
        ]);
        const probeAuth = async () => {
            const header = await readProbeAuthHeader(config, common.stack, { cwd: common.dir, env: io.env, signal: io.signal });
            if (header) hide(header.value);
            return header;
        };
        const resolve: ResolveHostname = io.resolveHostname ?? ((hostname) => lookup(hostname));
        const { account, apps: verdicts } = await session.read((read) => checkApps(read, config, common.stack, polling, new Progress(io), probeAuth, resolve));
        io.stdout.write(`${json ? JSON.stringify({ stack: common.stack, account, apps: verdicts }, null, 2) : renderVerdicts(common.stack, account, verdicts)}\n`);
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

/** A pool to preview; a shared Cequence pool is one, whichever apps use it. */
export interface PoolToPreview {
    role: PoolRole;
    id: string;
    name: string;
    monitor: MonitorSettings;
    /** The probes' Host header: the app's public hostname, or the shared pool monitor's `host`. */
    host: string;
    /** Sent only when not HTTPS's own, as the program's monitors do. */
    port: number | undefined;
}

/**
 * The pools each app's preview needs, a shared Cequence pool once, with the
 * monitor `pulumi up` deploys for it; and the names of those not in
 * Cloudflare yet, which cannot be previewed.
 */
export function poolsToPreview(config: StackConfig, stack: string, poolsByName: ReadonlyMap<string, LivePool>) {
    const toPreview = new Map<string, PoolToPreview>();
    const appPools = new Map<AppConfig, Partial<Record<PoolRole, string>>>();
    const missing = new Set<string>();
    for (const app of config.apps.filter(hasLoadBalancer)) {
        const ids: Partial<Record<PoolRole, string>> = {};
        for (const role of ["cequence", "origin"] as const) {
            const found = findPool(poolsByName, role, stack, app, config);
            if (!found) {
                missing.add(configuredPoolName(role, stack, app, config));
                continue;
            }
            ids[role] = found.pool.id;
            const cequence = role === "cequence";
            toPreview.set(found.pool.id, {
                role,
                id: found.pool.id,
                name: found.pool.name,
                monitor: cequence ? config.cequence.monitor : app.monitor,
                host: (cequence ? config.cequence.monitor.host : undefined) ?? app.hostname,
                port: cequence && config.cequence.port !== HTTPS_PORT ? config.cequence.port : undefined,
            });
        }
        appPools.set(app, ids);
    }
    return { toPreview, appPools, missing: [...missing] };
}

/**
 * @param probeAuth The header the deployed monitors add with edge
 * authentication on; read only when there is a pool to preview, so a stack
 * not deployed yet is not asked for it.
 * @param resolve Looks each origin hostname up (originResolution.ts).
 */
async function checkApps(
    read: CloudflareRead,
    config: StackConfig,
    stack: string,
    polling: Polling,
    progress: Progress,
    probeAuth: () => Promise<ProbeAuthHeader | undefined>,
    resolve: ResolveHostname,
): Promise<{ account: AccountVerdict; apps: AppVerdict[] }> {
    const balanced = config.apps.some(hasLoadBalancer);
    // The zone: whether it is on any app's path at all (active, not paused), and its plan, which decides what a path rule may hold.
    const [records, listedPools, zone, loadBalancers, normalization, policies] = await Promise.all([
        listRecords(read, config),
        balanced ? listPools(read, config) : undefined,
        readZone(read, config),
        listLoadBalancers(read, config),
        readPathNormalization(read, config),
        readTokenPolicies(read, config.accountId),
    ]);
    const pools = await poolsToName(read, config, listedPools, loadBalancers);
    const account = accountVerdict(
        balanced ? await readLoadBalancingEntitlement(read, config.accountId, { pools: pools.length, loadBalancers: loadBalancers.length }) : null,
        writeAccess(policies, neededWritePermissions(config), uncheckedWritePermissions(config), config),
    );
    const loadBalancersByName = new Map(loadBalancers.map((lb) => [lb.name, lb]));
    // Origins that are proxied records of the zone (proxiedOrigin.ts), from the records already listed;
    // the others are looked up in DNS (originResolution.ts) while the pools are previewed.
    const origins = originHostnames(config);
    const proxied = proxiedOriginProblems(origins, records);
    const resolving = unresolvedOrigins(
        origins.filter((origin) => !proxied.some((problem) => problem.key === origin.key)),
        resolve,
    );
    const poolsById = new Map(pools.map((pool) => [pool.id, pool]));
    const unreachable = zoneNotice(zone);
    const { toPreview, appPools, missing } = poolsToPreview(config, stack, new Map(pools.map((pool) => [pool.name, pool])));
    const auth = toPreview.size > 0 ? await probeAuth() : undefined;
    progress.start(toPreview.size, missing);
    const verdicts = new Map(
        await Promise.all(
            [...toPreview.values()].map(async (pool) => {
                const verdict = await previewPool(read, config, pool, auth, polling);
                progress.done(`${pool.role} pool ${pool.name}: ${verdict.healthy ? "healthy" : "UNHEALTHY"}`);
                return [pool.id, verdict] as const;
            }),
        ),
    );
    progress.finish();
    const originProblems = [...proxied, ...(await resolving)];
    const apps = config.apps.map((app, index): AppVerdict => {
        // A cutover in a zone off every path changes nothing: no app is ready until the zone is active and not paused.
        // A load balancer named as the public hostname is answered instead of the stack's CNAME (shadowingLoadBalancer.ts).
        const shadow = shadowFindings(app.hostname, index, loadBalancersByName, poolsById);
        const problems = [
            ...(unreachable === undefined ? [] : [{ key: "zoneId", message: unreachable }]),
            ...accountProblems(account, hasLoadBalancer(app)),
            ...shadow.problems,
            ...zoneProblems(app, index, config, records),
            ...originProblems.filter((problem) => problem.key.startsWith(`apps[${index}].`)),
        ];
        const warnings = [
            ...shadow.warnings,
            ...planWarnings(app, index, zone),
            ...(app.paths !== undefined && normalization?.warning ? [{ key: `apps[${index}].paths`, message: normalization.warning }] : []),
        ];
        if (!hasLoadBalancer(app)) {
            const ready = problems.length === 0;
            const reason = ready ? "routing: cequence has no load balancer, so no pools to preview" : problems.map((p) => `${p.key}: ${p.message}`).join("; ");
            return { hostname: app.hostname, ready, reason, problems, warnings, cequencePool: null, originPool: null };
        }
        const ids = appPools.get(app) ?? {};
        problems.push(...loadBalancerProblems(app, index, loadBalancersByName.get(app.lbHostname), ids));
        const cequencePool = (ids.cequence && verdicts.get(ids.cequence)) || null;
        const originPool = (ids.origin && verdicts.get(ids.origin)) || null;
        const missing = (["cequence", "origin"] as const).filter((role) => ids[role] === undefined);
        return { hostname: app.hostname, ...readiness(missing, problems, cequencePool, originPool), problems, warnings, cequencePool, originPool };
    });
    return { account, apps };
}

/** What could not be checked is a warning for the stack; what is known to be missing, a problem of each app it stops. */
function accountVerdict(loadBalancing: LoadBalancingEntitlement | null, writePermissions: WriteAccess): AccountVerdict {
    return {
        loadBalancing,
        writePermissions,
        warnings: [
            ...(loadBalancing?.enabled === null ? [{ key: "accountId", message: loadBalancing.summary }] : []),
            // Unknown, or known except what preflight cannot look for: either way a warning, once.
            ...(writePermissions.missing === null || (writePermissions.missing.length === 0 && writePermissions.unchecked.length > 0) ? [{ key: TOKEN_KEY, message: writePermissions.summary }] : []),
        ],
    };
}

/** A missing add-on stops each app with a load balancer; a missing permission stops `pulumi up`, so every app. */
function accountProblems(account: AccountVerdict, balanced: boolean): ZoneProblem[] {
    return [
        ...(balanced && account.loadBalancing?.enabled === false ? [{ key: "accountId", message: account.loadBalancing.summary }] : []),
        ...(account.writePermissions.missing?.length ? [{ key: TOKEN_KEY, message: account.writePermissions.summary }] : []),
    ];
}

/**
 * What the zone's records say `pulumi up` or the cutover would trip on:
 * a record at the LB hostname (the load balancer takes the name over), an
 * `existingRecordId` that is not a CNAME at the public hostname, and a record
 * already at a public hostname the stack would create (Cloudflare's 81053,
 * halfway through `pulumi up`).
 */
function zoneProblems(app: AppConfig, index: number, config: StackConfig, records: ReadonlyMap<string, LiveRecord[]>): ZoneProblem[] {
    const problems: ZoneProblem[] = [];
    const key = (field: string) => `apps[${index}].${field}`;
    const describe = (record: LiveRecord) => `${record.type} record ${record.name} → ${record.content} (ID ${record.id})`;
    if (hasLoadBalancer(app)) {
        for (const record of records.get(app.lbHostname) ?? []) {
            problems.push({
                key: key("lbHostname"),
                message: `the zone has a ${describe(record)}, and a load balancer takes its name over: choose another lbHostname, or delete the record once nothing uses it`,
            });
        }
    }
    const atHostname = records.get(app.hostname) ?? [];
    if (app.existingRecordId !== undefined) {
        const adopted = [...records.values()].flat().find((record) => record.id === app.existingRecordId);
        if (!adopted) {
            problems.push({ key: key("existingRecordId"), message: `the zone has no A, AAAA or CNAME record ${app.existingRecordId}: set the ID of the CNAME record ${app.hostname}` });
        } else if (adopted.name !== app.hostname || adopted.type !== "CNAME") {
            problems.push({ key: key("existingRecordId"), message: `names the ${describe(adopted)}, not a CNAME record ${app.hostname}: the stack adopts the hostname's CNAME` });
        }
    } else if (atHostname.length > 0 && !atHostname.every((record) => createdByTheStack(record, app, config))) {
        for (const record of atHostname) {
            problems.push({
                key: key("existingRecordId"),
                message: `is unset, but the zone already has a ${describe(record)}: \`pulumi up\` would fail with Cloudflare's error 81053 (a record with that name exists). Set existingRecordId: ${record.id} to adopt it${record.type === "CNAME" ? "" : " (after making it a CNAME)"}`,
            });
        }
    }
    return problems;
}

/**
 * A load balancer already named as the app's LB hostname that is not the
 * stack's (it uses none of the stack's pools; before the first `pulumi up`,
 * every one). A load balancer is the hostname's LB DNS record ("When you set
 * up a load balancer, Cloudflare automatically creates an LB DNS record for
 * the specified hostname",
 * https://developers.cloudflare.com/load-balancing/load-balancers/dns-records/),
 * one per name in a zone, so `pulumi up` would fail creating the stack's,
 * after the monitors and pools exist.
 */
function loadBalancerProblems(app: AppConfig, index: number, lb: LiveLoadBalancer | undefined, ids: Partial<Record<PoolRole, string>>): ZoneProblem[] {
    if (lb === undefined) return [];
    const used = new Set([...lb.defaultPools, ...(lb.fallbackPool ? [lb.fallbackPool] : [])]);
    if (Object.values(ids).some((id) => used.has(id))) return [];
    return [
        {
            key: `apps[${index}].lbHostname`,
            message: `the zone already has load balancer ${lb.name} (ID ${lb.id}), not the stack's (it uses none of its pools): \`pulumi up\` cannot create another of that name. Choose another lbHostname, or delete that load balancer once nothing uses it`,
        },
    ];
}

/**
 * What the zone's plan may refuse in the app's path rule, when Cloudflare
 * says the plan: a prefix is matched with `matches`, which the Rules
 * language gives Business and Enterprise plans only. The rule itself fits
 * every plan: non-Enterprise plans allow one rule per load balancer, and
 * the stack adds one (docs/paths.md).
 */
function planWarnings(app: AppConfig, index: number, zone: LiveZone): ZoneProblem[] {
    const prefixes = app.paths === undefined ? [] : listedPrefixes(app.paths);
    if (prefixes.length === 0 || zone.plan === undefined || REGEX_PLANS.includes(zone.plan)) return [];
    return [
        {
            key: `apps[${index}].paths`,
            message: `${prefixes.join(", ")} ${prefixes.length === 1 ? "is a prefix" : "are prefixes"}, which the load balancer rule matches with the regular-expression operator matches; Cloudflare's Rules language gives it to Business and Enterprise plans only, and this zone is on the ${zone.plan} plan, so \`pulumi up\` may be refused. List exact paths instead, or ask Cloudflare whether load balancer rules may use it on your plan`,
        },
    ];
}

/**
 * A proxied CNAME at the hostname pointing where the config routes it is what
 * `pulumi up` leaves, so once the stack has created its record preflight does
 * not take it for someone else's. (Preflight reads no Pulumi state, so an
 * identical record made by hand passes too: adopting it would change nothing.)
 */
function createdByTheStack(record: LiveRecord, app: AppConfig, config: StackConfig): boolean {
    return record.type === "CNAME" && record.proxied && record.content === cnameTarget(app, config.cequence.hostname);
}

function readiness(missing: PoolRole[], problems: ZoneProblem[], cequence: PoolVerdict | null, origin: PoolVerdict | null): { ready: boolean; reason: string | null } {
    const reasons = problems.map((problem) => `${problem.key}: ${problem.message}`);
    if (missing.length > 0) reasons.push(`no ${missing.join(" or ")} pool in Cloudflare: run \`pulumi up\` with routing: origin first`);
    const failing = [cequence, origin].filter((pool): pool is PoolVerdict => pool !== null && pool.healthy !== true);
    reasons.push(...failing.map((pool) => `${pool.pool}: ${failureText(pool)}`));
    return reasons.length === 0 ? { ready: true, reason: null } : { ready: false, reason: reasons.join("; ") };
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
 * so the preview answers for the config, even if the live monitor drifted;
 * with edge authentication, its header too, as the monitors send it.
 */
export function monitorBody(pool: PoolToPreview, auth?: ProbeAuthHeader) {
    const settings = pool.monitor;
    return {
        type: PROBE_PROTOCOL.type,
        method: PROBE_PROTOCOL.method,
        path: settings.path,
        ...(pool.port === undefined ? {} : { port: pool.port }),
        header: { Host: [pool.host], ...(auth ? { [auth.name]: [auth.value] } : {}) },
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
async function previewPool(read: CloudflareRead, config: StackConfig, pool: PoolToPreview, auth: ProbeAuthHeader | undefined, polling: Polling): Promise<PoolVerdict> {
    const started = await read.request({ action: `preview pool ${pool.name}`, scope: "account" }, (client, options) =>
        client.loadBalancers.pools.health.create(pool.id, { account_id: config.accountId, ...monitorBody(pool, auth) }, options),
    );
    const previewId = started.preview_id;
    if (!previewId) throw new CliError(`Cloudflare started no preview for pool ${pool.name} (its answer had no preview_id); try again.`);
    const deadline = Date.now() + polling.waitSeconds * 1000;
    for (;;) {
        const result = await read.request({ action: `read the preview of pool ${pool.name}`, scope: "account" }, (client, options) =>
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
            await sleep(polling.pollSeconds * 1000, undefined, { signal: read.signal });
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

    /**
     * @param missing Pools the config asks for that Cloudflare does not have:
     * they cannot be previewed, and a line of their own (never redrawn) says why.
     */
    start(total: number, missing: readonly string[]): void {
        this.total = total;
        const pools = (count: number) => `${count} pool${count === 1 ? "" : "s"}`;
        if (missing.length > 0) {
            this.io.stderr.write(
                `Cannot preview ${missing.length} of ${pools(total + missing.length)}: not in Cloudflare yet (${missing.join(", ")}), and Cloudflare previews only a pool that exists. ` +
                    "Run `pulumi up` with routing: origin first: it creates the pools and load balancers without cutting over. The zone's records are checked all the same.\n",
            );
        }
        if (total > 0) this.write(`Previewing ${pools(total)} with the configured monitors (Cloudflare probes from several regions)…`);
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

function renderVerdicts(stack: string, account: AccountVerdict, verdicts: AppVerdict[]): string {
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
    const warnings = [...account.warnings, ...verdicts.flatMap((verdict) => verdict.warnings)];
    if (warnings.length > 0) lines.push("", ...warnings.map((warning) => `warning: ${warning.key}: ${warning.message}`));
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
