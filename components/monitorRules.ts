/**
 * The rules a health monitor's settings follow, as plain data and functions:
 * the config schema (config/schema.ts) wraps them in zod, and the components
 * check their own arguments with them, so that a monitor the stack file would
 * refuse is refused by the components too. Each rule returns what is wrong
 * (a sentence to follow the setting's name) or undefined. No imports but the
 * defaults: the package ships this file, without zod.
 */
import type { MonitorSettings } from "./defaults";

/** A whole number's bounds, both included. */
export interface Bounds {
    min: number;
    max: number;
}

/** Bounds Cloudflare enforces on monitor fields (the OpenAPI schema states none). */
export const MONITOR_LIMITS = Object.freeze({
    interval: { min: 10, max: 3600 },
    timeout: { min: 1, max: 10 },
    retries: { min: 0, max: 5 },
    consecutiveUp: { min: 1, max: 10 },
    consecutiveDown: { min: 1, max: 10 },
} satisfies Record<string, Bounds>);

/** Why `value` is not a whole number within `bounds`, or undefined. */
export function wholeNumberProblem(value: unknown, bounds: Bounds): string | undefined {
    if (typeof value === "number" && Number.isInteger(value) && value >= bounds.min && value <= bounds.max) return undefined;
    return `must be a whole number from ${bounds.min} to ${bounds.max}, got ${JSON.stringify(value) ?? String(value)}`;
}

/**
 * Cloudflare's rule between three settings: a probe, with its retries, must
 * end before the next one starts. The problem is the interval's.
 */
export function probeTimingProblem(settings: Pick<MonitorSettings, "interval" | "timeout" | "retries">): string | undefined {
    const probeSeconds = (settings.retries + 1) * settings.timeout;
    if (settings.interval > probeSeconds) return undefined;
    return `must exceed (retries + 1) × timeout = (${settings.retries} + 1) × ${settings.timeout} = ${probeSeconds} s (Cloudflare's rule); got ${settings.interval}`;
}
