/**
 * What a stack costs in Cloudflare Load Balancing, from its config alone:
 * Cloudflare limits and bills Load Balancing by endpoints (the origins in
 * pools) and the options chosen, and every monitor probes its endpoint from
 * several data centers. `npm run plan` prints this; README "Cost and limits"
 * cites the sources.
 */
import { HTTPS_PORT } from "../components/defaults";
import { hasLoadBalancer } from "../components/naming";
import type { StackConfig } from "./schema";

/**
 * Per-account limits outside Enterprise (Enterprise: set by contract), from
 * https://developers.cloudflare.com/load-balancing/reference/limitations/
 * (cloudflare/cloudflare-docs, src/content/docs/load-balancing/reference/limitations.mdx).
 * They are the account's, so every stack in the account shares them.
 */
export const NON_ENTERPRISE_LIMITS = Object.freeze({ loadBalancers: 20, pools: 20, endpoints: 20, monitorsPerPool: 1.5 });

/**
 * Data centers that probe an endpoint in each interval with "All Regions":
 * "Three health monitor probes per region are sent to each origin in the
 * associated pool. There are a total of 13 regions, resulting in 39 probes."
 * (https://developers.cloudflare.com/load-balancing/monitors/#health-monitor-regions).
 * The stack sets no `check_regions`, which the API documents as "every
 * Cloudflare data center" (hundreds), so real probe traffic can be higher.
 */
export const ALL_REGIONS_PROBING_DATA_CENTERS = 13 * 3;

/** Probes that reach one endpoint address (host and port). */
export interface ProbedEndpoint {
    role: "cequence" | "origin";
    address: string;
    port: number;
    /** Monitors probing it: one per pool it is in. */
    monitors: number;
    /** Probes a minute from each probing data center: the sum of 60 / interval over its monitors. */
    probesPerMinutePerDataCenter: number;
    /** The same with All Regions: × {@link ALL_REGIONS_PROBING_DATA_CENTERS}. */
    probesPerMinuteAllRegions: number;
}

export interface Footprint {
    loadBalancers: number;
    pools: number;
    /** Origins across pools, what Cloudflare bills and limits as endpoints. */
    endpoints: number;
    monitors: number;
    probed: ProbedEndpoint[];
    /** The non-Enterprise limits this stack alone goes over, as sentences. */
    overLimits: string[];
}

export function stackFootprint(config: StackConfig): Footprint {
    const loadBalanced = config.apps.filter(hasLoadBalancer);
    const perMinute = (interval: number) => 60 / interval;
    const cequencePools = config.cequence.sharedPool ? Math.min(1, loadBalanced.length) : loadBalanced.length;
    const pools = cequencePools + loadBalanced.length;
    const probed: ProbedEndpoint[] = [];
    const add = (role: ProbedEndpoint["role"], address: string, port: number, monitors: number, rate: number) => {
        const existing = probed.find((p) => p.role === role && p.address === address && p.port === port);
        const entry = existing ?? { role, address, port, monitors: 0, probesPerMinutePerDataCenter: 0, probesPerMinuteAllRegions: 0 };
        entry.monitors += monitors;
        entry.probesPerMinutePerDataCenter = round(entry.probesPerMinutePerDataCenter + rate);
        entry.probesPerMinuteAllRegions = round(entry.probesPerMinutePerDataCenter * ALL_REGIONS_PROBING_DATA_CENTERS);
        if (!existing) probed.push(entry);
    };
    if (cequencePools > 0) {
        add("cequence", config.cequence.hostname, config.cequence.port, cequencePools, cequencePools * perMinute(config.cequence.monitor.interval));
    }
    for (const app of loadBalanced) add("origin", app.origin, HTTPS_PORT, 1, perMinute(app.monitor.interval));

    const footprint = { loadBalancers: loadBalanced.length, pools, endpoints: pools, monitors: pools };
    const overLimits = (["loadBalancers", "pools", "endpoints"] as const)
        .filter((key) => footprint[key] > NON_ENTERPRISE_LIMITS[key])
        .map((key) => `${footprint[key]} ${key === "loadBalancers" ? "load balancers" : key}, above the ${NON_ENTERPRISE_LIMITS[key]} a non-Enterprise account allows`);
    return { ...footprint, probed, overLimits };
}

function round(value: number): number {
    return Math.round(value * 100) / 100;
}
