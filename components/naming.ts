/**
 * Names the stack gives things in Cloudflare. The components create resources
 * under these names and the `status` tool finds them again by the same names,
 * so both must come from here. No imports: the live tools load this without
 * the Pulumi SDK.
 */

/** Where a hostname's public CNAME points. */
export const Routing = {
    /** At the load balancer: Cequence in line, failing open to the origin (the guide's step 6). */
    LoadBalancer: "loadBalancer",
    /** At the origin: before the cutover, or rolled back; the pools and load balancer still exist. */
    Origin: "origin",
    /** Straight at Cequence (appendix A): no load balancer and no pools, so no fail-open. */
    Cequence: "cequence",
} as const;
/** Where a hostname's public CNAME points: one of {@link Routing}'s values. */
export type Routing = (typeof Routing)[keyof typeof Routing];
/** Every routing, in the order the config's messages list them. */
export const ROUTINGS = [Routing.LoadBalancer, Routing.Origin, Routing.Cequence] as const;

/** Appendix A: with `routing: cequence` the CNAME points straight at Cequence, with no load balancer and no pools. */
export function hasLoadBalancer(app: { routing: Routing }): boolean {
    return app.routing !== "cequence";
}

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
    app: { routing: Routing; lbHostname: string; origin: string },
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

/** The name of the one origin in each pool, by the pool's role. */
export const POOL_ORIGIN_NAMES: Readonly<Record<PoolRole, string>> = Object.freeze({ cequence: "cequence", origin: "application-origin" });

/** What the dashboard says of a hostname's pool (and its monitor), and of its load balancer. */
export const DESCRIPTIONS = Object.freeze({
    pool: (role: PoolRole, publicHostname: string) =>
        role === "cequence" ? `Cequence UAP in line for ${publicHostname}` : `Application origin for ${publicHostname}`,
    /** The stack's one Cequence pool, with `cequence.sharedPool`. */
    sharedPool: (stack: string) => `Cequence UAP in line for every hostname of stack ${stack}`,
    loadBalancer: (publicHostname: string) => `Cequence in line for ${publicHostname}; fails open to the origin`,
});

/**
 * Cloudflare pool names allow letters, digits, `-` and `_` only, and pools are
 * account-wide, so the name carries the stack and the app: stacks (prod and
 * staging, or prod and prod.eu) can share an account. The name reads
 * `<role>_<hostname, dots as _>__<stack>`: `cequence_www_cq-route_com__prod`.
 *
 * It is injective over (role, stack, hostname), so no two stacks' pools can
 * share a name whatever their stack and host names:
 * - the role ends at the first `_` (roles contain none);
 * - a hostname's labels are letters, digits and inner hyphens, so its part has
 *   no `__` and ends in a letter or digit: the first `__` ends it;
 * - the rest is the stack, escaped by {@link stackPart}.
 * `legacyPoolName` collided: stack `prod` with `eu.www.<zone>` and stack
 * `prod.eu` with `www.<zone>` both gave `cequence_prod_eu_www_<zone>`.
 */
export function poolName(role: PoolRole, stack: string, hostname: string): string {
    return `${role}_${hostname.replace(/\./g, "_")}__${stackPart(stack)}`;
}

/**
 * The name of a stack's one Cequence pool with `cequence.sharedPool`:
 * `cequence_shared__<stack>`. No app's pool can have it: `shared` has no `_`,
 * and every hostname part does (a hostname has at least two labels).
 */
export function sharedCequencePoolName(stack: string): string {
    return `cequence_shared__${stackPart(stack)}`;
}

/**
 * The names pools had before {@link poolName} (`<role>_<stack>_<hostname>`,
 * every `.` as `_`), which could collide across stacks. `status` looks pools
 * of a stack not yet updated up by these, and reports the rename as drift.
 */
export function legacyPoolName(role: PoolRole, stack: string, hostname: string): string {
    const safe = (text: string) => text.replace(/[^A-Za-z0-9-]/g, "_");
    return `${role}_${safe(stack)}_${safe(hostname)}`;
}

/**
 * A Pulumi stack name (letters, digits, `-`, `_`, `.`) in pool-name
 * characters, one-to-one: letters, digits and `-` stay, `_` is the escape
 * character, so `_` becomes `__` and `.` becomes `_-`. The usual names
 * (`prod`, `staging-eu`) read as they are; `prod.eu` reads `prod_-eu`.
 */
function stackPart(stack: string): string {
    return stack.replace(/[_.]/g, (c) => (c === "_" ? "__" : "_-"));
}

/**
 * The edge-authentication rule's `ref` in the zone's one request-header
 * ruleset: `cloudflare_cequence_edge_auth_<stack>`, one per stack, so stacks
 * sharing a zone keep each other's rule. The stack's name goes in as it is (a
 * rule's ref is any non-empty string, per Cloudflare's API schema: `ref` of
 * `rulesets_Rule`, https://developers.cloudflare.com/api/resources/rulesets/), so no two
 * stack names give the same ref: {@link legacyEdgeAuthRuleRef} gave `prod.eu`,
 * `prod_eu` and `PROD-EU` one ref, and each stack's update overwrote the
 * others' rule. Names of lower-case letters, digits and `_` keep their ref.
 */
export function edgeAuthRuleRef(stack: string): string {
    return `cloudflare_cequence_edge_auth_${stack}`;
}

/**
 * The ref that {@link edgeAuthRuleRef} gave before (lower case, every other
 * character as `_`), which several stack names shared. The component takes a
 * rule of this ref as its own only when it covers exactly its hostnames.
 */
export function legacyEdgeAuthRuleRef(stack: string): string {
    return `cloudflare_cequence_edge_auth_${stack.toLowerCase().replace(/[^a-z0-9]/g, "_")}`;
}

/** The package's name in Pulumi: the first part of every component's type token. */
const PACKAGE = "cloudflare-cequence";

/** A component's type token, `cloudflare-cequence:index:<Component>`, as its URN and every language's SDK name it. */
export function componentType(component: string): string {
    return `${PACKAGE}:index:${component}`;
}
