/**
 * From what Cloudflare has (liveState.ts) and what the config asks for, each
 * app's traffic path now and every difference between the two (drift).
 * Pure functions: no I/O.
 */
import type { AppConfig, Routing, StackConfig } from "../config/schema";
import { steeringPolicyFor } from "../components/failoverLoadBalancer";
import { cnameTarget } from "../config/naming";
import { hasLoadBalancer, type LiveApp, type LivePool, type LiveState, type RegionHealth } from "./liveState";

export const TRAFFIC_PATHS = [
    "through-cequence",
    "failed-open",
    "forced-out-of-line",
    "bypassed",
    "cequence-direct",
    "down",
    "not-deployed",
] as const;
export type TrafficPath = (typeof TRAFFIC_PATHS)[number];

/** Paths that need someone's attention: with any of them, `status` exits 2. */
const ALARMING: ReadonlySet<TrafficPath> = new Set(["failed-open", "down", "not-deployed"]);

/** Each way the live state can differ from the config, and how the text output names it. */
export const DRIFT_LABELS = {
    "pool-order": "pool order",
    "fallback-pool": "fallback pool",
    "steering-policy": "steering policy",
    "cname-target": "CNAME target",
    "cequence-pool-enabled": "Cequence pool enabled",
    "monitor-attached": "monitor attached",
} as const;
export type DriftKind = keyof typeof DRIFT_LABELS;

export interface Drift {
    kind: DriftKind;
    /** What the config asks for. */
    expected: string;
    /** What Cloudflare has. */
    actual: string;
}

export interface PoolStatus {
    enabled: boolean;
    healthy: boolean;
    regions: RegionHealth[];
}

export interface AppStatus {
    hostname: string;
    /** The config's routing, for display; not part of the JSON output. */
    routing: Routing;
    /** Where the public record points; null when there is no record. */
    cname: string | null;
    traffic: TrafficPath;
    /** Null when the app has no load balancer (routing: cequence) or the pool is missing. */
    cequencePool: PoolStatus | null;
    originPool: PoolStatus | null;
    drift: Drift[];
}

export interface StackStatus {
    stack: string;
    apps: AppStatus[];
}

/** The steering policy the stack sets: failover, or weighted random during a rollout. */
export function expectedSteeringPolicy(config: StackConfig): string {
    return steeringPolicyFor(config.cequence.trafficPercent);
}

export function assessStack(stack: string, config: StackConfig, live: LiveState): StackStatus {
    return { stack, apps: config.apps.map((app, index) => assessApp(app, config, live.apps[index]!, live.poolNames)) };
}

export function assessApp(app: AppConfig, config: StackConfig, live: LiveApp, poolNames: ReadonlyMap<string, string>): AppStatus {
    const { cequence, origin } = live.pools;
    return {
        hostname: app.hostname,
        routing: app.routing,
        cname: live.record?.content ?? null,
        traffic: trafficPath(app, config, live),
        cequencePool: cequence ? poolStatus(cequence) : null,
        originPool: origin ? poolStatus(origin) : null,
        drift: findDrift(app, config, live, poolNames),
    };
}

/** 2 when any app needs attention (failed open, down, not deployed, or drifted), else 0. */
export function exitStatus(status: StackStatus): 0 | 2 {
    return status.apps.some((app) => ALARMING.has(app.traffic) || app.drift.length > 0) ? 2 : 0;
}

function poolStatus(pool: LivePool): PoolStatus {
    return { enabled: pool.enabled, healthy: pool.healthy, regions: pool.regions };
}

function isDeployed(app: AppConfig, live: LiveApp): boolean {
    if (live.record?.type !== "CNAME") return false;
    if (!hasLoadBalancer(app)) return true;
    return live.loadBalancer !== undefined && live.pools.cequence !== undefined && live.pools.origin !== undefined;
}

/**
 * Follows the record: to Cequence directly, to the load balancer (which sends
 * traffic to Cequence's pool while it is enabled and healthy, else to the
 * origin), or anywhere else, which bypasses Cequence.
 */
function trafficPath(app: AppConfig, config: StackConfig, live: LiveApp): TrafficPath {
    if (!isDeployed(app, live)) return "not-deployed";
    const target = live.record!.content;
    if (target === config.cequence.hostname) return "cequence-direct";
    if (target !== app.lbHostname) return "bypassed";
    const cequence = live.pools.cequence!;
    const origin = live.pools.origin!;
    if (cequence.enabled && cequence.healthy) return "through-cequence";
    if (!(origin.enabled && origin.healthy)) return "down";
    return cequence.enabled ? "failed-open" : "forced-out-of-line";
}

function findDrift(app: AppConfig, config: StackConfig, live: LiveApp, poolNames: ReadonlyMap<string, string>): Drift[] {
    const drift: Drift[] = [];
    const differs = (kind: DriftKind, expected: string, actual: string) => {
        if (expected !== actual) drift.push({ kind, expected, actual });
    };
    if (live.record) {
        const actual = live.record.type === "CNAME" ? live.record.content : `${live.record.type} record ${live.record.content}`;
        differs("cname-target", cnameTarget(app, config.cequence.hostname), actual);
    }
    const { cequence, origin } = live.pools;
    const lb = live.loadBalancer;
    if (lb && cequence && origin) {
        const nameOf = (id: string | undefined) => (id === undefined ? "none" : (poolNames.get(id) ?? `unknown pool ${id}`));
        differs("pool-order", [cequence.name, origin.name].join(", "), lb.defaultPools.map(nameOf).join(", "));
        differs("fallback-pool", origin.name, nameOf(lb.fallbackPool));
        differs("steering-policy", expectedSteeringPolicy(config), lb.steeringPolicy || '""');
    }
    if (cequence) differs("cequence-pool-enabled", String(config.cequence.enabled), String(cequence.enabled));
    for (const pool of [cequence, origin]) {
        if (pool && !pool.monitor) drift.push({ kind: "monitor-attached", expected: `a health monitor on ${pool.name}`, actual: "none" });
    }
    return drift;
}
