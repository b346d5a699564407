/**
 * The one way `status` and `preflight` talk to Cloudflare: the official SDK,
 * configured from the environment, sending through {@link budgetedFetch}
 * (the request budget, retries and whole-request timeouts), with every
 * failure turned into a message that names the fix.
 */
import { setMaxListeners } from "node:events";
import { format } from "node:util";
import Cloudflare, {
    APIConnectionError,
    APIConnectionTimeoutError,
    APIError,
    APIUserAbortError,
    AuthenticationError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
} from "cloudflare";
import { CLOUDFLARE_API_BASE } from "../../components/defaults";
import { CliError } from "./cliError";
import { budgetedFetch } from "./cloudflareFetch";
import { MAX_TIMER_MS, type ConnectionSettings } from "./connectionSettings";
import { RequestBudget } from "./requestBudget";

/** What a request is about, so that an error can say which ID or permission to check. */
export interface RequestContext {
    /** What was being read, e.g. "list the zone's load balancers". */
    action: string;
    scope: "account" | "zone";
}

/** The IDs from the stack's config, for errors about an unknown account or zone. */
export interface Scopes {
    accountId: string;
    zoneId: string;
    configFile: string;
}

// Cloudflare's error codes for an identifier that routes nowhere (unknown or malformed account or zone).
const UNKNOWN_OBJECT_CODES = new Set([7000, 7003]);

/** What a session needs from its command: the process's own outside tests. */
export interface SessionIo {
    /** Where `CLOUDFLARE_API_TOKEN`, `CLOUDFLARE_BASE_URL` and `CLOUDFLARE_LOG` come from. */
    env: NodeJS.ProcessEnv;
    /** Waits for the rate limit and the SDK's logs (`CLOUDFLARE_LOG=debug`) go here, never to stdout. */
    stderr: { write(text: string): unknown };
    /** Aborts requests in flight (Ctrl-C), so an interrupted `--watch` need not wait out a timeout. */
    signal: AbortSignal;
    /** The budget to send within; a fresh one at Cloudflare's limit when absent. Tests and the benchmark read its counts. */
    requestBudget?: RequestBudget;
}

/** The requests of one read: they share a signal, and the first to fail for good cancels the rest. */
export interface CloudflareRead {
    readonly signal: AbortSignal;
    /** Runs one SDK call; any failure becomes a {@link CliError} that names the fix. */
    request<T>(context: RequestContext, call: (client: Cloudflare, options: { signal: AbortSignal }) => PromiseLike<T>): Promise<T>;
}

const LOG_LEVELS = ["off", "error", "warn", "info", "debug"] as const;

export class CloudflareSession {
    readonly client: Cloudflare;
    readonly baseURL: string;
    readonly budget: RequestBudget;
    private readonly signal: AbortSignal;

    /** @param permissions What the command needs, listed when the token is refused. */
    constructor(
        io: SessionIo,
        private readonly connection: ConnectionSettings,
        private readonly scopes: Scopes,
        private readonly permissions: readonly string[],
    ) {
        const apiToken = io.env.CLOUDFLARE_API_TOKEN?.trim();
        if (!apiToken) {
            throw new CliError(
                `CLOUDFLARE_API_TOKEN is not set. Create an API token (dashboard → My Profile → API Tokens → Create Custom Token) with:\n${bullets(permissions)}\nthen run: export CLOUDFLARE_API_TOKEN=<token>`,
            );
        }
        this.signal = io.signal;
        this.budget = io.requestBudget ?? new RequestBudget((message) => io.stderr.write(`${message}\n`));
        this.baseURL = io.env.CLOUDFLARE_BASE_URL?.trim() || CLOUDFLARE_API_BASE;
        const log = (...args: unknown[]) => void io.stderr.write(`${format(...args)}\n`);
        const logLevel = LOG_LEVELS.find((level) => level === io.env.CLOUDFLARE_LOG?.trim());
        this.client = new Cloudflare({
            apiToken,
            // Explicit nulls: the SDK would otherwise read the global-key variables and send them too.
            apiKey: null,
            apiEmail: null,
            userServiceKey: null,
            baseURL: this.baseURL,
            // budgetedFetch bounds and retries each attempt; the SDK's own would stop at the headers and retry unseen.
            fetch: budgetedFetch(this.budget, { timeoutMs: Math.max(1, Math.round(connection.timeoutSeconds * 1000)), retries: connection.retries }),
            timeout: MAX_TIMER_MS,
            maxRetries: 0,
            logger: { debug: log, info: log, warn: log, error: log },
            ...(logLevel ? { logLevel } : {}),
        });
    }

