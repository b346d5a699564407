import type { MonitorSettings } from "./defaults";

/**
 * Worst-case seconds from "Cequence stops answering health checks" to
 * "Cloudflare sends the hostname's traffic to the origin".
 *
 * From Cloudflare's monitor documentation
 * (https://developers.cloudflare.com/load-balancing/monitors/): a probe is
 * sent every `interval` seconds; a probe that gets no answer waits `timeout`
 * seconds and is retried `retries` times before it counts as failed; an
 * origin becomes unhealthy after `consecutiveDown` failed probes in a row;
 * a pool becomes unhealthy when fewer than `minimum_origins` (here 1, the
 * only origin) are healthy, and the load balancer then uses the next pool.
 *
 * Worst case: Cequence fails just after a successful probe, so the first
 * failing probe starts one `interval` later; it takes `(retries + 1) ×
 * timeout` seconds to fail, and `consecutiveDown - 1` more probes, one per
 * `interval`, must fail too:
 *
 *     consecutiveDown × interval + (retries + 1) × timeout
 *
 * Monitors run from several regions, each on this schedule, so this bounds
 * the slowest region. With `failoverAcrossPools`, requests that meet a
 * connection error are retried on the origin sooner, before the pool is
 * marked unhealthy.
 */
export function worstCaseFailOpenSeconds(monitor: Pick<MonitorSettings, "interval" | "timeout" | "retries" | "consecutiveDown">): number {
    return monitor.consecutiveDown * monitor.interval + (monitor.retries + 1) * monitor.timeout;
}
