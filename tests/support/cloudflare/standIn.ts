/**
 * A stateful stand-in for Cloudflare's API on 127.0.0.1, for the real
 * provider (through `cloudflare:baseUrl`), the `cloudflare` SDK (through
 * `baseURL`) and plain fetch. It serves every operation of the OpenAPI subset
 * (vendor/cloudflare-openapi; see ./schema.ts) from the state in
 * ./store.ts, and validates every request body and every response against
 * that schema, closed-world: each mismatch is recorded in `violations`, and
 * the tests fail on any (liveFixture's `stopStandInsAfterEach`), so the
 * stand-in cannot flatter what it serves.
 *
 * API, in short:
 *
 *     const standIn = new CloudflareStandIn();
 *     await standIn.start();                       // listens on 127.0.0.1, a free port
 *     standIn.baseUrl                              // http://127.0.0.1:<port>/client/v4
 *     const account = standIn.state.addAccount(id?); const zone = standIn.state.addZone(account.id, "example.com", id?);
 *     standIn.invoke(operationId, params, body?)   // an operation in process (seeding): validated like a request, returns `result`
 *     standIn.state                                // read and change directly (see ./store.ts), as the dashboard would
 *     standIn.state.regionsOf(account, poolId)["Ashburn, VA"] = false   // pool health per region
 *     account.probes[address] = { healthy: false, … }                  // what previews (and health) find at an origin
 *     standIn.state.previewPendingPolls = 2        // preview results are "not yet" twice first
 *     standIn.faults.inject({ fault: { kind: "rate-limit", retryAfterSeconds: 1 }, times: 2, operationId? })
 *                                                  // also server-error, refuse (401/403), delay, answer-late, drop, stall-body, hang
 *     standIn.latencyMs = 20                       // every answer this much later (benchmarks)
 *     standIn.limitRate({ limit: 1200, windowMs: 300_000 })   // Cloudflare's rate limit per user (429 + retry-after), scalable
 *     standIn.credentialOwners.set("Bearer <token>", "someone-else")   // a credential of another user (default: one user owns them all)
 *     standIn.served                               // the request log: method, path, operationId, template, status, ms, authorization
 *     standIn.counts()                             // requests per operationId
 *     standIn.maxInFlight                          // the most requests in flight at once
 *     standIn.violations                           // every schema mismatch, as text
 *     await standIn.stop();
 *
 * Authentication: the schema's load-balancing operations demand the API
 * key, the e-mail AND a token at once (an upstream quirk); like the real
 * API, a well-formed `Authorization: Bearer <token>` alone is accepted, and
 * so is `X-Auth-Email` with `X-Auth-Key`.
 *
 * Fields that @pulumi/cloudflare 6.22.1 sends but this 2024 schema lacks
 * (the README lists them) are accepted and echoed, not recorded as
 * violations; so is `result_info.total_pages`, which the API sends and the
 * schema omits.
 *
 * Two operations are served outside the subset, which lacks them: DELETE
 * …/managed_headers (the provider's delete) and GET …/url_normalization
 * (`status` and `preflight`), whose answer is checked against a small
 * schema written from Cloudflare's API reference (./urlNormalization.ts).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";
import type { ErrorObject, ValidateFunction } from "ajv/dist/2019";
import { ACCOUNT_ACCESS_ROUTES } from "./accountAccess";
import { ANALYTICS_ROUTES } from "./analytics";
import { ApiError, failure, type Answer, type Call, type Handler } from "./answers";
import { dnsHandlers } from "./dns";
import { Faults, type Fault } from "./faults";
import { loadBalancingHandlers } from "./loadBalancing";
import { disableAllManagedTransforms, managedTransformHandlers } from "./managedTransforms";
import { notificationHandlers } from "./notifications";
import { RateLimiter, type RateLimitSettings } from "./rateLimit";
import { rulesetHandlers } from "./rulesets";
import { describeErrors, failureHasResult, operations, requestValidator, responseValidator, type HttpMethod, type Operation } from "./schema";
import { CloudflareState, type Json } from "./store";
import { getUrlNormalization, URL_NORMALIZATION_GET, URL_NORMALIZATION_TEMPLATE, validateUrlNormalizationAnswer } from "./urlNormalization";
import { UNKNOWN_ZONE, zoneHandlers } from "./zones";

const API_PREFIX = "/client/v4";

/** What terraform-provider-cloudflare accepts as an API token, and so what the stand-in accepts. */
const TOKEN_FORMAT = /^[0-9A-Za-z_-]{40,80}$/;

