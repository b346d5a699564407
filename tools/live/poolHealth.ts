/**
 * A pool's global health from what each checking region says, by Cloudflare's
 * rule: "If the majority of data centers for that region pass the health
 * monitor requests, that region is considered healthy. If the majority of
 * regions is healthy, then the endpoint itself will be considered healthy."
 * (https://developers.cloudflare.com/load-balancing/understand-basics/health-details/,
 * "How an endpoint becomes unhealthy"). With steering `off` a load balancer
 * fails over on that global health, so one region that cannot reach a pool
 * does not take traffic off it. The pool health API (`pop_health`) gives each
 * region's verdict on the pool; the stack's pools hold one origin each, so the
 * pool's verdict in a region is its endpoint's. Pure: no I/O.
 */
import type { PoolHealth, RegionHealth } from "./deployment";

/** Healthy when more than half of the regions that report find the pool healthy; a tie, or no region at all, is not a majority. */
export function globalHealth(regions: readonly RegionHealth[]): PoolHealth {
    const healthyRegions = regions.filter((region) => region.healthy).length;
    return { healthy: healthyRegions * 2 > regions.length, regions: [...regions] };
}

/** The regions that find the pool unhealthy while the majority does not: a note, not a verdict. */
export function degradedRegions(health: PoolHealth): string[] {
    return health.healthy ? health.regions.filter((region) => !region.healthy).map((region) => region.region) : [];
}
