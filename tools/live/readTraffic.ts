/**
 * What `coverage` reads beyond the deployment: the zone's load-balancing
 * analytics from Cloudflare's GraphQL Analytics API (one query per zone and
 * window piece, every app at once), and each Cequence pool's health events.
 * Field and parameter names are Cloudflare's documented ones
 * (docs/coverage.md lists the sources); the stand-in refuses any other.
 */
import type { CloudflareRead } from "./cloudflareSession";
import { CliError } from "./cliError";
import { addEstimates, splitRange, ZERO, type Estimate, type FailOpenWindow, type HealthChange, type TimeRange } from "./coverageArithmetic";

/** The dataset, by its node name in the GraphQL schema. */
export const LB_DATASET = "loadBalancingRequestsAdaptiveGroups";

/** The confidence level asked of Cloudflare for every count. */
export const CONFIDENCE_LEVEL = 0.95;

/** The permission the GraphQL Analytics API needs for a zone-scoped query, as the dashboard names it. */
export const ANALYTICS_PERMISSION = "Zone · Analytics · Read";

const GRAPHQL = { action: `query load-balancing analytics through the GraphQL Analytics API (the token needs ${ANALYTICS_PERMISSION})`, scope: "zone" } as const;

/** What the zone's plan allows of the dataset (the `settings` node). */
export interface DatasetLimits {
    enabled: boolean;
    /** Seconds: the widest time range one query may ask for. */
    maxDuration: number;
    /** Seconds: how far back a query may read. */
    notOlderThan: number;
    /** Rows one query may return. */
    maxPageSize: number;
}

interface GraphQlAnswer {
    data?: { viewer?: { zones?: Array<Record<string, unknown>> | null } | null } | null;
    errors?: Array<{ message?: string }> | null;
}

/** Sends one GraphQL query; an answer with `errors` is a failure that says what Cloudflare said, and names the permission when it is one. */
async function query(read: CloudflareRead, zoneId: string, text: string, variables: Record<string, unknown>): Promise<Record<string, unknown>> {
    const answer = await read.request(GRAPHQL, (client, options) => client.post<GraphQlAnswer>("/graphql", { body: { query: text, variables: { zoneTag: zoneId, ...variables } }, ...options }));
    const messages = (answer.errors ?? []).map((error) => error.message ?? "no message");
    if (messages.length > 0) {
        const refused = messages.some((message) => /not authorized|does not have access|unauthorized/i.test(message));
        throw new CliError(
            refused
                ? `The API token may not read the zone's analytics (Cloudflare said: ${messages.join("; ")}). Add the permission "${ANALYTICS_PERMISSION}" for zone ${zoneId} to the token.`
                : `Cloudflare's GraphQL Analytics API refused the query: ${messages.join("; ")}`,
        );
    }
    const zone = answer.data?.viewer?.zones?.[0];
    if (!zone) throw new CliError(`Cloudflare's GraphQL Analytics API returned no data for zone ${zoneId}: check zoneId and that the token may read its analytics ("${ANALYTICS_PERMISSION}").`);
    return zone;
}

const LIMITS_QUERY = `query CoverageLimits($zoneTag: string!) {
  viewer {
    zones(filter: {zoneTag: $zoneTag}) {
      settings {
        ${LB_DATASET} { enabled maxDuration notOlderThan maxPageSize }
      }
    }
  }
}`;

/** The dataset's limits for the zone; undefined when the plan has no such node (no load-balancing analytics). */
export async function readLimits(read: CloudflareRead, zoneId: string): Promise<DatasetLimits | undefined> {
    const zone = await query(read, zoneId, LIMITS_QUERY, {});
    const settings = (zone.settings as Record<string, DatasetLimits | null> | null | undefined)?.[LB_DATASET];
    return settings ?? undefined;
}

/** An app with `paths` whose origin requests inside the Cequence pool's fail-open windows are counted apart: they may be its listed paths failing open. */
export interface PathWindows {
    lbName: string;
    originPool: string;
    windows: readonly FailOpenWindow[];
}

interface Group {
    count?: number;
    dimensions?: { lbName?: string; selectedPoolName?: string };
    confidence?: { count?: { estimate?: number; lower?: number; upper?: number; sampleSize?: number } | null } | null;
}

function literal(value: string): string {
    return JSON.stringify(value);
}

/** A filter on [since, until) as Cloudflare's datetime operators put it. */
function between(range: TimeRange): string {
    return `datetime_geq: ${literal(new Date(range.since).toISOString())}, datetime_lt: ${literal(new Date(range.until).toISOString())}`;
}

/** One query of the dataset over one piece of the window, its rows grouped by `dimensions`. */
function groupsQuery(filter: string, dimensions: string, limit: number): string {
    return `query Coverage($zoneTag: string!) {
  viewer {
    zones(filter: {zoneTag: $zoneTag}) {
      ${LB_DATASET}(limit: ${limit}, filter: {${filter}}) {
        count
        confidence(level: ${CONFIDENCE_LEVEL}) { count { estimate lower upper sampleSize } }
        dimensions { ${dimensions} }
      }
    }
  }
}`;
}

/** Every load balancer's requests by selected pool, over one piece of the window. */
export function byPoolQuery(lbNames: readonly string[], piece: TimeRange, limit: number): string {
    return groupsQuery(`${between(piece)}, lbName_in: [${lbNames.map(literal).join(", ")}]`, "lbName selectedPoolName", limit);
}