/** The user who owns every credential not in `credentialOwners`: a stand-in serves one user's accounts unless a test says otherwise. */
const DEFAULT_USER = "user";

const UNKNOWN_ACCOUNT = { code: 7003, message: "Could not route to /accounts/…, perhaps your object identifier is invalid?" };

/**
 * Newer real fields, by the path templates they appear under (README: "this schema lacks them");
 * `exact` for one template only. A zone's `status`, `paused`, `type` and `plan` are in the API's Zone
 * object (https://developers.cloudflare.com/api/resources/zones/methods/get/) and the
 * `cloudflare` SDK's `Zone` type, not in the 2024 subset.
 */
const NEWER_FIELDS: Array<{ under: string; fields: string[]; exact?: boolean }> = [
    { under: "/zones", fields: ["status", "paused", "type", "plan"], exact: true },
    { under: "/zones/{zone_id}", fields: ["status", "paused", "type", "plan"], exact: true },
    { under: "", fields: ["total_pages"] },
    { under: "/accounts/{account_id}/load_balancers/pools", fields: ["monitor_group", "health_sources", "port", "flatten_cname", "check_regions"] },
    { under: "/zones/{zone_id}/load_balancers", fields: ["networks", "enabled"] },
    { under: "/zones/{zone_id}/dns_records", fields: ["settings", "private_routing"] },
    { under: "/accounts/{account_id}/alerting/v3/policies", fields: ["pop_names", "insight_class", "type"] },
];

const HANDLERS: Record<string, Handler> = {
    ...loadBalancingHandlers,
    ...dnsHandlers,
    ...rulesetHandlers,
    ...managedTransformHandlers,
    ...notificationHandlers,
    ...zoneHandlers,
};

interface Route {
    method: string;
    template: string;
    operationId: string;
    pattern: RegExp;
    /** Undefined for the routes served outside the subset. */
    operation: Operation | undefined;
    handle: Handler;
    /** For a route outside the subset: the schema written for its success answer, when it has one. */
    outsideSchema?: ValidateFunction;
}

function routeFor(method: string, template: string, operationId: string, operation: Operation | undefined, handle: Handler, outsideSchema?: ValidateFunction): Route {
    const pattern = new RegExp(`^${template.replace(/\{([a-z_]+)\}/g, "(?<$1>[^/]+)")}$`);
    return { method, template, operationId, pattern, operation, handle, outsideSchema };
}

const ROUTES: readonly Route[] = [
    ...operations().map(({ method, template, operation }) => {
        const handle = HANDLERS[operation.operationId];
        if (!handle) throw new Error(`the stand-in has no handler for ${operation.operationId} (${method.toUpperCase()} ${template})`);
        return routeFor(method, template, operation.operationId, operation, handle);
    }),
    routeFor("delete", "/zones/{zone_id}/managed_headers", "managed-transforms-delete-managed-transforms", undefined, (call) => {
        disableAllManagedTransforms(call.zone());
        return { status: 204 };
    }),
    // The GraphQL Analytics API and the health events: outside the subset, each checked in ./analytics.ts.
    ...ANALYTICS_ROUTES.map(({ method, template, operationId, handle }) => routeFor(method, template, operationId, undefined, handle)),
    // `status` and `preflight` read it for a stack with paths; the subset lacks it (./urlNormalization.ts).
    routeFor("get", URL_NORMALIZATION_TEMPLATE, URL_NORMALIZATION_GET, undefined, getUrlNormalization, validateUrlNormalizationAnswer),
    // `preflight` reads the token's own policies and the account's subscriptions; the subset lacks them (./accountAccess.ts).
    ...ACCOUNT_ACCESS_ROUTES.map(({ method, template, operationId, handle, schema }) => routeFor(method, template, operationId, undefined, handle, schema)),
];

