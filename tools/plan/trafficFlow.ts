/**
 * An app's traffic path as the stack sets it up, hop by hop: the one
 * description that the plan prints as text and draws as a Mermaid flowchart.
 */
import { HTTPS_PORT, steeringPolicyFor } from "../../components/defaults";
import { worstCaseFailOpenSeconds } from "../../components/failOpen";
import type { Routing } from "../../components/naming";
import { canonicalPaths, describePaths } from "../../components/paths";
import type { AppConfig, StackConfig } from "../../config/schema";

export interface TrafficFlow {
    hostname: string;
    routing: Routing;
    /** Where the public CNAME points. */
    cnameTarget: string;
    cequence: { hostname: string; port: number; shared: boolean; enabled: boolean };
    origin: { hostname: string; port: number };
    /** Undefined with `routing: cequence`, which has none. */
    loadBalancer?: {
        hostname: string;
        /** `off` (failover in pool order), or `random` during a rollout. */
        steering: "off" | "random";
        /** Share of requests sent to Cequence. */
        cequencePercent: number;
        failoverAcrossPools: boolean;
        /** Worst-case seconds before traffic fails open to the origin when Cequence fails. */
        failOpenSeconds: number;
        /** With `paths`, the only paths whose requests take the path above (canonical order); every other request goes straight to the origin pool. */
        paths?: string[];
    };
}

export function trafficFlow(config: StackConfig, app: AppConfig): TrafficFlow {
    const { hostname, port, sharedPool, enabled, trafficPercent, failoverAcrossPools, monitor } = config.cequence;
    const loadBalancer = {
        hostname: app.lbHostname,
        steering: steeringPolicyFor(trafficPercent),
        cequencePercent: trafficPercent,
        failoverAcrossPools,
        failOpenSeconds: worstCaseFailOpenSeconds(monitor),
        ...(app.paths === undefined ? {} : { paths: canonicalPaths(app.paths) }),
    };
    const cnameTarget = { loadBalancer: app.lbHostname, origin: app.origin, cequence: hostname }[app.routing];
    return {
        hostname: app.hostname,
        routing: app.routing,
        cnameTarget,
        cequence: { hostname, port, shared: sharedPool, enabled },
        origin: { hostname: app.origin, port: HTTPS_PORT },
        ...(app.routing === "cequence" ? {} : { loadBalancer }),
    };
}

/** The flow as the plan's text lines. */
export function describeFlow(flow: TrafficFlow): string[] {
    const cname = `${flow.hostname} → CNAME ${flow.cnameTarget}`;
    const lb = flow.loadBalancer;
    if (lb === undefined) return [`${cname} (Cequence in line, no load balancer: no fail-open)`];
    if (flow.routing === "origin") {
        return [
            `${cname} (bypasses Cequence: before the cutover, or rolled back)`,
            `load balancer ${lb.hostname} is deployed but not in the path; set routing: loadBalancer to cut over`,
        ];
    }
    const steering = lb.steering === "random" ? `rollout: random steering, ${lb.cequencePercent}% to Cequence` : "failover, steering off";
    const origin = `origin ${flow.origin.hostname}:${flow.origin.port}`;
    return [
        `${cname} (load balancer, ${steering})`,
        ...(lb.paths ? [`requests for ${describePaths(lb.paths)} only:`] : []),
        `1st: Cequence ${flow.cequence.hostname}:${flow.cequence.port}${flow.cequence.shared ? " (the stack's shared pool)" : ""}${flow.cequence.enabled ? "" : " (pool DISABLED: forced out of line)"}`,
        `2nd and fallback: ${origin} (fail-open when Cequence is unhealthy or disabled)`,
        ...(lb.paths ? [`every other request: straight to ${origin}, never Cequence (the load balancer's rule)`] : []),
        `fail-open: within ${lb.failOpenSeconds} s of Cequence failing its health checks (worst case)${lb.failoverAcrossPools ? "; connection errors retried on the origin at once" : ""}`,
    ];
}
