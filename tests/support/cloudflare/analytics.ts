/**
 * The stand-in's analytics: the GraphQL Analytics API (POST /graphql), answered
 * from ./analytics.graphql, and the load-balancing health events
 * (GET /user/load_balancing_analytics/events). Neither is in the OpenAPI
 * subset: the GraphQL API has no OpenAPI description at all, and the subset
 * lacks the health-events operation, so each is checked here on its own,
 * against a schema that cites its public source, and a request outside it
 * fails the test (the stand-in's `violations`). A test scripts what
 * Cloudflare would have recorded through {@link analyticsOf}:
 *
 *     const analytics = analyticsOf(standIn.state);
 *     analytics.traffic.push({ zoneId, lbName, pool, at, count, sampleInterval? });
 *     analytics.events.push(healthEvent(pool, at, healthy));
 *     analytics.limits = { …, notOlderThan: 86_400 } | null   // null: the plan has no such dataset
 *     analytics.authorized = false                             // the token lacks Analytics Read
 */
import { readFileSync } from "node:fs";
import * as path from "node:path";
import Ajv2019 from "ajv/dist/2019";
import addFormats from "ajv-formats";
import { buildSchema, execute, parse, validate, type FieldNode, type GraphQLResolveInfo } from "graphql";
import { success, type Answer, type Call } from "./answers";
import { keptBeside, type CloudflareState, type Pool } from "./store";

/** One group of requests Cloudflare recorded: `count` requests of one load balancer to one pool, at one time. */
export interface TrafficRecord {
    zoneId: string;
    lbName: string;
    /** The selected pool's name. */
    pool: string;
    at: number;
    count: number;
    /** Adaptive sampling: one request kept in this many (1, the default: none sampled). */
    sampleInterval?: number;
    coloCode?: string;
}

/** What the `settings` node reports for the dataset ([SET] in analytics.graphql). */
export interface DatasetSettings {
    enabled: boolean;
    maxPageSize: number;
    maxNumberOfFields: number;
    notOlderThan: number;
    maxDuration: number;
}

/**
 * Defaults: the example figures of Cloudflare's settings page (maxPageSize
 * 10,000, notOlderThan 2,678,400 s = 31 days, maxNumberOfFields 30) and a
 * maxDuration of 31 days too; a zone's real figures depend on its plan and
 * come from the settings node, which is why coverage reads them.
 */
export const DEFAULT_SETTINGS: Readonly<DatasetSettings> = Object.freeze({ enabled: true, maxPageSize: 10_000, maxNumberOfFields: 30, notOlderThan: 2_678_400, maxDuration: 2_678_400 });

export interface HealthEvent {
    id: number;
    timestamp: string;
    pool: { id: string; name: string; healthy: boolean; changed: boolean; minimum_origins: number };
    origins: Array<{ name: string; address: string; ip: string; enabled: boolean; healthy: boolean; failure_reason: string; changed: boolean }>;
}

export class Analytics {
    readonly traffic: TrafficRecord[] = [];
    readonly events: HealthEvent[] = [];
    /** null: the zone's plan has no load-balancing analytics (the settings node has no such dataset). */
    limits: DatasetSettings | null = { ...DEFAULT_SETTINGS };
    /** False: the token may not read analytics (403, as Cloudflare's error page words it). */
    authorized = true;
    /** The clock the retention limit is measured from. */
    now: () => number = Date.now;
}

const ANALYTICS = new WeakMap<CloudflareState, Analytics>();

export function analyticsOf(state: CloudflareState): Analytics {
    return keptBeside(ANALYTICS, state, () => new Analytics());
}

/** A health event of the pool as Cloudflare logs one: the pool's new state, its one origin with it. */
export function healthEvent(pool: Pool, at: number, healthy: boolean, id = at): HealthEvent {
    const origin = pool.origins[0];
    return {
        id,
        timestamp: new Date(at).toISOString(),
        pool: { id: pool.id, name: pool.name, healthy, changed: true, minimum_origins: 1 },
        origins: origin
            ? [{ name: origin.name, address: origin.address, ip: origin.address, enabled: true, healthy, failure_reason: healthy ? "No failures" : "HTTP timeout occurred", changed: true }]
            : [],
    };
}

