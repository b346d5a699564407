/**
 * A stand-in for the part of Cloudflare's API that `status` and `preflight`
 * read, on 127.0.0.1. Every response body it sends is first validated against
 * Cloudflare's own OpenAPI schema (../shared/cloudflare-openapi), and so is
 * every request body it receives; a mismatch is recorded in `violations`,
 * which each test asserts empty, so a stand-in that drifts from the real API
 * fails the tests instead of flattering the tools.
 *
 * Schema quirk: each operation's "4XX" schema is `allOf` the success envelope
 * (`success: true`, `result` non-null) and the failure envelope
 * (`success: false`, `result: null`), which no body satisfies. Error bodies
 * are validated against the failure member of that `allOf`.
 */
import { readFileSync } from "node:fs";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import * as path from "node:path";
import Ajv, { type ValidateFunction } from "ajv";
import addFormats from "ajv-formats";

const OPENAPI_FILE = path.resolve(__dirname, "../../../shared/cloudflare-openapi/cloudflare-lb-subset.openapi.json");
const API_PREFIX = "/client/v4";

type Json = Record<string, unknown>;

interface OpenApiOperation {
    requestBody?: { content: { "application/json": { schema: Json } } };
    responses: Record<string, { content?: { "application/json"?: { schema: Json } } }>;
}

const spec = JSON.parse(readFileSync(OPENAPI_FILE, "utf8")) as { paths: Record<string, Record<string, OpenApiOperation>> };
const ajv = new Ajv({ strict: false, allErrors: true });
addFormats(ajv);
ajv.addSchema(spec, "cloudflare");

function pointer(...parts: string[]): string {
    return `cloudflare#/${parts.map((part) => encodeURIComponent(part.replace(/~/g, "~0").replace(/\//g, "~1"))).join("/")}`;
}

const validators = new Map<string, ValidateFunction>();

function validatorAt(schemaPointer: string): ValidateFunction {
    let validate = validators.get(schemaPointer);
    if (!validate) {
        validate = ajv.getSchema(schemaPointer);
        if (!validate) throw new Error(`no schema at ${schemaPointer}`);
        validators.set(schemaPointer, validate);
    }
    return validate;
}

/** The schema pointer a response with this status must satisfy (see the quirk above for 4xx). */
function responseSchemaPointer(method: string, template: string, status: number): string {
    const operation = spec.paths[template]![method]!;
    const jsonSchema = (key: string) => pointer("paths", template, method, "responses", key, "content", "application/json", "schema");
    if (status < 400) return jsonSchema("200");
    const failure = operation.responses["4XX"]!.content!["application/json"]!.schema;
    const members = (failure.allOf as Array<{ $ref?: string }> | undefined) ?? [];
    const failureIndex = members.findIndex((member) => member.$ref?.endsWith("api-response-common-failure"));
    return failureIndex === -1 ? jsonSchema("4XX") : `${jsonSchema("4XX")}/allOf/${failureIndex}`;
}

// ------------------------------------------------------------------ state

export interface StandInPool {
    id: string;
    name: string;
    enabled: boolean;
    /** The attached monitor's ID; undefined when detached. */
    monitor: string | undefined;
    address: string;
    /** Health per checking region, as GET …/health reports it. */
    regions: Record<string, boolean>;
    /** What a preview of this pool finds. */
    preview: PreviewOutcome;
}

export interface PreviewOutcome {
    healthy: boolean;
    failureReason: string;
    responseCode: number;
}

export interface StandInLoadBalancer {
    id: string;
    name: string;
    defaultPools: string[];
    fallbackPool: string;
    steeringPolicy: string;
}

export interface StandInRecord {
    id: string;
    name: string;
    type: "CNAME" | "A";
    content: string;
}

export interface StandInState {
    accountId: string;
    zoneId: string;
    pools: StandInPool[];
    loadBalancers: StandInLoadBalancer[];
    records: StandInRecord[];
}

/** How the stand-in misbehaves, to exercise the tools' error paths. */
export interface StandInBehaviour {
    /** Answer every request with this auth failure. */
    refuse?: 401 | 403;
    /** Answer this many requests with 429 before serving normally. */
    rateLimitFirst?: number;
    /** The Retry-After (seconds) sent with a 429. */
    retryAfterSeconds?: string;
    /** Accept requests and never answer. */
    hang?: boolean;
    /** GET preview results answer "still running" this many times per preview first. */
    pendingPolls?: number;
}

export interface ServedRequest {
    method: string;
    path: string;
    status: number;
    authorization: string | undefined;
}

interface Route {
    method: "get" | "post";
    template: string;
    pattern: RegExp;
    handle: (params: string[], body: unknown, url: URL) => { status: number; body: Json };
}

const success = (result: unknown, extra: Json = {}): { status: number; body: Json } => ({
    status: 200,
    body: { success: true, errors: [], messages: [], result, ...extra },
});

