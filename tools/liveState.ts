/**
 * Reads what is deployed for a stack from Cloudflare's API alone (no Pulumi
 * state): each app's public DNS record, load balancer and two pools, found
 * by the names the program gives them (config/naming.ts), and the pools'
 * health per region.
 */
import { poolName, type PoolRole } from "../config/naming";
import { normaliseHostname, type AppConfig, type StackConfig } from "../config/schema";
import type { CloudflareSession } from "./cloudflareApi";

export interface RegionHealth {
    /** Cloudflare's name for the region that ran the checks, e.g. "Amsterdam, NL". */
    region: string;
    healthy: boolean;
}

export interface LivePool {
    id: string;
    name: string;
    enabled: boolean;
    /** The attached monitor's ID; undefined when none is attached. */
    monitor: string | undefined;
    /** Healthy only when at least one region checks the pool and every region finds it healthy. */
    healthy: boolean;
    regions: RegionHealth[];
}

export interface LiveLoadBalancer {
    id: string;
    name: string;
    defaultPools: string[];
    fallbackPool: string | undefined;
    /** `""` when Cloudflare reports none (its default). */
    steeringPolicy: string;
}

export interface LiveRecord {
    type: string;
    /** Normalised (lower case, no trailing dot), so it compares with config hostnames. */
    content: string;
}

/** What Cloudflare has for one app; a missing part is undefined. */
export interface LiveApp {
    record: LiveRecord | undefined;
    loadBalancer: LiveLoadBalancer | undefined;
    pools: Record<PoolRole, LivePool | undefined>;
}

export interface LiveState {
    /** In the order of `config.apps`. */
    apps: LiveApp[];
    /** Every pool in the account by ID, to name the pools a load balancer points at. */
    poolNames: ReadonlyMap<string, string>;
}

/** Apps whose CNAME points straight at Cequence have no load balancer and no pools. */
export function hasLoadBalancer(app: AppConfig): boolean {
    return app.routing !== "cequence";
}

interface PoolSummary {
    id?: string;
    name?: string;
    enabled?: boolean;
    monitor?: string;
}

/** Lists the account's pools once; each app's pools are then found by name. */
export async function listPools(session: CloudflareSession, config: StackConfig): Promise<PoolSummary[]> {
    const page = await session.request({ action: "list the account's load balancer pools", scope: "account" }, (client, options) =>
        client.loadBalancers.pools.list({ account_id: config.accountId }, options),
    );
    return page.result;
}

/** The app's pool of the given role, by the name the program gives it. */
export function findPool<P extends PoolSummary>(pools: readonly P[], role: PoolRole, stack: string, app: AppConfig): P | undefined {
    const name = poolName(role, stack, app.hostname);
    return pools.find((pool) => pool.name === name);
}

export async function readLiveState(session: CloudflareSession, config: StackConfig, stack: string): Promise<LiveState> {
    const needsLoadBalancers = config.apps.some(hasLoadBalancer);
    const [pools, loadBalancers] = needsLoadBalancers
        ? await Promise.all([listPools(session, config), listLoadBalancers(session, config)])
        : [[], []];
    const apps = await Promise.all(
        config.apps.map(async (app): Promise<LiveApp> => {
            const record = await readRecord(session, config, app.hostname);
            if (!hasLoadBalancer(app)) return { record, loadBalancer: undefined, pools: { cequence: undefined, origin: undefined } };
            const [cequence, origin] = await Promise.all(
                (["cequence", "origin"] as const).map((role) => withHealth(session, config, findPool(pools, role, stack, app))),
            );
            return {
                record,
                loadBalancer: loadBalancers.find((lb) => lb.name === app.lbHostname),
                pools: { cequence, origin },
            };
        }),
    );
    return {
        apps,
        poolNames: new Map(pools.flatMap((pool) => (pool.id && pool.name ? [[pool.id, pool.name] as const] : []))),
    };
}

async function listLoadBalancers(session: CloudflareSession, config: StackConfig): Promise<LiveLoadBalancer[]> {
    const page = await session.request({ action: "list the zone's load balancers", scope: "zone" }, (client, options) =>
        client.loadBalancers.list({ zone_id: config.zoneId }, options),
    );
    return page.result.flatMap((lb) =>
        lb.id && lb.name
            ? [
                  {
                      id: lb.id,
                      name: normaliseHostname(lb.name),
                      defaultPools: lb.default_pools ?? [],
                      fallbackPool: lb.fallback_pool,
                      steeringPolicy: lb.steering_policy ?? "",
                  },
              ]
            : [],
    );
}

/**
 * The public hostname's record. A name holding a CNAME holds nothing else,
 * so the first page of an exact-name query is the whole answer.
 */
async function readRecord(session: CloudflareSession, config: StackConfig, hostname: string): Promise<LiveRecord | undefined> {
    const page = await session.request({ action: `read the DNS record of ${hostname}`, scope: "zone" }, (client, options) =>
        client.dns.records.list({ zone_id: config.zoneId, name: { exact: hostname } }, options),
    );
    const record = page.result.find((r) => r.type === "CNAME") ?? page.result[0];
    if (!record) return undefined;
    return { type: record.type, content: normaliseHostname(typeof record.content === "string" ? record.content : "") };
}

async function withHealth(session: CloudflareSession, config: StackConfig, pool: PoolSummary | undefined): Promise<LivePool | undefined> {
    if (!pool?.id || !pool.name) return undefined;
    const poolId = pool.id;
    const health = await session.request({ action: `read the health of pool ${pool.name}`, scope: "account" }, (client, options) =>
        client.loadBalancers.pools.health.get(poolId, { account_id: config.accountId }, options),
    );
    const regions = regionHealth(health);
    return {
        id: poolId,
        name: pool.name,
        // Cloudflare's default for a pool is enabled.
        enabled: pool.enabled ?? true,
        monitor: pool.monitor || undefined,
        healthy: regions.length > 0 && regions.every((r) => r.healthy),
        regions,
    };
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
