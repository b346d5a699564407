/**
 * From what Cloudflare has (deployment.ts, as readDeployment.ts reads it) and
 * what the config asks for, each app's traffic path now (trafficVerdict.ts)
 * and every difference between the two (drift). Pure functions: no I/O.
 */
import type { AppConfig, StackConfig } from "../../config/schema";
import { HTTPS_PORT, PROBE_PROTOCOL, steeringPolicyFor } from "../../components/defaults";
import { cnameTarget, hasLoadBalancer, type PoolRole, type Routing } from "../../components/naming";
import { describePaths, PATH_RULE, pathRuleCondition, pathsOfRuleCondition } from "../../components/paths";
import type { FoundPool, LiveApp, LiveLoadBalancer, LiveRule, LiveState, LiveZone, MonitorSetting, RegionHealth } from "./deployment";
import { degradedRegions } from "./poolHealth";
import { originHostnames, proxiedOriginProblems, type ProxiedOriginProblem } from "./proxiedOrigin";
import { describeShadow, type Shadow } from "./shadowingLoadBalancer";
import { activeRules, pathsKeptBy, trafficVerdict, type TrafficPath } from "./trafficVerdict";

export { TRAFFIC_PATHS, type TrafficPath } from "./trafficVerdict";

/** Paths that need someone's attention: with any of them, `status` exits 2. */
const ALARMING: ReadonlySet<TrafficPath> = new Set(["failed-open", "down", "not-deployed", "not-proxied", "zone-paused", "zone-not-active", "shadowed-by-load-balancer"]);

/** Each way the live state can differ from the config, and how the text output names it. */
export const DRIFT_LABELS = {
    missing: "missing",
    "cname-target": "CNAME target",
    "record-proxied": "record proxied",
    "lb-enabled": "load balancer enabled",
    "lb-proxied": "load balancer proxied",
    "pool-order": "pool order",
    "fallback-pool": "fallback pool",
    "steering-policy": "steering policy",
    "geo-pools": "region, country and PoP pools",
    "lb-rules": "load balancer rules",
    "path-rule-missing": "path rule",
    "path-rule-disabled": "path rule enabled",
    "path-rule-edited": "path rule",
    "path-rule-paths": "path rule's paths",
    "failover-across-pools": "adaptive routing failover_across_pools",
    "pool-name": "pool name",
    "pool-origins": "pool origins",
    "cequence-pool-enabled": "Cequence pool enabled",
    "origin-pool-enabled": "origin pool enabled",
    "monitor-attached": "monitor attached",
    "monitor-settings": "monitor settings",
} as const;
export type DriftKind = keyof typeof DRIFT_LABELS;

/**
 * Drift in a load balancer's rules, which `pulumi up` does not see: the
 * provider's read copies `rules` from its state (docs/paths.md).
 */
export const RULE_DRIFT: ReadonlySet<DriftKind> = new Set(["lb-rules", "path-rule-missing", "path-rule-disabled", "path-rule-edited", "path-rule-paths"]);

export interface Drift {
    kind: DriftKind;
    /** What the config asks for. */
    expected: string;
    /** What Cloudflare has. */
    actual: string;
}

export interface PoolStatus {
    enabled: boolean;
    /** Null when not read: it decides nothing about the traffic now (`--origin-health` reads it). */
    healthy: boolean | null;
    regions: RegionHealth[];
    /** Regions that find the pool unhealthy while most find it healthy (so it is): shown as a note. */
    degradedRegions: string[];
}

export interface AppStatus {
    hostname: string;
    /** The config's routing, for display; not part of the JSON output. */
    routing: Routing;
    /** Where the public record points; null when there is no record. */
    cname: string | null;
    traffic: TrafficPath;
    /**
     * The paths the load balancer's rule keeps on its pools (the stack's path
     * rule, active and in the stack's form); null when no such rule narrows
     * the traffic.
     */
    paths: string[] | null;
    /** What in the zone breaks the app's path though the config and Cloudflare agree (a proxied origin, proxiedOrigin.ts), under the config key to change. */
    problems: ProxiedOriginProblem[];
    /** The load balancer named as the public hostname, which Cloudflare answers with instead of the record; null when none is (enabled). */
    shadowedBy: Shadow | null;
    /** Null when the app has no load balancer (routing: cequence) or the pool is missing. */
    cequencePool: PoolStatus | null;
    originPool: PoolStatus | null;
    drift: Drift[];
}

export interface StackStatus {
    stack: string;
    zone: LiveZone;
    apps: AppStatus[];
}

/** The steering policy the stack sets: failover, or weighted random during a rollout. */
function expectedSteeringPolicy(config: StackConfig): string {
    return steeringPolicyFor(config.cequence.trafficPercent);
}