const failure = (status: number, code: number, message: string): { status: number; body: Json } => ({
    status,
    body: { success: false, errors: [{ code, message }], messages: [], result: null },
});

const TIMESTAMP = "2024-08-06T10:00:00.000000Z";

export class CloudflareStandIn {
    readonly violations: string[] = [];
    readonly served: ServedRequest[] = [];
    behaviour: StandInBehaviour = {};
    private server: Server | undefined;
    private readonly previews = new Map<string, { poolId: string; polls: number }>();
    private readonly routes: Route[];

    constructor(public state: StandInState) {
        this.routes = [
            this.route("get", "/accounts/{account_id}/load_balancers/pools", ([account]) =>
                this.inAccount(account, () => success(this.state.pools.map(poolJson), { result_info: resultInfo(this.state.pools.length) })),
            ),
            this.route("get", "/accounts/{account_id}/load_balancers/pools/{pool_id}/health", ([account, poolId]) =>
                this.inAccount(account, () => this.withPool(poolId!, (pool) => success(healthJson(pool)))),
            ),
            this.route("post", "/accounts/{account_id}/load_balancers/pools/{pool_id}/preview", ([account, poolId]) =>
                this.inAccount(account, () =>
                    this.withPool(poolId!, (pool) => {
                        const previewId = `preview${String(this.previews.size + 1).padStart(25, "0")}`;
                        this.previews.set(previewId, { poolId: pool.id, polls: 0 });
                        return success({ preview_id: previewId, pools: { [pool.id]: pool.name } });
                    }),
                ),
            ),
            this.route("get", "/accounts/{account_id}/load_balancers/preview/{preview_id}", ([account, previewId]) =>
                this.inAccount(account, () => {
                    const preview = this.previews.get(previewId!);
                    if (!preview) return failure(404, 1002, "Preview not found");
                    preview.polls += 1;
                    if (preview.polls <= (this.behaviour.pendingPolls ?? 0)) return success({});
                    const pool = this.state.pools.find((p) => p.id === preview.poolId)!;
                    return success({ [pool.id]: previewJson(pool) });
                }),
            ),
            this.route("get", "/zones/{zone_id}/load_balancers", ([zone]) =>
                this.inZone(zone, () => success(this.state.loadBalancers.map(loadBalancerJson))),
            ),
            this.route("get", "/zones/{zone_id}/dns_records", ([zone], _body, url) =>
                this.inZone(zone, () => {
                    const name = url.searchParams.get("name.exact") ?? url.searchParams.get("name");
                    const page = Number(url.searchParams.get("page") ?? "1");
                    const records = page === 1 ? this.state.records.filter((r) => name === null || r.name === name) : [];
                    return success(records.map((r) => recordJson(r, this.state.zoneId)), { result_info: resultInfo(records.length) });
                }),
            ),
        ];
    }

    /** The base URL to put in CLOUDFLARE_BASE_URL. */
    get baseUrl(): string {
        const address = this.server?.address() as AddressInfo | null | undefined;
        if (!address) throw new Error("the stand-in is not listening");
        return `http://127.0.0.1:${address.port}${API_PREFIX}`;
    }

    async start(): Promise<void> {
        this.server = createServer((request, response) => void this.serve(request, response));
        await new Promise<void>((resolve) => this.server!.listen(0, "127.0.0.1", resolve));
    }

    async stop(): Promise<void> {
        const server = this.server;
        if (!server) return;
        server.closeAllConnections();
        await new Promise<void>((resolve) => server.close(() => resolve()));
    }

    private route(method: Route["method"], template: string, handle: Route["handle"]): Route {
        if (!spec.paths[template]?.[method]) throw new Error(`the OpenAPI subset has no ${method.toUpperCase()} ${template}`);
        const pattern = new RegExp(`^${template.replace(/\{[a-z_]+\}/g, "([^/]+)")}$`);
        return { method, template, pattern, handle };
    }

    private inAccount(accountId: string | undefined, answer: () => { status: number; body: Json }) {
        return accountId === this.state.accountId ? answer() : failure(404, 7003, "Could not route to /accounts/…, perhaps your object identifier is invalid?");
    }

    private inZone(zoneId: string | undefined, answer: () => { status: number; body: Json }) {
        return zoneId === this.state.zoneId ? answer() : failure(404, 7003, "Could not route to /zones/…, perhaps your object identifier is invalid?");
    }

    private withPool(poolId: string, answer: (pool: StandInPool) => { status: number; body: Json }) {
        const pool = this.state.pools.find((p) => p.id === poolId);
        return pool ? answer(pool) : failure(404, 1002, "Pool not found");
    }

