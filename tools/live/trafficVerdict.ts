/**
 * Where Cloudflare sends an app's traffic now, following the path as
 * Cloudflare routes it: the zone (active, not paused), a load balancer
 * named as the public hostname (which Cloudflare answers with instead of the
 * record), the public record (type, proxied, target), then the
 * load balancer (enabled, proxied, steering, `default_pools` in order, weights,
 * geo pools, rules), then the pools it picks (enabled, healthy, and whether
 * their origins are Cequence), and what its active rules do to that: the
 * stack's path rule (components/paths.ts) narrows it to the listed paths,
 * any other rule may send requests elsewhere. Pure: it asks for a pool's health when that
 * health decides the verdict and has not been read. docs/status.md documents
 * each verdict with the state that produces it.
 */
import type { AppConfig, StackConfig } from "../../config/schema";
import { pathsOfRuleCondition } from "../../components/paths";
import type { LiveApp, LiveLoadBalancer, LivePool, LiveRule, LiveState } from "./deployment";

export const TRAFFIC_PATHS = [
    "through-cequence",
    "through-cequence-for-paths",
    "partly-through-cequence",
    "failed-open",
    "forced-out-of-line",
    "bypassed",
    "cequence-direct",
    "not-proxied",
    "down",
    "not-deployed",
    "zone-paused",
    "zone-not-active",
    "shadowed-by-load-balancer",
] as const;
export type TrafficPath = (typeof TRAFFIC_PATHS)[number];

/** The verdict, or the pools whose health must be read before there can be one. */
export type TrafficVerdict = { traffic: TrafficPath } | { needsHealth: string[] };

/** How much of what a pool serves goes to Cequence: by its enabled origins of non-zero weight. */
type CequenceShare = "all" | "some" | "none";

function cequenceShare(pool: LivePool, cequenceHostname: string): CequenceShare {
    const serving = pool.origins.filter((origin) => origin.enabled && origin.weight > 0);
    const toCequence = serving.filter((origin) => origin.address === cequenceHostname).length;
    if (toCequence === 0) return "none";
    return toCequence === serving.length ? "all" : "some";
}

/**
 * How the load balancer picks among its pools. `""` is Cloudflare's default:
 * geo steering when any region, country or PoP pools are set, else off.
 */
function steeringMode(lb: LiveLoadBalancer): "failover" | "weighted" | "spread" {
    if (lb.steeringPolicy === "off" || (lb.steeringPolicy === "" && lb.geoPools.length === 0)) return "failover";
    return lb.steeringPolicy === "random" ? "weighted" : "spread";
}

const verdict = (traffic: TrafficPath): TrafficVerdict => ({ traffic });

/** The rules Cloudflare evaluates. */
export function activeRules(lb: LiveLoadBalancer): LiveRule[] {
    return lb.rules.filter((rule) => !rule.disabled);
}

/**
 * The paths a rule keeps on the load balancer's pools, when it is a path
 * rule in the stack's form (its condition matches every path but those, and
 * it sends what it matches only to existing pools none of which is
 * Cequence's); undefined for any other rule, whose effect the verdict cannot
 * bound.
 */
export function pathsKeptBy(rule: LiveRule, pools: ReadonlyMap<string, LivePool>, cequenceHostname: string): string[] | undefined {
    const targets = [...rule.pools, ...(rule.fallbackPool === undefined ? [] : [rule.fallbackPool])].map((id) => pools.get(id));
    const elsewhere = rule.pools.length > 0 && targets.every((pool) => pool !== undefined && cequenceShare(pool, cequenceHostname) === "none");
    return elsewhere && !rule.fixedResponse ? pathsOfRuleCondition(rule.condition) : undefined;
}

