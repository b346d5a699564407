/**
 * Whether the account has Load Balancing, which "is an add-on for your
 * account" (Load Balancing, "Enable load balancing",
 * https://developers.cloudflare.com/load-balancing/get-started/enable-load-balancing/).
 * Without it `pulumi up` is refused at its first monitor with Cloudflare's
 * code 1002 ("interval is not in range [0, 0]"), and pools and load
 * balancers likewise ("Access Failed", "load balancing not enabled for
 * zone"), while every read still answers (users' reports:
 * cloudflare/terraform-provider-cloudflare#871; JunoPayServer/juno-pay-server,
 * deploy/cloudflare/README.md). So a read of the load-balancing objects proves
 * nothing, and Cloudflare documents no entitlement read. What does prove it:
 * - pools or load balancers already in the account or zone: it has the add-on;
 * - the account's subscriptions ("List Subscriptions", Billing Read): one whose
 *   plan is named for Load Balancing and is not over. Cloudflare documents
 *   no ID for the self-serve plan (its partner samples are
 *   `PARTNERS_LOAD_BALANCING`, `PARTNERS_LOAD_BALANCING_ENT` and
 *   `LOAD_BALANCING_BASIC_PLUS`, https://developers.cloudflare.com/tenant/reference/subscriptions/),
 *   so the name is matched loosely, and a list that names none is "unknown"
 *   (a warning), never "missing"; only an ended Load Balancing subscription is.
 */
import type { Subscription } from "cloudflare/resources/shared";
import type { CloudflareRead } from "./cloudflareSession";
import { unlessRefused } from "./unlessRefused";
import { BILLING_READ_PERMISSIONS } from "./permissions";

/** What is known of the add-on. */
export interface LoadBalancingEntitlement {
    /** Null when nothing read could tell. */
    enabled: boolean | null;
    /** The evidence, or what could not be read, in plain words. */
    summary: string;
}

/** Where a user turns it on. */
export const ENABLE_LOAD_BALANCING =
    "enable it (dashboard → the account → Traffic → Load Balancing → Enable Load Balancing, for Free, Pro and Business; on an Enterprise contract, ask your Cloudflare account team)";

const LOAD_BALANCING_PLAN = /load.?balanc/i;
/** A subscription in one of these states gives nothing. */
const OVER: ReadonlySet<Subscription["state"]> = new Set(["Cancelled", "Failed", "Expired"]);

/** How many load-balancing objects the account and zone already hold. */
export interface LoadBalancingInUse {
    pools: number;
    loadBalancers: number;
}

/** Whether the objects already in the account and zone prove the add-on: none can be made without it. */
function proves(inUse: LoadBalancingInUse): boolean {
    return inUse.pools > 0 || inUse.loadBalancers > 0;
}

/**
 * Only a Load Balancing subscription that has ended says "missing": a list
 * that names none may still have it under a plan name Cloudflare does not
 * document, so that is a warning.
 *
 * @param subscriptions The account's subscriptions, null when the token may not read them; not looked at when objects in use prove it.
 */
export function entitlementFrom(inUse: LoadBalancingInUse, subscriptions: readonly Subscription[] | null): LoadBalancingEntitlement {
    if (proves(inUse)) {
        return { enabled: true, summary: `the account already has ${inUse.pools} pool(s) and the zone ${inUse.loadBalancers} load balancer(s)` };
    }
    const failure = `\`pulumi up\` stops at the first monitor with Cloudflare's error 1002 "interval is not in range [0, 0]"`;
    if (subscriptions === null) {
        return {
            enabled: null,
            summary: `could not tell whether the account has Load Balancing: it has no pool yet, and the token may not read its subscriptions (that needs ${BILLING_READ_PERMISSIONS.join(", ")}). If it does not, ${failure}; to be sure, check dashboard → Traffic → Load Balancing`,
        };
    }
    const named = subscriptions.filter((s) => LOAD_BALANCING_PLAN.test(`${s.rate_plan?.id ?? ""} ${s.rate_plan?.public_name ?? ""}`));
    const live = named.find((s) => !OVER.has(s.state));
    if (live) return { enabled: true, summary: `the account subscribes to ${live.rate_plan?.public_name || live.rate_plan?.id} (${live.state ?? "state not given"})` };
    if (named.length > 0) {
        return { enabled: false, summary: `the account's Load Balancing subscription is ${named.map((s) => s.state).join(", ")}, so ${failure}: ${ENABLE_LOAD_BALANCING}` };
    }
    const why = subscriptions.some((s) => s.rate_plan?.is_contract)
        ? "it is on a contract, whose add-ons its subscriptions may not list"
        : "its subscriptions name no Load Balancing plan (Cloudflare documents no plan ID to be sure of)";
    return {
        enabled: null,
        summary: `the account may not have Load Balancing: it has no pool yet, and ${why}. If it does not, ${failure}: ${ENABLE_LOAD_BALANCING}`,
    };
}

/** What is known of the add-on, reading the subscriptions only when the objects in use do not already prove it. */
export async function readLoadBalancingEntitlement(read: CloudflareRead, accountId: string, inUse: LoadBalancingInUse): Promise<LoadBalancingEntitlement> {
    return entitlementFrom(inUse, proves(inUse) ? [] : await readSubscriptions(read, accountId));
}

/** The account's subscriptions; null when the token may not read them. */
async function readSubscriptions(read: CloudflareRead, accountId: string): Promise<Subscription[] | null> {
    return read.request({ action: "list the account's subscriptions", scope: "account" }, async (client, options) => {
        const subscriptions: Subscription[] = [];
        const listed = await unlessRefused(async () => {
            for await (const subscription of client.accounts.subscriptions.get({ account_id: accountId }, options)) subscriptions.push(subscription);
            return true;
        });
        return listed ? subscriptions : null;
    });
}