const SCHEMA = buildSchema(readFileSync(path.join(__dirname, "analytics.graphql"), "utf8"));

/** A query Cloudflare would refuse: the stand-in fails the test (recorded as a violation), so the tool cannot rely on a field Cloudflare lacks. */
class OutsideSchema extends Error {}

interface GraphQlBody {
    query?: unknown;
    variables?: unknown;
}

type Filter = Record<string, unknown>;

const TIME_FIELDS = new Set(["datetime"]);

function value(record: TrafficRecord, field: string): string | number | undefined {
    switch (field) {
        case "datetime":
            return record.at;
        case "lbName":
            return record.lbName;
        case "selectedPoolName":
            return record.pool;
        case "coloCode":
            return record.coloCode ?? "IAD";
        default:
            throw new OutsideSchema(`the stand-in cannot filter on ${field}`);
    }
}

/** [FLT]'s grammar: `k: v`, `k_op: v`, `AND: [...]`, `OR: [...]`, all of an object's keys together. */
function matches(record: TrafficRecord, filter: Filter | null | undefined): boolean {
    if (!filter) return true;
    return Object.entries(filter).every(([key, wanted]) => {
        if (wanted === undefined || wanted === null) return true;
        if (key === "AND") return (wanted as Filter[]).every((f) => matches(record, f));
        if (key === "OR") return (wanted as Filter[]).some((f) => matches(record, f));
        const [field, op = "eq"] = key.split("_") as [string, string?];
        const actual = value(record, field);
        const convert = (v: unknown) => (TIME_FIELDS.has(field) ? Date.parse(String(v)) : (v as string));
        const expected = Array.isArray(wanted) ? wanted.map(convert) : convert(wanted);
        switch (op) {
            case "eq":
                return actual === expected;
            case "neq":
                return actual !== expected;
            case "in":
                return (expected as unknown[]).includes(actual);
            case "gt":
                return actual! > expected!;
            case "lt":
                return actual! < expected!;
            case "geq":
                return actual! >= expected!;
            case "leq":
                return actual! <= expected!;
            default:
                throw new OutsideSchema(`the stand-in has no operator ${op}`);
        }
    });
}

/** The top-level time bounds of a filter, to apply the dataset's limits as Cloudflare does. */
function timeBounds(filter: Filter | null | undefined): { since?: number; until?: number } {
    const since = filter?.datetime_geq ?? filter?.datetime_gt;
    const until = filter?.datetime_lt ?? filter?.datetime_leq;
    return { since: since === undefined ? undefined : Date.parse(String(since)), until: until === undefined ? undefined : Date.parse(String(until)) };
}

/** Cloudflare's refusal of a query beyond the dataset's limits, worded as its error page gives them. */
class LimitExceeded extends Error {}

function dimensionsAsked(info: GraphQLResolveInfo): string[] {
    const node = info.fieldNodes[0]!.selectionSet?.selections.find((s): s is FieldNode => s.kind === "Field" && s.name.value === "dimensions");
    return (node?.selectionSet?.selections ?? []).flatMap((s) => (s.kind === "Field" ? [s.name.value] : []));
}

const DIMENSION: Record<string, (r: TrafficRecord) => unknown> = {
    lbName: (r) => r.lbName,
    selectedPoolName: (r) => r.pool,
    coloCode: (r) => r.coloCode ?? "IAD",
    datetime: (r) => new Date(r.at).toISOString(),
    datetimeFifteenMinutes: (r) => new Date(Math.floor(r.at / 900_000) * 900_000).toISOString(),
};

/** One group: the sampled rows, scaled back up, with a normal-approximation interval as Cloudflare's confidence gives one. */
function group(records: TrafficRecord[], dimensions: Record<string, unknown>) {
    let estimate = 0;
    let sampleSize = 0;
    let variance = 0;
    for (const record of records) {
        const interval = record.sampleInterval ?? 1;
        const rows = Math.round(record.count / interval);
        estimate += rows * interval;
        sampleSize += rows;
        if (interval > 1) variance += rows * interval * (interval - 1);
    }
    const margin = 1.96 * Math.sqrt(variance);
    return {
        count: estimate,
        dimensions,
        avg: { sampleInterval: sampleSize === 0 ? 1 : estimate / sampleSize },
        confidence: () => ({ count: { estimate, lower: Math.max(sampleSize, estimate - margin), upper: estimate + margin, sampleSize } }),
    };
}

