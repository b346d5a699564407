/**
 * A load balancer named as an app's public hostname. Cloudflare answers such a
 * name with the load balancer, not with the DNS record: "If this hostname
 * already exists as a DNS record in Cloudflare's DNS, the Load Balancer will
 * take precedence and the DNS record will not be used" (the API's load
 * balancer `name`, https://developers.cloudflare.com/api/resources/load_balancers/methods/create/;
 * "the LB record takes precedence when it is more or equally specific",
 * https://developers.cloudflare.com/load-balancing/load-balancers/dns-records/).
 * A disabled one gives the name back: "If you have existing DNS records, these
 * records will be served" (same page, "Disabling a load balancer"). So while
 * an enabled load balancer holds the public hostname, the stack's CNAME, and
 * Cequence with it, is not on the path. `status` gives that its own verdict,
 * `preflight` calls the app not ready; both say how to cut over
 * ({@link EXISTING_LOAD_BALANCER_RUNBOOK}). Pure: no I/O.
 */
import { EXISTING_LOAD_BALANCER_RUNBOOK } from "../../config/runbooks";
import type { LiveLoadBalancer, LivePool } from "./deployment";

/** The load balancer that shadows `hostname`'s records: an enabled one of that name; undefined when none does. */
export function shadowingLoadBalancer(hostname: string, loadBalancersByName: ReadonlyMap<string, LiveLoadBalancer>): LiveLoadBalancer | undefined {
    const lb = loadBalancersByName.get(hostname);
    return lb?.enabled ? lb : undefined;
}

/**
 * Whether a load balancer, enabled or not, holds a public hostname: the tools
 * then name its pools, so a stack with no load balancer of its own lists the
 * account's pools for it.
 */
export function holdsAPublicHostname(apps: ReadonlyArray<{ hostname: string }>, loadBalancers: readonly LiveLoadBalancer[]): boolean {
    const names = new Set(loadBalancers.map((lb) => lb.name));
    return apps.some((app) => names.has(app.hostname));
}

/** The shadowing load balancer as the tools report it: its name and its default pools' names (an unknown pool by its ID). */
export interface Shadow {
    name: string;
    pools: string[];
}

export function describeShadow(lb: LiveLoadBalancer, pools: ReadonlyMap<string, LivePool>): Shadow {
    return { name: lb.name, pools: lb.defaultPools.map((id) => pools.get(id)?.name ?? `unknown pool ${id}`) };
}

/** What is wrong and what to do, in the words both tools print. */
export function shadowMessage(hostname: string, shadow: Shadow): string {
    return (
        `${hostname} is also the name of a load balancer (pools ${shadow.pools.join(", ") || "none"}), which Cloudflare answers with instead of the DNS record: ` +
        `the stack's CNAME is not used, so Cequence is not on the path. Cut over as ${EXISTING_LOAD_BALANCER_RUNBOOK} says: deploy with routing: origin, preflight, set routing: loadBalancer, then disable that load balancer (re-enable it to roll back)`
    );
}

/**
 * For `preflight`: a problem under `apps[i].hostname` when an enabled load
 * balancer holds the hostname (the cutover would change nothing until it is
 * disabled), a warning when a disabled one does (enabling it takes the name
 * back). Each as `{ key, message }`.
 */
export function shadowFindings(
    hostname: string,
    index: number,
    loadBalancersByName: ReadonlyMap<string, LiveLoadBalancer>,
    pools: ReadonlyMap<string, LivePool>,
): { problems: Array<{ key: string; message: string }>; warnings: Array<{ key: string; message: string }> } {
    const key = `apps[${index}].hostname`;
    const lb = loadBalancersByName.get(hostname);
    if (!lb) return { problems: [], warnings: [] };
    const shadow = describeShadow(lb, pools);
    if (lb.enabled) return { problems: [{ key, message: shadowMessage(hostname, shadow) }], warnings: [] };
    return {
        problems: [],
        warnings: [
            {
                key,
                message: `${hostname} is also the name of a disabled load balancer (pools ${shadow.pools.join(", ") || "none"}): while it is disabled Cloudflare answers with the DNS record, but enabling it takes the name back from the stack's CNAME; delete it once the cutover holds (${EXISTING_LOAD_BALANCER_RUNBOOK})`,
            },
        ],
    };
}
