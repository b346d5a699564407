/**
 * What `preflight` reads before the first `pulumi up` about the account and
 * the token, beyond the load-balancing objects: the token's own policies
 * (GET /user/tokens/{token_id}, and for an account-owned token
 * GET /accounts/{account_id}/tokens/verify and /accounts/{account_id}/tokens/{token_id})
 * and the account's subscriptions (GET /accounts/{account_id}/subscriptions).
 * The OpenAPI subset has none of these, so they are served outside it, and
 * each success answer is checked against a small schema below instead.
 *
 * NOT FROM THE SUBSET: the schemas are written here and hold only what the
 * tools read. Sources:
 * - Tokens: Cloudflare's API reference, "Token Details"
 *   (https://developers.cloudflare.com/api/resources/user/subresources/tokens/methods/get/,
 *   accepted permissions "API Tokens Write, API Tokens Read") and its account
 *   twin (…/accounts/subresources/tokens/methods/get/, "Account API Tokens Write,
 *   Account API Tokens Read"); a token's `policies` hold `effect` ("allow" or
 *   "deny"), `permission_groups` ({ id, name }) and `resources`, whose keys are
 *   `com.cloudflare.api.account.<id>` and `com.cloudflare.api.account.zone.<id>`
 *   (or `*`), flat or an account mapped to its zones
 *   ("Create tokens via API", https://developers.cloudflare.com/fundamentals/api/how-to/create-via-api/).
 *   The `cloudflare` SDK 7.3.0 types it the same (`Shared.Token`, `TokenPolicy`).
 * - Subscriptions: "List Subscriptions" (GET /accounts/{account_id}/subscriptions,
 *   Billing Read), `Shared.Subscription` in the SDK: `rate_plan` { id, public_name,
 *   is_contract }, `state`. Cloudflare documents no rate-plan ID for
 *   self-serve Load Balancing; its partner samples are `PARTNERS_LOAD_BALANCING`,
 *   `PARTNERS_LOAD_BALANCING_ENT` and `LOAD_BALANCING_BASIC_PLUS`
 *   (https://developers.cloudflare.com/tenant/reference/subscriptions/), so the
 *   stand-in names its Load Balancing subscription with the last of them.
 *
 * A test scripts the token and the account through {@link accountAccessOf}:
 *
 *     const access = accountAccessOf(standIn.state);
 *     access.tokens.set(token, { owner: "user", canReadItself: true, policies: [...] });
 *     access.subscriptionsReadable = false;    // the token lacks Billing Read
 *     account.loadBalancing = false;           // no Load Balancing subscription (./loadBalancing.ts refuses creates)
 */
import { createHash } from "node:crypto";
import type { TokenPolicy } from "cloudflare/resources/shared";
import Ajv2019 from "ajv/dist/2019";
import { ApiError, success, type Call, type Handler } from "./answers";
import { keptBeside, type CloudflareState } from "./store";

/** A policy as the SDK types it (`Shared.TokenPolicy`), which the schema below checks. */
export type { TokenPolicy };

export interface TokenRecord {
    /** A user's token is verified at /user/tokens/verify, an account-owned one at /accounts/{id}/tokens/verify only. */
    owner: "user" | "account";
    /** Whether it has API Tokens Read (Account API Tokens Read for an account-owned token), so may read its own policies. */
    canReadItself: boolean;
    policies: TokenPolicy[];
}

export interface Subscription {
    id: string;
    state: "Trial" | "Provisioned" | "Paid" | "AwaitingPayment" | "Cancelled" | "Failed" | "Expired";
    rate_plan: { id: string; public_name: string; is_contract: boolean };
}

/** The stand-in's Load Balancing subscription (see the sources above). */
export const LOAD_BALANCING_SUBSCRIPTION: Readonly<Subscription> = Object.freeze({
    id: "e08f0c5bd0c63b8d5c8c1fd1c6fb2a3d",
    state: "Paid",
    rate_plan: Object.freeze({ id: "LOAD_BALANCING_BASIC_PLUS", public_name: "Load Balancing", is_contract: false }),
});

export class AccountAccess {
    /** Token → what it is; a token not listed is a user's, may not read itself, and has no policies to read. */
    readonly tokens = new Map<string, TokenRecord>();
    /** False: the token lacks Billing Read, and the subscriptions answer 403. */
    subscriptionsReadable = true;
    /** Subscriptions besides Load Balancing's, which an account with `loadBalancing` has. */
    otherSubscriptions: Subscription[] = [];
}

const ACCESS = new WeakMap<CloudflareState, AccountAccess>();

export function accountAccessOf(state: CloudflareState): AccountAccess {
    return keptBeside(ACCESS, state, () => new AccountAccess());
}

/** A stable ID per token, as Cloudflare's token IDs are. */
export function tokenId(token: string): string {
    return createHash("md5").update(token).digest("hex");
}

