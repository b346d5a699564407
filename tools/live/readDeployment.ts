/**
 * Reads what is deployed for a stack from Cloudflare's API alone (no Pulumi
 * state), in bulk: the zone itself, its A, AAAA and CNAME records, the
 * account's pools and monitors and the zone's load balancers (the latter for
 * every stack: one named as a public hostname shadows its record), one list each,
 * every page; then the health of each Cequence pool once, and of any other
 * pool only when it decides where traffic goes (trafficVerdict.ts) or
 * `allHealth` asks. For N apps in a healthy state that is N + 10 requests or
 * fewer (docs/benchmark.md).
 */
import { hasLoadBalancer, legacyPoolName, poolName, sharedCequencePoolName, type PoolRole } from "../../components/naming";
import { HTTPS_PORT } from "../../components/defaults";
import { normaliseHostname } from "../../components/hostnames";
import type { AppConfig, StackConfig } from "../../config/schema";
import type { Rules } from "cloudflare/resources/load-balancers/load-balancers";
import type { CloudflareRead } from "./cloudflareSession";
import type { FoundPool, LiveApp, LiveLoadBalancer, LiveMonitor, LivePool, LiveRecord, LiveRule, LiveState, LiveZone, PoolHealth, RegionHealth } from "./deployment";
import { globalHealth } from "./poolHealth";
import { holdsAPublicHostname, shadowingLoadBalancer } from "./shadowingLoadBalancer";
import { trafficVerdict } from "./trafficVerdict";

/**
 * The names the app's pool may have, the config's first: the shared Cequence
 * pool with `cequence.sharedPool`, then the per-app name, then the name a
 * stack deployed before the current scheme has.
 */
function poolNames(role: PoolRole, stack: string, app: AppConfig, config: StackConfig): string[] {
    const shared = role === "cequence" && config.cequence.sharedPool ? [sharedCequencePoolName(stack)] : [];
    // An app moved here from another stack keeps the names its pools had there (`apps[].poolStack`).
    const named = app.poolStack ?? stack;
    return [...shared, poolName(role, named, app.hostname), legacyPoolName(role, named, app.hostname)];
}

/** The name the config gives the app's pool of that role, which `pulumi up` creates it under. */
export function configuredPoolName(role: PoolRole, stack: string, app: AppConfig, config: StackConfig): string {
    return poolNames(role, stack, app, config)[0]!;
}

/** The app's pool of the given role, by the first of its names that Cloudflare has. */
export function findPool(byName: ReadonlyMap<string, LivePool>, role: PoolRole, stack: string, app: AppConfig, config: StackConfig): FoundPool | undefined {
    const names = poolNames(role, stack, app, config);
    const name = names.find((candidate) => byName.has(candidate));
    return name === undefined ? undefined : { pool: byName.get(name)!, expectedName: names[0]! };
}

/** The account and zone a list reads: a stack's config, or where a pending create was sent (`recover`). */
export type ListScope = Pick<StackConfig, "accountId" | "zoneId">;

/** Lists the account's pools once (Cloudflare does not page them: the SDK's iterator reads the one page). */
export async function listPools(read: CloudflareRead, config: ListScope): Promise<LivePool[]> {
    return read.request({ action: "list the account's load balancer pools", scope: "account" }, async (client, options) => {
        const pools: LivePool[] = [];
        for await (const pool of client.loadBalancers.pools.list({ account_id: config.accountId }, options)) {
            if (!pool.id || !pool.name) continue;
            pools.push({
                id: pool.id,
                name: pool.name,
                // Cloudflare's defaults: a pool and an origin are enabled, an origin's weight is 1.
                enabled: pool.enabled ?? true,
                monitor: pool.monitor || undefined,
                origins: (pool.origins ?? []).map((origin) => ({
                    address: normaliseHostname(origin.address ?? ""),
                    enabled: origin.enabled ?? true,
                    weight: origin.weight ?? 1,
                })),
                createdOn: pool.created_on,
            });
        }
        return pools;
    });
}

/**
 * The pools a read names: those listed for the stack's load balancers, else,
 * in a stack with none of its own, the account's when a load balancer holds
 * a public hostname (its pools are named in the report), else none.
 */
export async function poolsToName(read: CloudflareRead, config: ListScope & Pick<StackConfig, "apps">, listed: LivePool[] | undefined, loadBalancers: readonly LiveLoadBalancer[]): Promise<LivePool[]> {
    if (listed) return listed;
    return holdsAPublicHostname(config.apps, loadBalancers) ? listPools(read, config) : [];
}