function zoneRoot(analytics: Analytics, zoneId: string) {
    return {
        settings: () => ({ loadBalancingRequestsAdaptiveGroups: analytics.limits && { ...analytics.limits, availableFields: Object.keys(DIMENSION).map((d) => `dimensions_${d}`) } }),
        loadBalancingRequestsAdaptiveGroups: (args: { limit: number; filter?: Filter }, _context: unknown, info: GraphQLResolveInfo) => {
            const limits = analytics.limits;
            if (!limits || !limits.enabled) throw new LimitExceeded("zone does not have access to the path");
            if (args.limit <= 0 || args.limit > limits.maxPageSize) throw new LimitExceeded(`limit must be positive number and not greater than ${limits.maxPageSize}`);
            const { since, until } = timeBounds(args.filter);
            if (since === undefined || until === undefined) throw new LimitExceeded("a time range is required (datetime_geq and datetime_lt)");
            if (since < analytics.now() - limits.notOlderThan * 1000) throw new LimitExceeded(`cannot request data older than ${limits.notOlderThan}s`);
            if (until - since > limits.maxDuration * 1000) throw new LimitExceeded(`query time range is too large: it cannot be more than ${limits.maxDuration}s`);
            const asked = dimensionsAsked(info);
            const groups = new Map<string, TrafficRecord[]>();
            for (const record of analytics.traffic) {
                if (record.zoneId !== zoneId || !matches(record, args.filter)) continue;
                const key = JSON.stringify(asked.map((d) => DIMENSION[d]!(record)));
                groups.set(key, [...(groups.get(key) ?? []), record]);
            }
            return [...groups.values()].slice(0, args.limit).map((records) => group(records, Object.fromEntries(asked.map((d) => [d, DIMENSION[d]!(records[0]!)]))));
        },
    };
}

/** POST /graphql: validated against ./analytics.graphql, executed on the scripted traffic. */
export function answerGraphQl(call: Call): Answer {
    const analytics = analyticsOf(call.state);
    const body = (call.body ?? {}) as GraphQlBody;
    if (typeof body.query !== "string") throw new OutsideSchema("a GraphQL request without a query string");
    const document = parse(body.query);
    const errors = validate(SCHEMA, document);
    if (errors.length > 0) throw new OutsideSchema(`GraphQL query outside analytics.graphql: ${errors.map((e) => e.message).join("; ")}`);
    const variables = (body.variables ?? {}) as Record<string, unknown>;
    const zoneIds = (filter: { zoneTag?: string; zoneTag_in?: string[] } | undefined) => (filter?.zoneTag_in ?? (filter?.zoneTag ? [filter.zoneTag] : call.state.zones.map((z) => z.id)));
    const timestamp = new Date().toISOString();
    if (!analytics.authorized) {
        const zones = zoneIds({ zoneTag: variables.zoneTag as string | undefined });
        return { status: 403, body: { data: null, errors: [{ message: `zones ${JSON.stringify(zones)} are not authorized`, path: ["viewer", "zones"], extensions: { timestamp } }] } };
    }
    const root = {
        viewer: () => ({
            zones: (args: { filter?: { zoneTag?: string; zoneTag_in?: string[] } }) => zoneIds(args.filter).filter((id) => call.state.zone(id)).map((id) => zoneRoot(analytics, id)),
        }),
    };
    const result = execute({ schema: SCHEMA, document, rootValue: root, variableValues: variables }) as { data?: unknown; errors?: ReadonlyArray<{ message: string; path?: ReadonlyArray<string | number>; originalError?: unknown }> };
    if (result.errors && result.errors.length > 0) {
        const outside = result.errors.find((e) => !(e.originalError instanceof LimitExceeded));
        if (outside) throw new OutsideSchema(`GraphQL query failed in the stand-in: ${outside.message}`);
        // Cloudflare's dataset-limit errors: HTTP 400, data null (analytics/graphql-api/errors.mdx).
        return { status: 400, body: { data: null, errors: result.errors.map((e) => ({ message: e.message, path: e.path ?? [], extensions: { timestamp } })) } };
    }
    return { status: 200, body: { data: result.data as Record<string, unknown>, errors: null } };
}