    private async serve(request: IncomingMessage, response: ServerResponse): Promise<void> {
        const text = await readBody(request);
        if (this.behaviour.hang) return;
        const url = new URL(request.url ?? "/", "http://127.0.0.1");
        const method = (request.method ?? "GET").toLowerCase();
        const route = this.routes.find((r) => r.method === method && r.pattern.test(url.pathname.slice(API_PREFIX.length)));
        if (!url.pathname.startsWith(API_PREFIX) || !route) {
            this.violations.push(`${method.toUpperCase()} ${url.pathname}: not an operation of the OpenAPI subset`);
            this.send(request, response, url, 404, { success: false, errors: [{ code: 7000, message: "No route for that URI" }], messages: [], result: null });
            return;
        }
        const body: unknown = text === "" ? undefined : JSON.parse(text);
        this.checkRequestBody(route, body);
        const answer = this.answer(request, route, body, url);
        const schemaPointer = responseSchemaPointer(route.method, route.template, answer.status);
        const validate = validatorAt(schemaPointer);
        if (!validate(answer.body)) {
            this.violations.push(`${route.method.toUpperCase()} ${route.template} ${answer.status}: ${ajv.errorsText(validate.errors)}`);
        }
        this.send(request, response, url, answer.status, answer.body, answer.headers);
    }

    private answer(request: IncomingMessage, route: Route, body: unknown, url: URL): { status: number; body: Json; headers?: Record<string, string> } {
        if (this.behaviour.refuse === 401 || request.headers.authorization === undefined) return failure(401, 10000, "Authentication error");
        if (this.behaviour.refuse === 403) return failure(403, 10000, "Authentication error");
        const limited = this.served.filter((s) => s.status === 429).length;
        if (limited < (this.behaviour.rateLimitFirst ?? 0)) {
            return {
                ...failure(429, 10429, "Rate limited. Please wait and consider throttling your request speed"),
                headers: { "retry-after": this.behaviour.retryAfterSeconds ?? "1" },
            };
        }
        const params = route.pattern.exec(url.pathname.slice(API_PREFIX.length))!.slice(1);
        return route.handle(params, body, url);
    }

    private checkRequestBody(route: Route, body: unknown): void {
        if (!spec.paths[route.template]![route.method]!.requestBody) return;
        const validate = validatorAt(pointer("paths", route.template, route.method, "requestBody", "content", "application/json", "schema"));
        if (!validate(body)) this.violations.push(`${route.method.toUpperCase()} ${route.template} request: ${ajv.errorsText(validate.errors)}`);
    }

    private send(request: IncomingMessage, response: ServerResponse, url: URL, status: number, body: Json, headers: Record<string, string> = {}): void {
        this.served.push({ method: request.method ?? "GET", path: url.pathname, status, authorization: request.headers.authorization });
        response.writeHead(status, { "content-type": "application/json", ...headers });
        response.end(JSON.stringify(body));
    }
}

function readBody(request: IncomingMessage): Promise<string> {
    return new Promise((resolve, reject) => {
        const chunks: Buffer[] = [];
        request.on("data", (chunk: Buffer) => chunks.push(chunk));
        request.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
        request.on("error", reject);
    });
}

function resultInfo(count: number): Json {
    return { page: 1, per_page: 100, count, total_count: count };
}

function poolJson(pool: StandInPool): Json {
    return {
        id: pool.id,
        name: pool.name,
        enabled: pool.enabled,
        minimum_origins: 1,
        ...(pool.monitor ? { monitor: pool.monitor } : {}),
        origins: [{ name: "origin", address: pool.address, enabled: true, weight: 1 }],
        created_on: TIMESTAMP,
        modified_on: TIMESTAMP,
    };
}

function healthJson(pool: StandInPool): Json {
    const popHealth = Object.fromEntries(
        Object.entries(pool.regions).map(([region, healthy]) => [
            region,
            { healthy, origins: [{ "192.0.2.10": { healthy, failure_reason: healthy ? "No failures" : "HTTP timeout occurred", response_code: healthy ? 200 : 0, rtt: "12.1ms" } }] },
        ]),
    );
    return { pool_id: pool.id, pop_health: popHealth };
}

function previewJson(pool: StandInPool): Json {
    const { healthy, failureReason, responseCode } = pool.preview;
    return { healthy, origins: [{ [`${pool.address}.`]: { healthy, failure_reason: failureReason, response_code: responseCode, rtt: "66ms" } }] };
}

function loadBalancerJson(lb: StandInLoadBalancer): Json {
    return {
        id: lb.id,
        name: lb.name,
        enabled: true,
        proxied: true,
        default_pools: lb.defaultPools,
        fallback_pool: lb.fallbackPool,
        steering_policy: lb.steeringPolicy,
        session_affinity: "none",
        created_on: TIMESTAMP,
        modified_on: TIMESTAMP,
    };
}

function recordJson(record: StandInRecord, zoneId: string): Json {
    return {
        id: record.id,
        zone_id: zoneId,
        name: record.name,
        type: record.type,
        content: record.content,
        proxied: true,
        proxiable: true,
        ttl: 1,
        tags: [],
        meta: { auto_added: false, source: "primary" },
        created_on: TIMESTAMP,
        modified_on: TIMESTAMP,
    };
}