/** Cloudflare's answer to a token it does not know at that endpoint (its verify endpoints' 1000). */
const INVALID_TOKEN = () => new ApiError(401, 1000, "Invalid API Token");
/** As Cloudflare answers a token without the permission an operation needs. */
const UNAUTHORIZED = () => new ApiError(403, 9109, "Unauthorized to access requested resource");

function tokenOf(call: Call): { token: string; record: TokenRecord } {
    const token = call.bearerToken();
    if (token === undefined) throw INVALID_TOKEN();
    return { token, record: accountAccessOf(call.state).tokens.get(token) ?? { owner: "user", canReadItself: false, policies: [] } };
}

/** GET /user/tokens/verify, in the subset: an account-owned token is not a user's. */
export const verifyUserToken: Handler = (call) => {
    const { token, record } = tokenOf(call);
    if (record.owner !== "user") throw INVALID_TOKEN();
    return success({ id: tokenId(token), status: "active" });
};

const verifyAccountToken: Handler = (call) => {
    call.account();
    const { token, record } = tokenOf(call);
    if (record.owner !== "account") throw INVALID_TOKEN();
    return success({ id: tokenId(token), status: "active" });
};

function tokenDetails(owner: TokenRecord["owner"]): Handler {
    return (call) => {
        if (owner === "account") call.account();
        const { token, record } = tokenOf(call);
        if (record.owner !== owner || !record.canReadItself) throw UNAUTHORIZED();
        if (call.params.token_id !== tokenId(token)) throw new ApiError(404, 1003, "Token not found");
        return success({ id: tokenId(token), name: "cloudflare-cequence", status: "active", policies: record.policies });
    };
}

const listSubscriptions: Handler = (call) => {
    const account = call.account();
    const access = accountAccessOf(call.state);
    if (!access.subscriptionsReadable) throw UNAUTHORIZED();
    const subscriptions = [...(account.loadBalancing ? [LOAD_BALANCING_SUBSCRIPTION] : []), ...access.otherSubscriptions];
    return success(subscriptions, { result_info: { page: 1, per_page: subscriptions.length, count: subscriptions.length, total_count: subscriptions.length, total_pages: 1 } });
};

const message = { type: "object", required: ["code", "message"], properties: { code: { type: "integer" }, message: { type: "string" } } };
const envelope = (result: object, extra: Record<string, object> = {}) => ({
    type: "object",
    required: ["success", "errors", "messages", "result"],
    properties: { success: { const: true }, errors: { type: "array", items: message }, messages: { type: "array", items: message }, result, ...extra },
});
const id = { type: "string", minLength: 1, maxLength: 32 };
const ajv = new Ajv2019({ strict: false, allErrors: true });

const TOKEN_VERIFY_ANSWER = ajv.compile(
    envelope({ type: "object", required: ["id", "status"], properties: { id, status: { enum: ["active", "disabled", "expired"] } } }),
);
const TOKEN_ANSWER = ajv.compile(
    envelope({
        type: "object",
        required: ["id", "policies"],
        properties: {
            id,
            policies: {
                type: "array",
                items: {
                    type: "object",
                    required: ["id", "effect", "permission_groups", "resources"],
                    properties: {
                        id: { type: "string" },
                        effect: { enum: ["allow", "deny"] },
                        permission_groups: { type: "array", items: { type: "object", required: ["id"], properties: { id: { type: "string" }, name: { type: "string" } } } },
                        resources: { type: "object", additionalProperties: { anyOf: [{ type: "string" }, { type: "object", additionalProperties: { type: "string" } }] } },
                    },
                },
            },
        },
    }),
);
const SUBSCRIPTIONS_ANSWER = ajv.compile(
    envelope({
        type: "array",
        items: {
            type: "object",
            required: ["id", "rate_plan"],
            properties: {
                id: { type: "string" },
                state: { enum: ["Trial", "Provisioned", "Paid", "AwaitingPayment", "Cancelled", "Failed", "Expired"] },
                rate_plan: { type: "object", properties: { id: { type: "string" }, public_name: { type: "string" }, is_contract: { type: "boolean" } } },
            },
        },
    }),
);

/** The routes served outside the subset, each with the schema its success answer is checked against. */
export const ACCOUNT_ACCESS_ROUTES = [
    { method: "get", template: "/user/tokens/{token_id}", operationId: "user-api-tokens-token-details", handle: tokenDetails("user"), schema: TOKEN_ANSWER },
    { method: "get", template: "/accounts/{account_id}/tokens/verify", operationId: "account-api-tokens-verify-token", handle: verifyAccountToken, schema: TOKEN_VERIFY_ANSWER },
    { method: "get", template: "/accounts/{account_id}/tokens/{token_id}", operationId: "account-api-tokens-token-details", handle: tokenDetails("account"), schema: TOKEN_ANSWER },
    { method: "get", template: "/accounts/{account_id}/subscriptions", operationId: "account-subscriptions-list-subscriptions", handle: listSubscriptions, schema: SUBSCRIPTIONS_ANSWER },
] as const;