export interface ServedRequest {
    method: string;
    path: string;
    /** The operation it matched, and its path template; "" for a path outside the API. */
    operationId: string;
    template: string;
    /** 0 when no status was sent (a dropped or hung request). */
    status: number;
    /** From the request's arrival to the end of the answer (or the fault), as the clock saw it. */
    ms: number;
    /** How long the stand-in held the answer back on purpose: `latencyMs` plus any delay fault. */
    delayedMs: number;
    authorization: string | undefined;
}

export class CloudflareStandIn {
    readonly state = new CloudflareState();
    readonly faults = new Faults();
    readonly violations: string[] = [];
    readonly served: ServedRequest[] = [];
    /** Every answer waits this long first (benchmarks). */
    latencyMs = 0;
    /** Cloudflare's rate limit, when {@link limitRate} turned it on. */
    rateLimiter: RateLimiter | undefined;
    /**
     * Who owns each credential (the `Authorization` header, or `e-mail:key`),
     * for the rate limit, which is the user's across every token and key
     * (./rateLimit.ts). A credential not listed is {@link DEFAULT_USER}'s.
     */
    readonly credentialOwners = new Map<string, string>();
    /** The most requests in flight at once so far. */
    maxInFlight = 0;
    private inFlight = 0;
    private server: Server | undefined;

    /** The base URL for the SDK (`baseURL`), the provider (`cloudflare:baseUrl`) and CLOUDFLARE_BASE_URL. */
    get baseUrl(): string {
        const address = this.server?.address() as AddressInfo | null | undefined;
        if (!address) throw new Error("the stand-in is not listening");
        return `http://127.0.0.1:${address.port}${API_PREFIX}`;
    }

    async start(port = 0): Promise<void> {
        const server = createServer((request, response) => void this.serve(request, response));
        this.server = server;
        await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
    }

    async stop(): Promise<void> {
        const server = this.server;
        if (!server) return;
        this.server = undefined;
        server.closeAllConnections();
        await new Promise<void>((resolve) => server.close(() => resolve()));
    }

    /** Turns on Cloudflare's rate limit per user (./rateLimit.ts); off by default. */
    limitRate(settings: RateLimitSettings): RateLimiter {
        this.rateLimiter = new RateLimiter(settings);
        return this.rateLimiter;
    }

    /** Requests served per operationId. */
    counts(): Record<string, number> {
        const counts: Record<string, number> = {};
        for (const { operationId } of this.served) counts[operationId] = (counts[operationId] ?? 0) + 1;
        return counts;
    }

    /**
     * Runs an operation in process, as a request would (body and answer
     * validated), and returns its `result`; a refusal throws the ApiError.
     */
    invoke(operationId: string, params: Record<string, string>, body?: Json, query: Record<string, string> = {}): unknown {
        const route = ROUTES.find((r) => r.operationId === operationId);
        if (!route) throw new Error(`no operation ${operationId}`);
        const answer = this.dispatch(route, params, new URLSearchParams(query), body, undefined);
        if (answer.status >= 400) {
            const [error] = (answer.body as { errors: Array<{ code: number; message: string }> }).errors;
            throw new ApiError(answer.status, error!.code, error!.message);
        }
        return answer.body?.result;
    }