export function assessStack(stack: string, config: StackConfig, live: LiveState): StackStatus {
    const problems = proxiedOriginProblems(originHostnames(config), live.records);
    return { stack, zone: live.zone, apps: config.apps.map((app, index) => assessApp(app, index, config, live.apps[index]!, live, problems)) };
}

function assessApp(app: AppConfig, index: number, config: StackConfig, live: LiveApp, state: LiveState, problems: readonly ProxiedOriginProblem[]): AppStatus {
    const verdict = trafficVerdict(app, config, live, state);
    // readLiveState reads every health a verdict asks for, so this is a bug, not a state of Cloudflare.
    if (!("traffic" in verdict)) throw new Error(`health of pools ${verdict.needsHealth.join(", ")} was not read`);
    const pool = (found: FoundPool | undefined): PoolStatus | null => {
        if (!found) return null;
        const health = state.health.get(found.pool.id);
        return { enabled: found.pool.enabled, healthy: health?.healthy ?? null, regions: health?.regions ?? [], degradedRegions: health ? degradedRegions(health) : [] };
    };
    return {
        hostname: app.hostname,
        routing: app.routing,
        cname: live.record?.content ?? null,
        traffic: verdict.traffic,
        paths: livePaths(live.loadBalancer, config, state),
        shadowedBy: live.shadowedBy ? describeShadow(live.shadowedBy, state.pools) : null,
        problems: problems.filter((problem) => problem.key.startsWith(`apps[${index}].`)),
        cequencePool: pool(live.cequencePool),
        originPool: pool(live.originPool),
        drift: findDrift(app, config, live, state),
    };
}

/** The paths the load balancer's one active rule keeps on its pools, when it is a path rule in the stack's form. */
function livePaths(lb: LiveLoadBalancer | undefined, config: StackConfig, state: LiveState): string[] | null {
    const rules = lb ? activeRules(lb) : [];
    return (rules.length === 1 && pathsKeptBy(rules[0]!, state.pools, config.cequence.hostname)) || null;
}

/** 2 when any app needs attention (failed open, down, not deployed, not proxied, shadowed by a load balancer, its zone paused or not active, drifted, or a problem such as a proxied origin), else 0. */
export function exitStatus(status: StackStatus): 0 | 2 {
    return status.apps.some((app) => ALARMING.has(app.traffic) || app.drift.length > 0 || app.problems.length > 0) ? 2 : 0;
}

/** Every difference between Cloudflare and what `pulumi up` would leave there for the app. */
function findDrift(app: AppConfig, config: StackConfig, live: LiveApp, state: LiveState): Drift[] {
    const drift: Drift[] = [];
    const differs = (kind: DriftKind, expected: string, actual: string) => {
        if (expected !== actual) drift.push({ kind, expected, actual });
    };
    const missing = (what: string) => drift.push({ kind: "missing", expected: what, actual: "none" });
    const { record } = live;
    if (!record) missing(`a DNS record ${app.hostname}`);
    else {
        differs("cname-target", cnameTarget(app, config.cequence.hostname), record.type === "CNAME" ? record.content : `${record.type} record ${record.content}`);
        differs("record-proxied", "true", String(record.proxied));
    }
    if (!hasLoadBalancer(app)) return drift;

    const { loadBalancer: lb, cequencePool: cequence, originPool: origin } = live;
    if (!lb) missing(`a load balancer ${app.lbHostname}`);
    const roles = [
        ["cequence", cequence, config.cequence.hostname, String(config.cequence.enabled)],
        ["origin", origin, app.origin, "true"],
    ] as const;
    for (const [role, found, address, enabled] of roles) {
        if (!found) {
            missing(role === "cequence" ? "a Cequence pool" : "an origin pool");
            continue;
        }
        differs("pool-name", found.expectedName, found.pool.name);
        const serving = found.pool.origins.filter((o) => o.enabled && o.weight > 0).map((o) => o.address);
        differs("pool-origins", address, serving.join(", ") || "none");
        differs(`${role}-pool-enabled`, enabled, String(found.pool.enabled));
        const monitorId = found.pool.monitor;
        const monitor = monitorId === undefined ? undefined : state.monitors.get(monitorId);
        if (!monitor) {
            drift.push({ kind: "monitor-attached", expected: `a health monitor on ${found.pool.name}`, actual: monitorId === undefined ? "none" : `unknown monitor ${monitorId}` });
            continue;
        }
        const expected = expectedMonitor(role, app, config);
        for (const [setting, value] of Object.entries(expected) as Array<[MonitorSetting, string]>) {
            const actual = monitor[setting];
            // A setting Cloudflare does not report cannot be compared; the rest must match.
            if (actual !== undefined && actual !== value) {
                drift.push({ kind: "monitor-settings", expected: `${setting} ${value} on ${found.pool.name}'s monitor`, actual: `${setting} ${actual}` });
            }
        }
    }
    if (!lb) return drift;
    differs("lb-enabled", "true", String(lb.enabled));
    differs("lb-proxied", "true", String(lb.proxied));
    const nameOf = (id: string | undefined) => (id === undefined ? "none" : (state.pools.get(id)?.name ?? `unknown pool ${id}`));
    if (cequence && origin) {
        differs("pool-order", [cequence.pool.name, origin.pool.name].join(", "), lb.defaultPools.map(nameOf).join(", "));
        differs("fallback-pool", origin.pool.name, nameOf(lb.fallbackPool));
    }
    differs("steering-policy", expectedSteeringPolicy(config), lb.steeringPolicy || '""');
    differs("geo-pools", "none", lb.geoPools.map(nameOf).join(", ") || "none");
    drift.push(...ruleDrift(app, lb, nameOf, origin));
    if (lb.failoverAcrossPools !== undefined) differs("failover-across-pools", String(config.cequence.failoverAcrossPools), String(lb.failoverAcrossPools));
    return drift;
}

