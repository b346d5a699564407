/**
 * The rules a health monitor's settings follow, as plain data and functions:
 * the config schema (config/schema.ts) wraps them in zod, and the components
 * check their own arguments with them, so that a monitor the stack file would
 * refuse is refused by the components too, in the same words. Each rule
 * returns what is wrong (a sentence to follow the setting's name) or
 * undefined. No zod: the package ships this file, and its runtime
 * dependencies are the @pulumi packages alone.
 */
import { MONITOR_DEFAULTS, type MonitorSettings } from "./defaults";
import type { PoolRole } from "./naming";

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

/** A TCP port: where a pool's origin takes traffic and its monitor probes. */
export const PORT_LIMITS: Readonly<Bounds> = Object.freeze({ min: 1, max: 65535 });

/** Why `value` is not a whole number within `bounds`, or undefined. */
export function wholeNumberProblem(value: unknown, bounds: Bounds): string | undefined {
    if (typeof value === "number" && Number.isInteger(value) && value >= bounds.min && value <= bounds.max) return undefined;
    return `must be a whole number from ${bounds.min} to ${bounds.max}, got ${JSON.stringify(value) ?? String(value)}`;
}

/** Why `value` is not a monitor's HTTP path, or undefined. */
export function pathProblem(value: unknown): string | undefined {
    if (typeof value === "string" && /^\/\S*$/.test(value)) return undefined;
    return `must start with / and contain no spaces, e.g. /health, got ${JSON.stringify(value) ?? String(value)}`;
}

/**
 * The status classes a monitor may count as healthy, by the pool it watches
 * (docs/configuration.md, "Monitors"). Probes follow no redirects and a 1xx is never a final
 * answer, so neither is health for Cequence; a Cequence that answers 5xx must
 * fail open, never stay healthy; and a 4xx is Cequence refusing the probe, as
 * it would refuse the traffic. The origin is the fallback, which takes traffic
 * whatever its health, so its monitor only tells status, preflight and alerts
 * the truth: a code that counts 5xx (or 1xx) as healthy would report a broken
 * origin ready for a cutover; 3xx and 4xx are what some origins answer on
 * their health path (an API's `/` answering 401 or 404).
 */
export const HEALTHY_CLASSES: Readonly<Record<PoolRole, readonly string[]>> = Object.freeze({ cequence: ["2"], origin: ["2", "3", "4"] });

const WHY_ONLY_THESE_CLASSES: Readonly<Record<PoolRole, string>> = Object.freeze({
    cequence: "a Cequence that answers otherwise must fail open to the origin, never stay in line",
    origin: "an origin that answers 1xx or 5xx is not healthy, and status and preflight would report it ready",
});

/** Why `value` cannot be the expected codes of the `role` pool's monitor, or undefined. */
export function expectedCodesProblem(role: PoolRole, value: unknown): string | undefined {
    if (typeof value !== "string" || !/^[1-5](\d\d|xx)$/.test(value)) {
        return `must be one status code such as "200" or a range such as "2xx", got ${JSON.stringify(value) ?? String(value)}`;
    }
    const classes = HEALTHY_CLASSES[role];
    if (classes.includes(value[0]!)) return undefined;
    const allowed = classes.map((c) => `${c}xx`).join(", ");
    return `${JSON.stringify(value)} cannot mean healthy on the ${role} monitor: use a code or range in ${allowed}; ${WHY_ONLY_THESE_CLASSES[role]}`;
}

/** Settings as given: any key may be unset (its default applies) or, from outside TypeScript, of any type. */
export type GivenMonitorSettings = Partial<Record<keyof MonitorSettings, unknown>>;

/**
 * Cloudflare's rule between three settings, each set or defaulted: a probe,
 * with its retries, must end before the next one starts. The problem is the
 * interval's. Made only when the three are each well formed: a comparison
 * with a value that is itself refused would only have to be made again.
 */
export function probeTimingProblem(settings: GivenMonitorSettings): string | undefined {
    const timing = { interval: MONITOR_DEFAULTS.interval, timeout: MONITOR_DEFAULTS.timeout, retries: MONITOR_DEFAULTS.retries };
    for (const key of ["interval", "timeout", "retries"] as const) {
        const value = settings[key];
        if (value === undefined) continue;
        if (wholeNumberProblem(value, MONITOR_LIMITS[key]) !== undefined) return undefined;
        timing[key] = value as number;
    }
    const probeSeconds = (timing.retries + 1) * timing.timeout;
    if (timing.interval > probeSeconds) return undefined;
    return `must exceed (retries + 1) × timeout = (${timing.retries} + 1) × ${timing.timeout} = ${probeSeconds} s (Cloudflare's rule); got ${timing.interval}`;
}

/** One setting's problem. */
export interface MonitorProblem {
    key: keyof MonitorSettings;
    message: string;
}

/** Every problem of the `role` pool's monitor settings, each under its key; unset keys take their defaults. */
export function monitorProblems(role: PoolRole, settings: GivenMonitorSettings): MonitorProblem[] {
    const problems: MonitorProblem[] = [];
    const add = (key: keyof MonitorSettings, message: string | undefined) => {
        if (message !== undefined) problems.push({ key, message });
    };
    if (settings.path !== undefined) add("path", pathProblem(settings.path));
    if (settings.expectedCodes !== undefined) add("expectedCodes", expectedCodesProblem(role, settings.expectedCodes));
    for (const key of Object.keys(MONITOR_LIMITS) as Array<keyof typeof MONITOR_LIMITS>) {
        if (settings[key] !== undefined) add(key, wholeNumberProblem(settings[key], MONITOR_LIMITS[key]));
    }
    add("interval", probeTimingProblem(settings));
    return problems;
}