    private async serve(request: IncomingMessage, response: ServerResponse): Promise<void> {
        const started = performance.now();
        this.inFlight += 1;
        this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
        const url = new URL(request.url ?? "/", "http://127.0.0.1");
        const method = (request.method ?? "GET").toLowerCase();
        const entry: ServedRequest = { method: method.toUpperCase(), path: url.pathname, operationId: "", template: "", status: 0, ms: 0, delayedMs: 0, authorization: request.headers.authorization };
        this.served.push(entry);
        const finish = (status: number) => {
            entry.status = status;
            entry.ms = performance.now() - started;
            this.inFlight -= 1;
        };
        try {
            const text = await readBody(request);
            const apiPath = url.pathname.startsWith(API_PREFIX) ? url.pathname.slice(API_PREFIX.length) : undefined;
            const route = apiPath === undefined ? undefined : ROUTES.find((r) => r.method === method && r.pattern.test(apiPath));
            if (!route || apiPath === undefined) {
                this.violations.push(`${method.toUpperCase()} ${url.pathname}: not an operation of the OpenAPI subset`);
                send(response, failure(404, 7000, "No route for that URI"));
                return finish(404);
            }
            entry.operationId = route.operationId;
            entry.template = route.template;
            const fault = this.faults.take(route.operationId);
            entry.delayedMs = this.latencyMs + (fault?.kind === "delay" ? fault.ms : 0);
            if (entry.delayedMs > 0) await sleep(entry.delayedMs);
            if (fault?.kind === "drop") {
                request.socket.destroy();
                return finish(0);
            }
            // A hung or stalled request stays in flight until its connection closes.
            if (fault?.kind === "hang") return void response.on("close", () => finish(0));
            let answer = faultAnswer(fault) ?? this.authenticate(route, request) ?? this.rateLimited(request);
            if (!answer) {
                let body: unknown;
                try {
                    body = text === "" ? undefined : JSON.parse(text);
                } catch {
                    this.violations.push(`${method.toUpperCase()} ${route.template}: the request body is not JSON`);
                    answer = failure(400, 6007, "Malformed JSON in request body");
                }
                answer ??= this.dispatch(route, route.pattern.exec(apiPath)!.groups ?? {}, url.searchParams, body, bearerToken(request));
            } else {
                answer = this.conform(route, answer);
            }
            if (fault?.kind === "answer-late") {
                await untilClosedOr(response, fault.ms);
                if (request.socket.destroyed) return finish(0);
            }
            if (fault?.kind === "stall-body") {
                response.writeHead(answer.status, { "content-type": "application/json" });
                response.flushHeaders();
                const status = answer.status;
                return void response.on("close", () => finish(status));
            }
            send(response, answer);
            return finish(answer.status);
        } catch (error) {
            this.violations.push(`${method.toUpperCase()} ${url.pathname}: the stand-in failed: ${String(error)}`);
            send(response, failure(500, 10001, "Internal server error"));
            return finish(500);
        }
    }

    /** Cloudflare's 429 when the user who owns the request's credential is over the rate limit; undefined when it may go on. */
    private rateLimited(request: IncomingMessage): Answer | undefined {
        const credential = request.headers.authorization ?? `${String(request.headers["x-auth-email"])}:${String(request.headers["x-auth-key"])}`;
        const retryAfterSeconds = this.rateLimiter?.take(this.credentialOwners.get(credential) ?? DEFAULT_USER, performance.now());
        return retryAfterSeconds === undefined ? undefined : faultAnswer({ kind: "rate-limit", retryAfterSeconds });
    }

    /** A refusal when the request carries no credentials the API accepts; undefined when it may go on. */
    private authenticate(route: Route, request: IncomingMessage): Answer | undefined {
        const anonymous = route.operation?.security?.some((requirement) => Object.keys(requirement).length === 0);
        if (anonymous) return undefined;
        const authorization = request.headers.authorization;
        if (authorization !== undefined) {
            const token = bearerToken(request);
            return token !== undefined && TOKEN_FORMAT.test(token) ? undefined : failure(400, 6003, "Invalid request headers");
        }
        if (request.headers["x-auth-email"] !== undefined && request.headers["x-auth-key"] !== undefined) return undefined;
        return failure(400, 9106, "Missing X-Auth-Key, X-Auth-Email or Authorization headers");
    }

