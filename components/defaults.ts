/**
 * Every default of the stack, in one place. The config schema and the
 * components both read these, so a value documented in the README is the
 * value deployed whether a stack is built from config or from the components.
 */

/** Health-monitor settings; each field maps to a Cloudflare monitor field. */
export interface MonitorSettings {
    /** HTTP path probed on the pool's origin; starts with `/`. */
    path: string;
    /** Status code(s) that count as healthy: `"200"` or a range such as `"2xx"`. */
    expectedCodes: string;
    /** Seconds between probes (10–3600; Cloudflare's minimum is 60 on Pro, 15 on Business, 10 on Enterprise). */
    interval: number;
    /** Seconds before one probe times out (1–10). */
    timeout: number;
    /** Extra attempts, each after a timeout, before a probe counts as failed (0–5). */
    retries: number;
    /** Consecutive healthy probes before an unhealthy origin is healthy again (1–10). */
    consecutiveUp: number;
    /** Consecutive failed probes before a healthy origin is unhealthy (1–10). */
    consecutiveDown: number;
}

/**
 * A 60 s interval is the shortest that every paid plan accepts (Pro's minimum),
 * so the default deploys anywhere; Business and Enterprise zones can go lower.
 * `consecutiveDown: 1` fails open on the first failed probe; `consecutiveUp: 2`
 * keeps a flapping Cequence from being put back in line on one good probe.
 */
export const MONITOR_DEFAULTS: Readonly<MonitorSettings> = Object.freeze({
    path: "/",
    expectedCodes: "200",
    interval: 60,
    timeout: 5,
    retries: 2,
    consecutiveUp: 2,
    consecutiveDown: 1,
});

/** Fills the unset fields of a partial monitor with {@link MONITOR_DEFAULTS}. */
export function withMonitorDefaults(partial: Partial<MonitorSettings> | undefined): MonitorSettings {
    return { ...MONITOR_DEFAULTS, ...definedOnly(partial ?? {}) };
}

function definedOnly<T extends object>(value: T): Partial<T> {
    return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** The Cequence pool takes traffic unless the stack forces it out of line (guide, appendix C). */
export const CEQUENCE_ENABLED_DEFAULT = true;

/** The guide's step 6: the public CNAME points at the load balancer. */
export const ROUTING_DEFAULT = "loadBalancer";

/** Cloudflare requires TTL 1 ("automatic") on proxied records. */
export const PROXIED_TTL = 1;

/** Cloudflare's API base: the pools' health URLs in outputs, and where the live tools go unless `CLOUDFLARE_BASE_URL` says otherwise. */
export const CLOUDFLARE_API_BASE = "https://api.cloudflare.com/client/v4";

/** Zero-downtime failover: retry a request on the origin pool when Cequence answers 521/522/523/525/526. */
export const FAILOVER_ACROSS_POOLS_DEFAULT = true;

/** Per-app Cequence pools by default: each hostname fails open on its own (docs/configuration.md, "Shared Cequence pool"). */
export const SHARED_POOL_DEFAULT = false;

/** HTTPS's port: every probe and origin connection is HTTPS. */
export const HTTPS_PORT = 443;

/** The Cequence endpoint's port: HTTPS's. A Cequence Bridge takes traffic on its own port (9443 by Cequence's docs). */
export const CEQUENCE_PORT_DEFAULT = HTTPS_PORT;

/** Share of traffic sent to Cequence; 100 is the guide's failover (steering off). */
export const TRAFFIC_PERCENT_DEFAULT = 100;
/** The share of requests a rollout may send to Cequence, in percent, both ends included. */
export const TRAFFIC_PERCENT_LIMITS = Object.freeze({ min: 1, max: 100 });

/** True-Client-IP is an Enterprise feature, so it is off unless asked for (guide, appendix D). */
export const TRUE_CLIENT_IP_DEFAULT = false;

/** Above this worst-case fail-open time the program warns. */
export const FAIL_OPEN_WARNING_SECONDS = 300;

/** The edge-authentication header's name when the config names none. */
export const EDGE_AUTH_HEADER_DEFAULT = "X-Edge-Auth";

/**
 * How every probe is sent, whatever the monitor settings: HTTPS GET, no
 * redirects followed (a redirect is not health), certificates checked.
 * `preflight` previews with the same, so its verdict holds for what deploys.
 * Here, not in monitoredPool.ts, so that the live tools need not load Pulumi.
 */
export const PROBE_PROTOCOL = Object.freeze({
    type: "https",
    method: "GET",
    followRedirects: false,
    allowInsecure: false,
} as const);

/** Failover (`off`) sends all traffic to Cequence while it is healthy; a partial share needs weighted `random` steering. */
export function steeringPolicyFor(cequenceTrafficPercent: number): "off" | "random" {
    return cequenceTrafficPercent < 100 ? "random" : "off";
}

/** Cloudflare's ID of the managed transform that adds True-Client-IP. */
export const TRUE_CLIENT_IP_TRANSFORM = "add_true_client_ip_headers";

/** Cloudflare refuses to enable this managed transform together with True-Client-IP. */
export const CONFLICTS_WITH_TRUE_CLIENT_IP = "remove_visitor_ip_headers";