/** Rules as drift text: `2 active: "a", "b"`. */
function describeRules(rules: readonly LiveRule[]): string {
    return `${rules.length} active: ${rules.map((rule) => JSON.stringify(rule.name || rule.condition)).join(", ")}`;
}

/**
 * The load balancer's rules against the config: none without `paths`; with
 * them, the stack's path rule (components/paths.ts), found by its name,
 * enabled, in the stack's form for the config's paths, sending what it
 * matches to the origin pool, and no other active rule. Read from the API
 * itself: `pulumi refresh` does not see a rule edited in the dashboard.
 */
function ruleDrift(app: AppConfig, lb: LiveLoadBalancer, nameOf: (id: string | undefined) => string, origin: FoundPool | undefined): Drift[] {
    const drift: Drift[] = [];
    const ours = app.paths === undefined ? undefined : lb.rules.find((rule) => rule.name === PATH_RULE.name);
    const others = activeRules(lb).filter((rule) => rule !== ours);
    if (others.length > 0) {
        drift.push({ kind: "lb-rules", expected: app.paths === undefined ? "none" : `only the stack's rule "${PATH_RULE.name}"`, actual: describeRules(others) });
    }
    if (app.paths === undefined) return drift;
    const originName = origin?.pool.name ?? "the origin pool";
    if (!ours) {
        drift.push({ kind: "path-rule-missing", expected: `a rule "${PATH_RULE.name}" sending every path but ${describePaths(app.paths)} to ${originName}`, actual: "none" });
        return drift;
    }
    if (ours.disabled) drift.push({ kind: "path-rule-disabled", expected: "enabled", actual: "disabled" });
    const paths = pathsOfRuleCondition(ours.condition);
    if (paths === undefined) drift.push({ kind: "path-rule-edited", expected: `condition ${pathRuleCondition(app.paths)}`, actual: `condition ${ours.condition}` });
    else if (describePaths(paths) !== describePaths(app.paths)) drift.push({ kind: "path-rule-paths", expected: describePaths(app.paths), actual: describePaths(paths) });
    const sends = (pools: string, fallback: string) => `every other path to pools ${pools}, fallback ${fallback}`;
    const actual = ours.fixedResponse
        ? "a fixed response"
        : sends(ours.pools.map(nameOf).join(", ") || "none", ours.fallbackPool === undefined ? "the load balancer's" : nameOf(ours.fallbackPool));
    if (origin && actual !== sends(originName, originName)) drift.push({ kind: "path-rule-edited", expected: sends(originName, originName), actual });
    if (!ours.terminates) drift.push({ kind: "path-rule-edited", expected: "terminates: true (no rule after it)", actual: "terminates: false" });
    return drift;
}

/** The probe settings `pulumi up` gives the app's monitor of that role (components/monitoredPool.ts). */
function expectedMonitor(role: PoolRole, app: AppConfig, config: StackConfig): Record<MonitorSetting, string> {
    const cequence = role === "cequence";
    const settings = cequence ? config.cequence.monitor : app.monitor;
    return {
        type: PROBE_PROTOCOL.type,
        method: PROBE_PROTOCOL.method,
        path: settings.path,
        port: String(cequence ? config.cequence.port : HTTPS_PORT),
        // A shared Cequence pool's monitor probes as `cequence.monitor.host`; every other as the app's hostname.
        host: (cequence ? config.cequence.monitor.host : undefined) ?? app.hostname,
        expectedCodes: settings.expectedCodes,
        interval: String(settings.interval),
        timeout: String(settings.timeout),
        retries: String(settings.retries),
        consecutiveUp: String(settings.consecutiveUp),
        consecutiveDown: String(settings.consecutiveDown),
        followRedirects: String(PROBE_PROTOCOL.followRedirects),
        allowInsecure: String(PROBE_PROTOCOL.allowInsecure),
    };
}