    /** Validates the body, runs the handler in its account and zone, and validates the answer. */
    private dispatch(route: Route, params: Record<string, string>, query: URLSearchParams, body: unknown, token: string | undefined): Answer {
        const validate = route.operation && requestValidator(route.method, route.template, ["id"]);
        if (validate && !validate(body)) this.record(route, "request", validate.errors);
        const state = this.state;
        const zone = () => {
            const found = state.zone(params.zone_id ?? "");
            if (!found) throw new ApiError(404, UNKNOWN_ZONE.code, UNKNOWN_ZONE.message);
            return found;
        };
        const call: Call = {
            params,
            query,
            body,
            state,
            zone,
            account: () => {
                const found = state.account(params.account_id ?? zone().accountId);
                if (!found) throw new ApiError(404, UNKNOWN_ACCOUNT.code, UNKNOWN_ACCOUNT.message);
                return found;
            },
            bearerToken: () => token,
        };
        let answer: Answer;
        try {
            answer = route.handle(call);
        } catch (error) {
            if (!(error instanceof ApiError)) throw error;
            answer = failure(error.status, error.code, error.message);
        }
        return this.conform(route, answer);
    }

    /** Shapes a failure as the operation's schema has it, and records any mismatch of the answer. */
    private conform(route: Route, answer: Answer): Answer {
        if (!route.operation) {
            if (route.outsideSchema && answer.status < 400 && !route.outsideSchema(answer.body)) this.record(route, `response ${answer.status} (schema outside the subset)`, route.outsideSchema.errors);
            return answer;
        }
        if (answer.status >= 400 && answer.body && !failureHasResult(route.method, route.template)) {
            const { result: _none, ...body } = answer.body;
            answer = { ...answer, body };
        }
        this.checkResponse(route, answer);
        return answer;
    }

    private checkResponse(route: Route, answer: Answer): void {
        const validate = responseValidator(route.method as HttpMethod, route.template, answer.status);
        if (!validate) {
            if (answer.body !== undefined) this.violations.push(`${route.method.toUpperCase()} ${route.template} ${answer.status}: the schema says there is no body`);
            return;
        }
        if (!validate(answer.body)) this.record(route, `response ${answer.status}`, validate.errors);
    }

    private record(route: Route, what: string, errors: readonly ErrorObject[] | null | undefined): void {
        const newer = new Set(NEWER_FIELDS.filter((n) => (n.exact ? route.template === n.under : route.template.startsWith(n.under))).flatMap((n) => n.fields));
        const real = (errors ?? []).filter((e) => !(e.keyword === "unevaluatedProperties" && newer.has(String(e.params.unevaluatedProperty))));
        if (real.length === 0) return;
        this.violations.push(`${route.method.toUpperCase()} ${route.template} ${what}: ${describeErrors(real).join("; ")}`);
    }
}

function faultAnswer(fault: Fault | undefined): Answer | undefined {
    switch (fault?.kind) {
        case "rate-limit":
            return { ...failure(429, 10429, "Rate limited. Please wait and consider throttling your request speed"), headers: { "retry-after": String(fault.retryAfterSeconds) } };
        case "server-error":
            return failure(fault.status, 10001, "Internal server error");
        case "refuse":
            return failure(fault.status, 10000, "Authentication error");
        default:
            return undefined;
    }
}

/** Waits `ms`, or less if the client closes the connection first. */
function untilClosedOr(response: ServerResponse, ms: number): Promise<void> {
    return new Promise((resolve) => {
        const timer = setTimeout(resolve, ms);
        response.on("close", () => {
            clearTimeout(timer);
            resolve();
        });
    });
}

function bearerToken(request: IncomingMessage): string | undefined {
    return /^Bearer (\S+)$/.exec(request.headers.authorization ?? "")?.[1];
}

function send(response: ServerResponse, answer: Answer): void {
    if (answer.body === undefined) {
        response.writeHead(answer.status, answer.headers);
        response.end();
        return;
    }
    response.writeHead(answer.status, { "content-type": "application/json", ...answer.headers });
    response.end(JSON.stringify(answer.body));
}

function readBody(request: IncomingMessage): Promise<string> {
    return new Promise((resolve, reject) => {
        const chunks: Buffer[] = [];
        request.on("data", (chunk: Buffer) => chunks.push(chunk));
        request.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
        request.on("error", reject);
    });
}
