/**
 * What Cloudflare holds for a stack, in the shapes the live tools compare
 * with the config: readDeployment.ts fills them from the API,
 * trafficVerdict.ts and assessDeployment.ts judge them. Types only: no I/O.
 */
export interface RegionHealth {
    /** Cloudflare's name for the region that ran the checks, e.g. "Amsterdam, NL". */
    region: string;
    healthy: boolean;
}

export interface PoolHealth {
    /** Healthy when most regions that check the pool find it healthy (Cloudflare's rule, poolHealth.ts), or when it has no monitor (Cloudflare then counts it healthy). */
    healthy: boolean;
    regions: RegionHealth[];
}

export interface LiveOrigin {
    /** Normalised, so it compares with config hostnames. */
    address: string;
    enabled: boolean;
    weight: number;
}

export interface LivePool {
    id: string;
    name: string;
    enabled: boolean;
    /** The attached monitor's ID; undefined when none is attached. */
    monitor: string | undefined;
    origins: LiveOrigin[];
    /** When Cloudflare made it (ISO 8601), as the API reports `created_on`; `recover` compares it with the update's start. */
    createdOn?: string;
}

/**
 * A monitor's probe settings and description as Cloudflare reports them, each
 * as text to compare with the config and to print; a setting Cloudflare left
 * out is absent. The description tells apart monitors whose probes are alike
 * (`recover` matches on it).
 */
export type LiveMonitor = Partial<Record<MonitorSetting | "description" | "createdOn", string>>;

/** The probe settings the stack sets on every monitor (components/monitoredPool.ts). */
export type MonitorSetting =
    | "type"
    | "method"
    | "path"
    | "port"
    | "host"
    | "expectedCodes"
    | "interval"
    | "timeout"
    | "retries"
    | "consecutiveUp"
    | "consecutiveDown"
    | "followRedirects"
    | "allowInsecure";

/** One of a load balancer's custom rules, by what it does to a request it matches. */
export interface LiveRule {
    /** `""` when it has none. */
    name: string;
    condition: string;
    disabled: boolean;
    terminates: boolean;
    /** Pools it sends a matching request to: its overrides' default pools, then their region, country and PoP pools; empty when it overrides none. */
    pools: string[];
    /** Its override of the fallback pool; undefined when it keeps the load balancer's. */
    fallbackPool: string | undefined;
    /** It answers the request itself (`fixed_response`) instead of sending it to a pool. */
    fixedResponse: boolean;
}

export interface LiveLoadBalancer {
    id: string;
    name: string;
    enabled: boolean;
    proxied: boolean;
    defaultPools: string[];
    fallbackPool: string | undefined;
    /** `""` when Cloudflare reports none (its default). */
    steeringPolicy: string;
    /** Random steering's weights: per pool ID, else `defaultWeight`. */
    poolWeights: Readonly<Record<string, number>>;
    defaultWeight: number;
    /** Every pool named by `region_pools`, `country_pools` and `pop_pools` (geo steering). */
    geoPools: string[];
    /** Its custom rules, disabled ones too, in the order Cloudflare gives them. */
    rules: LiveRule[];
    /** Adaptive routing's `failover_across_pools`; undefined when Cloudflare does not say. */
    failoverAcrossPools: boolean | undefined;
    /** When Cloudflare made it (ISO 8601, `created_on`). */
    createdOn?: string;
}

export interface LiveRecord {
    id: string;
    /** Normalised, as `content`. */
    name: string;
    type: string;
    /** Normalised (lower case, no trailing dot), so it compares with config hostnames. */
    content: string;
    proxied: boolean;
    /** When Cloudflare made it (ISO 8601, `created_on`). */
    createdOn?: string;
}

/** A pool found for an app by name, and the name the config gives it (they differ when it has a legacy name). */
export interface FoundPool {
    pool: LivePool;
    expectedName: string;
}

/** What Cloudflare has for one app; a missing part is undefined. */
export interface LiveApp {
    /** The public hostname's record: its CNAME, else an A or AAAA record. */
    record: LiveRecord | undefined;
    /** A record at the LB hostname: Cloudflare answers with it while the load balancer is disabled. */
    lbRecord: LiveRecord | undefined;
    loadBalancer: LiveLoadBalancer | undefined;
    /** An enabled load balancer named as the public hostname: Cloudflare answers with it, not with `record` (shadowingLoadBalancer.ts). */
    shadowedBy: LiveLoadBalancer | undefined;
    cequencePool: FoundPool | undefined;
    originPool: FoundPool | undefined;
}

/** The zone itself: whether Cloudflare is on its traffic's path at all. */
export interface LiveZone {
    name: string;
    /** `active` when the zone's nameservers are Cloudflare's; `initializing`, `pending` or `moved` otherwise. */
    status: string;
    /** Paused: Cloudflare answers the zone's DNS and proxies nothing. */
    paused: boolean;
    /** The plan's legacy ID (`free`, `pro`, `business`, `enterprise`); undefined when Cloudflare does not say. */
    plan: string | undefined;
}

export interface LiveState {
    zone: LiveZone;
    /** In the order of `config.apps`. */
    apps: LiveApp[];
    /** Every pool in the account by ID, to follow and name the pools a load balancer points at. */
    pools: ReadonlyMap<string, LivePool>;
    /** Every monitor in the account by ID. */
    monitors: ReadonlyMap<string, LiveMonitor>;
    /** The zone's A, AAAA and CNAME records by name, each name's CNAME first (an origin that is one of them must not be proxied). */
    records: ReadonlyMap<string, LiveRecord[]>;
    /** The health read so far, by pool ID; a pool absent here was not read. */
    health: ReadonlyMap<string, PoolHealth>;
}
