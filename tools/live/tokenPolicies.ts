/**
 * Whether the API token may make what `pulumi up` makes, read from the
 * token's own policies. Cloudflare has no dry run for a write, so reading the
 * policies is the only way to know before the first `pulumi up`; and a token
 * may read them only with API Tokens Read ("Token Details", accepted
 * permissions "API Tokens Write, API Tokens Read"). Without it the answer is
 * "could not check", never "granted".
 *
 * A policy's `resources` name what it covers: `com.cloudflare.api.account.<id>`
 * or `…account.*` for accounts, `com.cloudflare.api.account.zone.<id>` or
 * `…account.zone.*` for zones, each mapped to "*"; or an account mapped to
 * an object of its zones ("Create tokens via API",
 * https://developers.cloudflare.com/fundamentals/api/how-to/create-via-api/).
 * A `deny` policy that covers the resource wins over any `allow`.
 */
import type { TokenPolicy } from "cloudflare/resources/shared";
import { hasLoadBalancer } from "../../components/naming";
import type { StackConfig } from "../../config/schema";
import type { CloudflareRead } from "./cloudflareSession";
import { unlessRefused } from "./unlessRefused";
import { TOKEN_SELF_READ_PERMISSIONS, WRITE_PERMISSIONS, type WritePermission } from "./permissions";

export type { TokenPolicy };

const ACCOUNT = "com.cloudflare.api.account.";
const ZONE = "com.cloudflare.api.account.zone.";

interface Scope {
    accountId: string;
    zoneId: string;
}

/** Whether a policy's resources cover the account (scope "account") or the zone in it (scope "zone"). */
export function covers(resources: TokenPolicy["resources"], scope: WritePermission["scope"], ids: Scope): boolean {
    const accounts = new Set([`${ACCOUNT}${ids.accountId}`, `${ACCOUNT}*`]);
    const zones = new Set([`${ZONE}${ids.zoneId}`, `${ZONE}*`]);
    return Object.entries(resources).some(([key, value]) => {
        if (typeof value === "string") return scope === "account" ? accounts.has(key) : zones.has(key);
        // An account mapped to its zones covers those zones of that account.
        return scope === "zone" && accounts.has(key) && Object.keys(value).some((zone) => zones.has(zone));
    });
}

/** Whether the policies grant the permission on its resource: an `allow` covers it and no `deny` does. */
export function grants(policies: readonly TokenPolicy[], permission: WritePermission, ids: Scope): boolean {
    const names = new Set(permission.groups.map((group) => group.toLowerCase()));
    const applies = (policy: TokenPolicy) =>
        policy.permission_groups.some((group) => names.has((group.name ?? "").toLowerCase())) && covers(policy.resources, permission.scope, ids);
    const matching = policies.filter(applies);
    return matching.some((policy) => policy.effect === "allow") && !matching.some((policy) => policy.effect === "deny");
}

/** The write permissions `pulumi up` needs for the config: DNS for the records, load balancing for a load balancer, Transform Rules for edge authentication. */
export function neededWritePermissions(config: Pick<StackConfig, "apps" | "edgeAuth">): WritePermission[] {
    return [
        ...(config.apps.some(hasLoadBalancer) ? [WRITE_PERMISSIONS.monitorsAndPools, WRITE_PERMISSIONS.loadBalancers] : []),
        WRITE_PERMISSIONS.dns,
        ...(config.edgeAuth === undefined ? [] : [WRITE_PERMISSIONS.transformRules]),
    ];
}

/**
 * What `pulumi up` also writes with for some configs, whose API permission
 * names Cloudflare does not document, so preflight cannot look for them: it
 * says so instead of calling the token sufficient.
 */
