/**
 * Names the stack gives things in Cloudflare. The program creates resources
 * under these names and the `status` tool finds them again by the same names,
 * so both must come from here.
 */

/** True when `hostname` is `zone` itself or a name below it. */
export function isInZone(hostname: string, zone: string): boolean {
    return hostname === zone || hostname.endsWith(`.${zone}`);
}

/**
 * The load balancer hostname used when an app sets no `lbHostname`:
 * `origin-<name relative to the zone, dots as hyphens>-lb.<zone>`, so
 * `www.cq-route.com` gives the guide's `origin-www-lb.cq-route.com`.
 * The zone apex has no relative name and gets `origin-lb.<zone>`.
 */
export function defaultLbHostname(hostname: string, zone: string): string {
    const relative = hostname === zone ? "" : hostname.slice(0, -(zone.length + 1));
    const middle = relative === "" ? "" : `-${relative.replace(/\./g, "-")}`;
    return `origin${middle}-lb.${zone}`;
}

/** Where an app's public CNAME points for its `routing`. */
export function cnameTarget(
    app: { routing: "loadBalancer" | "origin" | "cequence"; lbHostname: string; origin: string },
    cequenceHostname: string,
): string {
    switch (app.routing) {
        case "loadBalancer":
            return app.lbHostname;
        case "origin":
            return app.origin;
        case "cequence":
            return cequenceHostname;
    }
}

/** The two pools every load-balanced app has, in failover order. */
export type PoolRole = "cequence" | "origin";

/**
 * Cloudflare pool names allow letters, digits, `-` and `_` only, and pools are
 * account-wide, so the name carries the stack and the app: two stacks (prod and
 * staging) can share an account. Hostnames never contain `_`, so mapping their
 * dots to `_` keeps names of different hostnames different.
 */
export function poolName(role: PoolRole, stack: string, hostname: string): string {
    const safe = (text: string) => text.replace(/[^A-Za-z0-9-]/g, "_");
    return `${role}_${safe(stack)}_${safe(hostname)}`;
}

/**
 * The edge-authentication rule's `ref` in the zone's one request-header
 * ruleset: per stack, so prod and staging sharing a zone keep each other's rule.
 */
export function edgeAuthRuleRef(stack: string): string {
    return `cloudflare_cequence_edge_auth_${stack.toLowerCase().replace(/[^a-z0-9]/g, "_")}`;
}