/** Lists the account's monitors once (not paged either), by ID. */
export async function listMonitors(read: CloudflareRead, config: ListScope): Promise<Map<string, LiveMonitor>> {
    return read.request({ action: "list the account's load balancer monitors", scope: "account" }, async (client, options) => {
        const monitors = new Map<string, LiveMonitor>();
        const text = (value: unknown) => (value === undefined || value === null ? undefined : String(value));
        for await (const monitor of client.loadBalancers.monitors.list({ account_id: config.accountId }, options)) {
            if (!monitor.id) continue;
            const settings: LiveMonitor = {
                description: text(monitor.description),
                type: text(monitor.type),
                method: text(monitor.method),
                path: text(monitor.path),
                // 0 or none: the protocol's own port.
                port: monitor.type === "https" && !monitor.port ? String(HTTPS_PORT) : text(monitor.port),
                host: text(monitor.header?.Host?.join(", ")),
                expectedCodes: text(monitor.expected_codes),
                interval: text(monitor.interval),
                timeout: text(monitor.timeout),
                retries: text(monitor.retries),
                consecutiveUp: text(monitor.consecutive_up),
                consecutiveDown: text(monitor.consecutive_down),
                followRedirects: text(monitor.follow_redirects),
                allowInsecure: text(monitor.allow_insecure),
                createdOn: text(monitor.created_on),
            };
            monitors.set(monitor.id, Object.fromEntries(Object.entries(settings).filter(([, value]) => value !== undefined)));
        }
        return monitors;
    });
}

/** The zone's status and whether it is paused (Cloudflare is on no app's path unless it is active and not paused), and its plan. */
export async function readZone(read: CloudflareRead, config: ListScope): Promise<LiveZone> {
    return read.request({ action: "read the zone", scope: "zone" }, async (client, options) => {
        const zone = await client.zones.get({ zone_id: config.zoneId }, options);
        // Cloudflare reports both on every zone; absent, they mean an active zone that is not paused.
        return { name: normaliseHostname(zone.name), status: zone.status ?? "active", paused: zone.paused ?? false, plan: zone.plan?.legacy_id || undefined };
    });
}

/** The record types that carry a hostname's web traffic; a TXT or MX record at the name changes nothing. */
export const ROUTING_RECORD_TYPES = ["CNAME", "A", "AAAA"] as const;

/** Cloudflare's largest page of DNS records. */
const DNS_PAGE_SIZE = 5000;

/** Every A, AAAA and CNAME record of the zone by name, each name's CNAME first: one list per type, every page. */
export async function listRecords(read: CloudflareRead, config: Pick<ListScope, "zoneId">): Promise<Map<string, LiveRecord[]>> {
    const lists = await Promise.all(
        ROUTING_RECORD_TYPES.map((type) =>
            read.request({ action: `list the zone's ${type} records`, scope: "zone" }, async (client, options) => {
                const records: Array<[string, LiveRecord]> = [];
                for await (const record of client.dns.records.list({ zone_id: config.zoneId, type, per_page: DNS_PAGE_SIZE }, options)) {
                    const content = typeof record.content === "string" ? record.content : "";
                    const name = normaliseHostname(record.name);
                    records.push([name, { id: record.id, name, type: record.type, content: normaliseHostname(content), proxied: record.proxied ?? false, createdOn: record.created_on }]);
                }
                return records;
            }),
        ),
    );
    const byName = new Map<string, LiveRecord[]>();
    for (const [name, record] of lists.flat()) byName.set(name, [...(byName.get(name) ?? []), record]);
    return byName;
}

export async function listLoadBalancers(read: CloudflareRead, config: ListScope): Promise<LiveLoadBalancer[]> {
    return read.request({ action: "list the zone's load balancers", scope: "zone" }, async (client, options) => {
        const loadBalancers: LiveLoadBalancer[] = [];
        for await (const lb of client.loadBalancers.list({ zone_id: config.zoneId }, options)) {
            if (!lb.id || !lb.name) continue;
            const geoMaps = [lb.region_pools, lb.country_pools, lb.pop_pools] as Array<Record<string, string[]> | undefined>;
            loadBalancers.push({
                id: lb.id,
                name: normaliseHostname(lb.name),
                // Cloudflare's defaults: enabled, not proxied, weight 1.
                enabled: lb.enabled ?? true,
                proxied: lb.proxied ?? false,
                defaultPools: lb.default_pools ?? [],
                fallbackPool: lb.fallback_pool,
                steeringPolicy: lb.steering_policy ?? "",
                poolWeights: lb.random_steering?.pool_weights ?? {},
                defaultWeight: lb.random_steering?.default_weight ?? 1,
                geoPools: [...new Set(geoMaps.flatMap((map) => Object.values(map ?? {}).flat()))],
                rules: (lb.rules ?? []).map(liveRule),
                failoverAcrossPools: lb.adaptive_routing?.failover_across_pools,
                createdOn: lb.created_on,
            });
        }
        return loadBalancers;
    });
}

/**
 * A rule as the API gives it (the `cloudflare` SDK's `Rules`), read from the
 * API itself: terraform-provider-cloudflare v5 copies `rules` from its state
 * when it reads a load balancer, so `pulumi refresh` never sees a rule edited
 * in the dashboard, and `status` must.
 */
function liveRule(rule: Rules): LiveRule {
    const overrides = rule.overrides ?? {};
    const geoMaps = [overrides.region_pools, overrides.country_pools, overrides.pop_pools] as Array<Record<string, string[]> | undefined>;
    return {
        name: rule.name ?? "",
        condition: rule.condition ?? "",
        // Cloudflare's defaults: enabled, not terminating.
        disabled: rule.disabled ?? false,
        terminates: rule.terminates ?? false,
        pools: [...new Set([...(overrides.default_pools ?? []), ...geoMaps.flatMap((map) => Object.values(map ?? {}).flat())])],
        fallbackPool: overrides.fallback_pool || undefined,
        fixedResponse: rule.fixed_response !== undefined && rule.fixed_response !== null,
    };
}