    /**
     * Runs one read (a `status` tick, a preflight) with a signal of its own:
     * aborted on Ctrl-C, when a request fails for good (the others would only
     * hold the process), and when the read ends. The SDK adds an abort listener
     * per request to the signal it is given and never removes it, so that
     * signal must not outlive the read; the command's signal gets one listener,
     * removed at the end.
     */
    async read<T>(body: (read: CloudflareRead) => Promise<T>): Promise<T> {
        const controller = new AbortController();
        setMaxListeners(0, controller.signal);
        const cancel = () => controller.abort();
        if (this.signal.aborted) cancel();
        this.signal.addEventListener("abort", cancel, { once: true });
        const read: CloudflareRead = {
            signal: controller.signal,
            request: async (context, call) => {
                try {
                    return await call(this.client, { signal: controller.signal });
                } catch (error) {
                    const message = this.describe(error, context);
                    cancel();
                    throw new CliError(message, { cause: error });
                }
            },
        };
        try {
            return await body(read);
        } finally {
            cancel();
            this.signal.removeEventListener("abort", cancel);
        }
    }

    private describe(error: unknown, context: RequestContext): string {
        if (error instanceof APIUserAbortError) {
            return this.signal.aborted ? `Interrupted while trying to ${context.action}.` : `Cancelled, another request having failed, while trying to ${context.action}.`;
        }
        const attempts = `${this.connection.retries + 1} attempt${this.connection.retries === 0 ? "" : "s"}`;
        if (error instanceof APIConnectionTimeoutError) {
            return `Cloudflare did not answer at ${this.baseURL} within ${this.connection.timeoutSeconds} s (${attempts}) when trying to ${context.action}. Check the network or CLOUDFLARE_BASE_URL, or allow longer with --timeout <seconds>.`;
        }
        if (error instanceof APIConnectionError) {
            return `Cannot reach Cloudflare at ${this.baseURL} (${connectionCause(error)}, ${attempts}) when trying to ${context.action}. Check the network, a proxy, or CLOUDFLARE_BASE_URL.`;
        }
        if (!(error instanceof APIError)) return `Unexpected failure when trying to ${context.action}: ${String(error)}`;

        const said = cloudflareSays(error);
        if (error instanceof AuthenticationError) {
            return `Cloudflare refused the API token (401${said}) when trying to ${context.action}: it is invalid, expired or revoked. Set CLOUDFLARE_API_TOKEN to a token with:\n${bullets(this.permissions)}`;
        }
        if (error instanceof PermissionDeniedError) {
            return `The API token may not ${context.action} (403${said}). Give it these permissions, for account ${this.scopes.accountId} and zone ${this.scopes.zoneId}:\n${bullets(this.permissions)}`;
        }
        if (error instanceof NotFoundError || cloudflareCodes(error).some((code) => UNKNOWN_OBJECT_CODES.has(code))) {
            const [key, id] = context.scope === "account" ? ["accountId", this.scopes.accountId] : ["zoneId", this.scopes.zoneId];
            return `Cloudflare knows no ${context.scope} ${id} (${error.status ?? "no status"}${said}) when trying to ${context.action}. Check ${key} in ${this.scopes.configFile} (dashboard → the zone's Overview → API).`;
        }
        if (error instanceof RateLimitError) {
            return `Cloudflare is still rate-limiting this token's user (429${said}) after ${attempts}, each waiting as Retry-After asked (at most 5 minutes), when trying to ${context.action}. Wait a few minutes (the API allows 1,200 requests per 5 minutes per user, counted across the dashboard, API keys and every token, so another tool or token of the same user may be using it up), or allow more attempts with --retries <n>.`;
        }
        return `Cloudflare answered ${error.status ?? "with no status"}${said} when trying to ${context.action}${error.status !== undefined && error.status >= 500 ? ` (after ${attempts}); try again later` : ""}.`;
    }
}

function bullets(lines: readonly string[]): string {
    return lines.map((line) => `  - ${line}`).join("\n");
}

/** The `errors` Cloudflare put in the body, as `: code message; …`, or nothing. */
function cloudflareSays(error: APIError): string {
    const errors = (error.errors as Array<{ code?: unknown; message?: unknown }>).filter((e) => typeof e.message === "string");
    if (errors.length === 0) return "";
    return `: ${errors.map((e) => (typeof e.code === "number" ? `${e.code} ${String(e.message)}` : String(e.message))).join("; ")}`;
}

function cloudflareCodes(error: APIError): number[] {
    return (error.errors as Array<{ code?: unknown }>).flatMap((e) => (typeof e.code === "number" ? [e.code] : []));
}

/** The system error code (ECONNREFUSED, ENOTFOUND…) under undici's "fetch failed", when there is one. */
function connectionCause(error: APIConnectionError): string {
    let cause: unknown = error.cause;
    while (cause instanceof Error) {
        const code = (cause as NodeJS.ErrnoException).code;
        if (typeof code === "string") return code;
        cause = cause.cause;
    }
    return "connection failed";
}