/**
 * The 200 answer of "List Healthcheck Events"
 * (`load-balancer-healthcheck-events-list-healthcheck-events`), NOT from the
 * OpenAPI subset, which lacks the operation: written from Cloudflare's
 * public schema, cloudflare/api-schemas openapi.json at c92b9b0fde23ae00fece2025662f96dc8e2d6283,
 * `load-balancing_components-schemas-response_collection` (the common
 * envelope with `result`: an array of `load-balancing_analytics`: `id`
 * integer, `origins` array, `pool` object, `timestamp` date-time), and the
 * operation's query parameters (`since`, `until`, `pool_id`, `pool_name`,
 * `pool_healthy`, `origin_name`, `origin_healthy`). The `pool` object's
 * fields are the schema's example (`id`, `name`, `healthy`, `changed`,
 * `minimum_origins`), also shown by developers.cloudflare.com/load-balancing/reference/load-balancing-analytics/.
 */
const EVENTS_PARAMETERS = new Set(["since", "until", "pool_id", "pool_name", "pool_healthy", "origin_name", "origin_healthy"]);

const EVENTS_RESPONSE = {
    type: "object",
    required: ["success", "errors", "messages", "result"],
    properties: {
        success: { const: true },
        errors: { type: "array" },
        messages: { type: "array" },
        result_info: {
            type: "object",
            properties: { page: { type: "number" }, per_page: { type: "number" }, count: { type: "number" }, total_count: { type: "number" } },
        },
        result: {
            type: "array",
            items: {
                type: "object",
                additionalProperties: false,
                properties: {
                    id: { type: "integer" },
                    origins: { type: "array", items: { type: "object" } },
                    pool: { type: "object" },
                    timestamp: { type: "string", format: "date-time" },
                },
            },
        },
    },
};

const ajv = new Ajv2019({ strict: false, allErrors: true });
addFormats(ajv);
const validateEvents = ajv.compile(EVENTS_RESPONSE);

/** GET /user/load_balancing_analytics/events: the account's events, filtered as the query asks. */
export function answerHealthEvents(call: Call): Answer {
    const unknown = [...call.query.keys()].filter((key) => !EVENTS_PARAMETERS.has(key));
    if (unknown.length > 0) throw new OutsideSchema(`query parameters the operation does not have: ${unknown.join(", ")}`);
    const since = call.query.get("since");
    const until = call.query.get("until");
    const bool = (name: string) => (call.query.get(name) === null ? undefined : call.query.get(name) === "true");
    const accountPools = new Set(call.state.accounts.flatMap((account) => account.pools.map((pool) => pool.id)));
    const events = analyticsOf(call.state).events.filter((event) => {
        const at = Date.parse(event.timestamp);
        return (
            accountPools.has(event.pool.id) &&
            (since === null || at >= Date.parse(since)) &&
            (until === null || at <= Date.parse(until)) &&
            (call.query.get("pool_id") === null || event.pool.id === call.query.get("pool_id")) &&
            (call.query.get("pool_name") === null || event.pool.name === call.query.get("pool_name")) &&
            (bool("pool_healthy") === undefined || event.pool.healthy === bool("pool_healthy"))
        );
    });
    const answer = success(events, { result_info: { page: 1, per_page: events.length, count: events.length, total_count: events.length } });
    if (!validateEvents(answer.body)) throw new OutsideSchema(`health events answer outside Cloudflare's schema: ${ajv.errorsText(validateEvents.errors)}`);
    return answer;
}

/** The routes, for standIn.ts: outside the OpenAPI subset, so listed apart. */
export const ANALYTICS_ROUTES = [
    { method: "post", template: "/graphql", operationId: "graphql-analytics", handle: answerGraphQl },
    { method: "get", template: "/user/load_balancing_analytics/events", operationId: "load-balancer-healthcheck-events-list-healthcheck-events", handle: answerHealthEvents },
] as const;
