/**
 * The one way `status` and `preflight` talk to Cloudflare: the official SDK,
 * configured from the environment, with every failure turned into a message
 * that names the fix. Retries and timeouts are the SDK's own: it retries
 * connection errors, timeouts, 408, 409, 429 and 5xx, waiting as `Retry-After`
 * asks (exponential backoff from 0.5 s otherwise).
 */
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

/** A failure the user can fix: printed as is, with no stack trace. */
export class CliError extends Error {}

/** The Cloudflare API base the SDK uses when `CLOUDFLARE_BASE_URL` is unset. */
const DEFAULT_BASE_URL = "https://api.cloudflare.com/client/v4";

export interface ConnectionSettings {
    /** Seconds to wait for one response before the SDK gives up on that attempt. */
    timeoutSeconds: number;
    /** Further attempts after a failed one (the SDK's `maxRetries`). */
    retries: number;
}

/** 30 s per attempt, and the SDK's default of 2 retries: at worst 90 s plus backoff before giving up. */
export const DEFAULT_CONNECTION: Readonly<ConnectionSettings> = Object.freeze({ timeoutSeconds: 30, retries: 2 });

/** Token permissions, as the dashboard's "Create Custom Token" page names them. */
export const READ_PERMISSIONS: readonly string[] = [
    "Account · Load Balancing: Monitors And Pools · Read",
    "Zone · Load Balancers · Read",
    "Zone · DNS · Read",
];

/** Cloudflare counts a preview as a write to monitors and pools, though it changes nothing. */
export const PREVIEW_PERMISSIONS: readonly string[] = ["Account · Load Balancing: Monitors And Pools · Edit"];

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

export class CloudflareSession {
    readonly client: Cloudflare;
    readonly baseURL: string;

    /**
     * @param env Where `CLOUDFLARE_API_TOKEN` and `CLOUDFLARE_BASE_URL` come from (the process's, outside tests).
     * @param permissions What the command needs, listed when the token is refused.
     * @param signal Aborts requests in flight (Ctrl-C), so an interrupted `--watch` need not wait out a timeout.
     */
    constructor(
        env: NodeJS.ProcessEnv,
        private readonly connection: ConnectionSettings,
        private readonly scopes: Scopes,
        private readonly permissions: readonly string[],
        readonly signal: AbortSignal,
    ) {
        const apiToken = env.CLOUDFLARE_API_TOKEN?.trim();
        if (!apiToken) {
            throw new CliError(
                `CLOUDFLARE_API_TOKEN is not set. Create an API token (dashboard → My Profile → API Tokens → Create Custom Token) with:\n${bullets(permissions)}\nthen run: export CLOUDFLARE_API_TOKEN=<token>`,
            );
        }
        this.baseURL = env.CLOUDFLARE_BASE_URL?.trim() || DEFAULT_BASE_URL;
        this.client = new Cloudflare({
            apiToken,
            // Explicit nulls: the SDK would otherwise read the global-key variables and send them too.
            apiKey: null,
            apiEmail: null,
            userServiceKey: null,
            baseURL: this.baseURL,
            timeout: Math.max(1, Math.round(connection.timeoutSeconds * 1000)),
            maxRetries: connection.retries,
        });
    }

    /** Runs one SDK call; any failure becomes a {@link CliError} that names the fix. */
    async request<T>(context: RequestContext, call: (client: Cloudflare, options: { signal: AbortSignal }) => PromiseLike<T>): Promise<T> {
        try {
            return await call(this.client, { signal: this.signal });
        } catch (error) {
            throw new CliError(this.describe(error, context), { cause: error });
        }
    }

    private describe(error: unknown, context: RequestContext): string {
        if (error instanceof APIUserAbortError) return `Interrupted while trying to ${context.action}.`;
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
            return `Cloudflare is still rate-limiting this token (429${said}) after ${attempts}, each waiting as Retry-After asked, when trying to ${context.action}. Wait a few minutes (the API allows 1,200 requests per 5 minutes per user), or allow more attempts with --retries <n>.`;
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