/** What to read beyond the lists. */
export interface ReadOptions {
    /** Read the health of every pool an app's load balancer names, not only what decides the traffic (`--regions`, `--origin-health`). */
    allHealth: boolean;
}

export async function readLiveState(read: CloudflareRead, config: StackConfig, stack: string, options: ReadOptions): Promise<LiveState> {
    const needsLoadBalancers = config.apps.some(hasLoadBalancer);
    const [zone, records, listedPools, loadBalancers, monitors] = await Promise.all([
        readZone(read, config),
        listRecords(read, config),
        needsLoadBalancers ? listPools(read, config) : undefined,
        // Every stack: a load balancer named as a public hostname shadows its record, whatever the app's routing.
        listLoadBalancers(read, config),
        needsLoadBalancers ? listMonitors(read, config) : new Map<string, LiveMonitor>(),
    ]);
    const pools = await poolsToName(read, config, listedPools, loadBalancers);
    const poolsById = new Map(pools.map((pool) => [pool.id, pool]));
    const poolsByName = new Map(pools.map((pool) => [pool.name, pool]));
    const lbsByName = new Map(loadBalancers.map((lb) => [lb.name, lb]));
    const recordAt = (name: string) => records.get(name)?.find((r) => r.type === "CNAME") ?? records.get(name)?.[0];
    const apps = config.apps.map((app): LiveApp => {
        const record = recordAt(app.hostname);
        const shadowedBy = shadowingLoadBalancer(app.hostname, lbsByName);
        if (!hasLoadBalancer(app)) return { record, lbRecord: undefined, loadBalancer: undefined, shadowedBy, cequencePool: undefined, originPool: undefined };
        return {
            record,
            shadowedBy,
            lbRecord: recordAt(app.lbHostname),
            loadBalancer: lbsByName.get(app.lbHostname),
            cequencePool: findPool(poolsByName, "cequence", stack, app, config),
            originPool: findPool(poolsByName, "origin", stack, app, config),
        };
    });

    const health = new Map<string, PoolHealth>();
    const readHealth = async (ids: Iterable<string>) => {
        const wanted = [...new Set(ids)].flatMap((id) => {
            const pool = poolsById.get(id);
            return pool && !health.has(id) ? [pool] : [];
        });
        const results = await Promise.all(wanted.map(async (pool) => [pool.id, await poolHealth(read, config, pool)] as const));
        for (const [id, result] of results) health.set(id, result);
    };
    // Each Cequence pool once, shared or not: it decides every verdict that reaches a load balancer.
    await readHealth(apps.flatMap((app) => (app.cequencePool ? [app.cequencePool.pool.id] : [])));
    if (options.allHealth) {
        await readHealth(apps.flatMap((app) => [...(app.originPool ? [app.originPool.pool.id] : []), ...poolsNamedBy(app.loadBalancer)]));
    }
    // Then whatever a verdict still needs; each round reads pools no earlier round read, so this ends.
    for (;;) {
        const state: LiveState = { zone, apps, pools: poolsById, monitors, records, health };
        const needed = config.apps.flatMap((app, index) => {
            const verdict = trafficVerdict(app, config, apps[index]!, state);
            return "needsHealth" in verdict ? verdict.needsHealth : [];
        });
        const unread = needed.filter((id) => !health.has(id) && poolsById.has(id));
        if (unread.length === 0) return state;
        await readHealth(unread);
    }
}

function poolsNamedBy(lb: LiveLoadBalancer | undefined): string[] {
    return lb ? [...lb.defaultPools, ...(lb.fallbackPool ? [lb.fallbackPool] : []), ...lb.geoPools] : [];
}

/** A pool with no monitor is always healthy to Cloudflare, so there is nothing to read. */
export async function poolHealth(read: CloudflareRead, config: ListScope, pool: LivePool): Promise<PoolHealth> {
    if (!pool.monitor) return { healthy: true, regions: [] };
    const health = await read.request({ action: `read the health of pool ${pool.name}`, scope: "account" }, (client, options) =>
        client.loadBalancers.pools.health.get(pool.id, { account_id: config.accountId }, options),
    );
    return globalHealth(regionHealth(health));
}

/**
 * `pop_health` maps each checking region to its verdict (the schema's
 * example; the SDK's type flattens it to one verdict, so it is read as data).
 */
function regionHealth(health: unknown): RegionHealth[] {
    const popHealth = (health as { pop_health?: unknown } | null)?.pop_health;
    if (popHealth === null || typeof popHealth !== "object") return [];
    return Object.entries(popHealth as Record<string, { healthy?: unknown } | null>)
        .map(([region, verdict]) => ({ region, healthy: verdict?.healthy === true }))
        .sort((a, b) => a.region.localeCompare(b.region));
}