export function trafficVerdict(app: AppConfig, config: StackConfig, live: LiveApp, state: Pick<LiveState, "zone" | "pools" | "health">): TrafficVerdict {
    // A zone whose nameservers are not Cloudflare's gets no traffic through Cloudflare at all.
    if (state.zone.status !== "active") return verdict("zone-not-active");
    // A paused zone's DNS answers with the records' own targets: no proxy, so no load balancer and no Cequence.
    if (state.zone.paused) return verdict("zone-paused");
    // An enabled load balancer named as the public hostname is answered instead of its record (shadowingLoadBalancer.ts).
    if (live.shadowedBy) return verdict("shadowed-by-load-balancer");
    const cequenceHostname = config.cequence.hostname;
    const { record } = live;
    if (!record) return verdict("not-deployed");
    // An A or AAAA record sends visitors to an address: no load balancer, no Cequence.
    if (record.type !== "CNAME") return verdict("bypassed");
    if (record.content === cequenceHostname) return verdict(record.proxied ? "cequence-direct" : "not-proxied");
    if (record.content !== app.lbHostname) return verdict("bypassed");
    // A DNS-only record hands visitors a name to resolve themselves: Cloudflare's proxy, and its failover, are out of the path.
    if (!record.proxied) return verdict("not-proxied");

    const lb = live.loadBalancer;
    if (!lb) return verdict("not-deployed");
    if (!lb.enabled) {
        // A disabled load balancer gives its name back to the zone's DNS records; with none, the name does not resolve.
        const fallback = live.lbRecord;
        if (!fallback) return verdict("down");
        return verdict(fallback.type === "CNAME" && fallback.content === cequenceHostname && fallback.proxied ? "cequence-direct" : "bypassed");
    }
    if (!lb.proxied) return verdict("not-proxied");

    // Pools the load balancer names that do not exist are skipped (and reported as drift).
    const pools = lb.defaultPools.flatMap((id) => state.pools.get(id) ?? []);
    if (pools.length === 0) return verdict("not-deployed");
    const healthy = (pool: LivePool) => state.health.get(pool.id)?.healthy;
    const rules = activeRules(lb);
    // No rule, or only the stack's path rule: then Cloudflare's choice below is every request's, or the listed paths' only.
    const onlyPaths = rules.length === 1 && pathsKeptBy(rules[0]!, state.pools, cequenceHostname) !== undefined;

    const mode = steeringMode(lb);
    if (mode === "failover") {
        for (const pool of pools) {
            if (!pool.enabled) continue;
            const isHealthy = healthy(pool);
            if (isHealthy === undefined) return { needsHealth: [pool.id] };
            if (isHealthy) return describe([pool]);
        }
        // No enabled pool is healthy: Cloudflare sends everything to the fallback pool, unhealthy too.
        return verdict("down");
    }
    const candidates =
        mode === "weighted"
            ? pools.filter((pool) => (lb.poolWeights[pool.id] ?? lb.defaultWeight) > 0)
            : [...pools, ...lb.geoPools.flatMap((id) => state.pools.get(id) ?? [])];
    const enabled = [...new Set(candidates)].filter((pool) => pool.enabled);
    const unread = enabled.filter((pool) => healthy(pool) === undefined);
    if (unread.length > 0) return { needsHealth: unread.map((pool) => pool.id) };
    const serving = enabled.filter((pool) => healthy(pool));
    return serving.length === 0 ? verdict("down") : describe(serving);

    /** The verdict for traffic spread over `serving`, which is not empty. */
    function describe(serving: LivePool[]): TrafficVerdict {
        const shares = serving.map((pool) => cequenceShare(pool, cequenceHostname));
        if (shares.every((share) => share === "all")) {
            if (rules.length === 0) return verdict("through-cequence");
            return verdict(onlyPaths ? "through-cequence-for-paths" : "partly-through-cequence");
        }
        if (shares.some((share) => share !== "none")) return verdict("partly-through-cequence");
        // No traffic reaches Cequence: why, by the first Cequence pool in the load balancer's order.
        const cequence = pools.find((pool) => cequenceShare(pool, cequenceHostname) !== "none");
        if (!cequence) return verdict("bypassed");
        if (!cequence.enabled) return verdict("forced-out-of-line");
        return verdict(healthy(cequence) === false ? "failed-open" : "bypassed");
    }
}