/** Each paths app's origin requests inside its windows (cut to the piece); undefined when no window falls in the piece. */
export function originInWindowsQuery(apps: readonly PathWindows[], piece: TimeRange, limit: number): string | undefined {
    const terms = apps.flatMap((app) => {
        const windows = app.windows.flatMap((w) => {
            const cut = { since: Math.max(w.start, piece.since), until: Math.min(w.end, piece.until) };
            return cut.since < cut.until ? [`{${between(cut)}}`] : [];
        });
        return windows.length === 0 ? [] : [`{lbName: ${literal(app.lbName)}, selectedPoolName: ${literal(app.originPool)}, OR: [${windows.join(", ")}]}`];
    });
    return terms.length === 0 ? undefined : groupsQuery(`${between(piece)}, OR: [${terms.join(", ")}]`, "lbName", limit);
}

/** A group's count as an estimate: Cloudflare's confidence interval when it gives one, else the count as exact. */
function estimateOf(group: Group): Estimate {
    const count = group.count ?? 0;
    const confidence = group.confidence?.count;
    if (!confidence || confidence.estimate === undefined) return { estimate: count, lower: count, upper: count, sampleSize: count };
    return { estimate: confidence.estimate, lower: confidence.lower ?? confidence.estimate, upper: confidence.upper ?? confidence.estimate, sampleSize: confidence.sampleSize ?? count };
}

/**
 * Runs a query per piece of the window, each at most `limits.maxDuration`
 * wide (one piece unless the window is wider than a query may ask), and
 * returns every group. A piece that fills the page could have lost rows, so
 * it is refused rather than under-counted.
 */
async function groupsOver(read: CloudflareRead, zoneId: string, range: TimeRange, limits: DatasetLimits, queryFor: (piece: TimeRange) => string | undefined): Promise<Group[]> {
    const texts = splitRange(range, limits.maxDuration * 1000).flatMap((piece) => queryFor(piece) ?? []);
    const answers = await Promise.all(texts.map((text) => query(read, zoneId, text, {})));
    return answers.flatMap((zone) => {
        const groups = (zone[LB_DATASET] ?? []) as Group[];
        if (groups.length >= limits.maxPageSize) {
            throw new CliError(
                `Cloudflare's answer filled its page of ${limits.maxPageSize} rows, so some load balancers' requests could be missing; run coverage over fewer apps (a stack per group of apps) or a shorter window.`,
            );
        }
        return groups;
    });
}

/** Requests per load balancer (by name) and selected pool (by name) over the window. */
export async function readTraffic(read: CloudflareRead, zoneId: string, lbNames: readonly string[], range: TimeRange, limits: DatasetLimits): Promise<Map<string, Map<string, Estimate>>> {
    const byPool = new Map<string, Map<string, Estimate>>();
    if (lbNames.length === 0) return byPool;
    for (const group of await groupsOver(read, zoneId, range, limits, (piece) => byPoolQuery(lbNames, piece, limits.maxPageSize))) {
        const lb = group.dimensions?.lbName ?? "";
        const pool = group.dimensions?.selectedPoolName ?? "";
        const pools = byPool.get(lb) ?? new Map<string, Estimate>();
        pools.set(pool, addEstimates(pools.get(pool) ?? ZERO, estimateOf(group)));
        byPool.set(lb, pools);
    }
    return byPool;
}

/** Per load balancer, its origin requests inside its Cequence pool's fail-open windows (no request when no app has a window). */
export async function readOriginInWindows(read: CloudflareRead, zoneId: string, apps: readonly PathWindows[], range: TimeRange, limits: DatasetLimits): Promise<Map<string, Estimate>> {
    const counts = new Map<string, Estimate>();
    for (const group of await groupsOver(read, zoneId, range, limits, (piece) => originInWindowsQuery(apps, piece, limits.maxPageSize))) {
        const lb = group.dimensions?.lbName ?? "";
        counts.set(lb, addEstimates(counts.get(lb) ?? ZERO, estimateOf(group)));
    }
    return counts;
}

/** The path of Cloudflare's health-events operation ("List Healthcheck Events"). */
export const HEALTH_EVENTS_PATH = "/user/load_balancing_analytics/events";

interface HealthEvent {
    timestamp?: string;
    pool?: { id?: string; healthy?: boolean } | null;
}

interface HealthEventsAnswer {
    result?: HealthEvent[] | null;
    result_info?: { count?: number; total_count?: number } | null;
}

/**
 * The pool's health changes from `since` to `until` (coverage asks up to
 * now: an event after the window tells the state at its end), filtered by `pool_id`
 * (the operation's documented parameters). Cloudflare documents no paging
 * parameters for it; when its `result_info` says it holds more events than
 * it sent, the read is refused rather than shown with windows missing.
 */
export async function readHealthChanges(read: CloudflareRead, pool: { id: string; name: string }, range: TimeRange): Promise<HealthChange[]> {
    const answer = await read.request({ action: `list the health events of pool ${pool.name}`, scope: "account" }, (client, options) =>
        client.get<HealthEventsAnswer>(HEALTH_EVENTS_PATH, {
            query: { pool_id: pool.id, since: new Date(range.since).toISOString(), until: new Date(range.until).toISOString() },
            ...options,
        }),
    );
    const events = answer.result ?? [];
    const total = answer.result_info?.total_count;
    if (total !== undefined && total > events.length) {
        throw new CliError(`Cloudflare holds ${total} health events of pool ${pool.name} in the window and sent ${events.length}; run coverage over a shorter window so that none is missed.`);
    }
    return events.flatMap((event) => {
        const at = Date.parse(event.timestamp ?? "");
        const healthy = event.pool?.healthy;
        return Number.isNaN(at) || typeof healthy !== "boolean" || (event.pool?.id !== undefined && event.pool.id !== pool.id) ? [] : [{ at, healthy }];
    });
}