export function uncheckedWritePermissions(config: Pick<StackConfig, "apps" | "alerts" | "trueClientIp">): string[] {
    const { emails, webhookIds, pagerdutyIds } = config.alerts;
    const alerting = emails.length + webhookIds.length + pagerdutyIds.length > 0 && config.apps.some(hasLoadBalancer);
    return [
        ...(alerting ? ["Account · Notifications · Edit (alerts)"] : []),
        ...(config.trueClientIp ? ["edit access to the zone's managed transforms (trueClientIp)"] : []),
    ];
}

/** What the token's policies say of the write permissions the config needs. */
export interface WriteAccess {
    /** Those the policies do not grant; null when the token may not read its own policies, so nothing is known. */
    missing: WritePermission[] | null;
    /** What the config also needs that preflight cannot look for (alerts, trueClientIp). */
    unchecked: string[];
    /** In plain words, for the report. */
    summary: string;
}

/** Where a user finds a token: a user's under their profile, an account-owned one under the account. */
const WHERE_TOKENS_ARE = "the dashboard, My Profile → API Tokens (Manage Account → API Tokens for an account-owned token)";

/**
 * @param unchecked What the config also needs that cannot be looked for
 * ({@link uncheckedWritePermissions}); named in the summary, and enough to
 * make the answer a warning.
 */
export function writeAccess(policies: readonly TokenPolicy[] | null, needed: readonly WritePermission[], unchecked: readonly string[], ids: Scope): WriteAccess {
    const labels = (permissions: readonly WritePermission[]) => permissions.map((permission) => permission.label).join(", ");
    const alsoCheck = unchecked.length === 0 ? "" : `; preflight cannot look for ${unchecked.join(" or ")}, so check ${unchecked.length === 1 ? "it" : "them"} in ${WHERE_TOKENS_ARE}`;
    if (policies === null) {
        return {
            missing: null,
            unchecked: [...unchecked],
            summary: `could not check that the token may ${labels(needed)}: it may not read its own policies (that needs ${TOKEN_SELF_READ_PERMISSIONS.join(", ")}), or they name a permission group only by its ID, and Cloudflare has no way to try a write without making it. Check the token in ${WHERE_TOKENS_ARE} against docs/workflow.md${alsoCheck}`,
        };
    }
    const missing = needed.filter((permission) => !grants(policies, permission, ids));
    return {
        missing,
        unchecked: [...unchecked],
        summary:
            missing.length === 0
                ? `the token's policies grant ${labels(needed)}${alsoCheck}`
                : `the token's policies do not grant ${labels(missing)} for account ${ids.accountId} and zone ${ids.zoneId}, so \`pulumi up\` would be refused (403) partway through: add ${missing.length === 1 ? "it" : "them"} to the token (docs/workflow.md)${alsoCheck}`,
    };
}

/**
 * The policies when every permission group in them is named: groups are
 * matched by name (Cloudflare documents no fixed IDs), and the SDK types the
 * name as optional, so one without it leaves the answer unknown, not "missing".
 */
function namedPolicies(policies: TokenPolicy[] | undefined): TokenPolicy[] | null {
    if (policies === undefined || policies.some((policy) => policy.permission_groups.some((group) => !group.name))) return null;
    return policies;
}

/**
 * The token's own policies: its ID from the verify endpoint (a user's token at
 * /user/tokens/verify, an account-owned one at /accounts/{id}/tokens/verify,
 * which alone knows it), then its details. Null when it may not read them,
 * or they name a permission group only by its ID.
 */
export async function readTokenPolicies(read: CloudflareRead, accountId: string): Promise<TokenPolicy[] | null> {
    return read.request({ action: "read the API token's own policies", scope: "account" }, async (client, options) => {
        const user = await unlessRefused(() => client.user.tokens.verify(options));
        const owned = user ? undefined : await unlessRefused(() => client.accounts.tokens.verify({ account_id: accountId }, options));
        const token = user
            ? await unlessRefused(() => client.user.tokens.get(user.id, options))
            : owned && (await unlessRefused(() => client.accounts.tokens.get(owned.id, { account_id: accountId }, options)));
        return namedPolicies(token?.policies);
    });
}
