/**
 * The arithmetic of `coverage`, with no I/O: the window a command line asks
 * for, the fail-open windows a pool's health events describe (cut to that
 * window), the shares of sampled counts, and the verdict per app.
 * docs/coverage.md gives the Cloudflare behaviour each step relies on.
 */
import { CliError } from "./cliError";

/** A half-open time range [since, until), in epoch milliseconds. */
export interface TimeRange {
    since: number;
    until: number;
}

const RELATIVE = /^(\d+)([hd])$/;
const HOUR_MS = 3_600_000;

/**
 * `--since 24h|7d|<ISO time>` and `--until <ISO time>` (default: now) as a
 * range; an ISO time must name its zone (`Z` or an offset), so the window
 * never depends on the machine's. Refuses an empty or future window.
 */
export function parseWindow(since: string | undefined, until: string | undefined, now: number): TimeRange {
    const end = until === undefined ? now : isoTime(until, "--until");
    const text = since ?? "24h";
    const relative = RELATIVE.exec(text);
    const start = relative ? end - Number(relative[1]) * (relative[2] === "d" ? 24 : 1) * HOUR_MS : isoTime(text, "--since");
    if (end > now) throw new CliError(`--until ${until} is in the future; Cloudflare has no traffic to report after now (${new Date(now).toISOString()})`);
    if (start >= end) throw new CliError(`--since ${text} is not before --until ${new Date(end).toISOString()}: the window is empty`);
    return { since: start, until: end };
}

function isoTime(text: string, flag: string): number {
    // A date and a time with a zone: 2026-12-01T00:00:00Z, or with an offset.
    const at = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.test(text) ? Date.parse(text) : Number.NaN;
    if (Number.isNaN(at)) throw new CliError(`${flag} must be 24h, 7d (any number of h or d) or an ISO time with its zone such as 2026-12-01T00:00:00Z, got ${JSON.stringify(text)}`);
    return at;
}

/** The same range cut into pieces no longer than `maxMs` (a query's longest time range), in order. */
export function splitRange(range: TimeRange, maxMs: number): TimeRange[] {
    const pieces: TimeRange[] = [];
    for (let since = range.since; since < range.until; since += maxMs) pieces.push({ since, until: Math.min(since + maxMs, range.until) });
    return pieces;
}

/** One health event of a pool: at that time Cloudflare found it healthy or not. */
export interface HealthChange {
    at: number;
    healthy: boolean;
}

export type WindowReason = "unhealthy" | "disabled";

/** A period in which the Cequence pool could not take traffic, cut to the query window. */
export interface FailOpenWindow {
    start: number;
    end: number;
    reason: WindowReason;
    /** It began before the query window (or when Cloudflare does not say): `start` is the window's start. */
    startsBefore: boolean;
    /** It was still going at the window's end: `end` is the window's end. */
    endsAfter: boolean;
}

/**
 * The periods in which the pool was unhealthy, from its health events: each
 * event gives the state from then on. Before the first event the pool was in
 * the other state (an event is logged on a change); with no event it was in
 * `healthyWithoutEvents` throughout. Events outside the window only set the
 * state at its edges.
 */
export function unhealthyWindows(changes: readonly HealthChange[], range: TimeRange, healthyWithoutEvents = true): FailOpenWindow[] {
    const sorted = [...changes].sort((a, b) => a.at - b.at);
    const before = sorted.filter((c) => c.at <= range.since).at(-1);
    const inside = sorted.filter((c) => c.at > range.since && c.at < range.until);
    let healthy = before ? before.healthy : sorted.length > 0 ? !sorted[0]!.healthy : healthyWithoutEvents;
    const windows: FailOpenWindow[] = [];
    let openedAt: number | undefined = healthy ? undefined : range.since;
    for (const change of inside) {
        if (change.healthy === healthy) continue;
        healthy = change.healthy;
        if (!healthy) openedAt = change.at;
        else if (openedAt !== undefined) {
            windows.push({ start: openedAt, end: change.at, reason: "unhealthy", startsBefore: openedAt === range.since, endsAfter: false });
            openedAt = undefined;
        }
    }
    if (openedAt !== undefined) windows.push({ start: openedAt, end: range.until, reason: "unhealthy", startsBefore: openedAt === range.since, endsAfter: true });
    return windows;
}

/** A pool disabled now: Cloudflare's health events do not log enabling or disabling, so it is one window over the whole range, its start unknown. */
export function disabledWindow(range: TimeRange): FailOpenWindow {
    return { start: range.since, end: range.until, reason: "disabled", startsBefore: true, endsAfter: true };
}

export function durationSeconds(window: Pick<FailOpenWindow, "start" | "end">): number {
    return Math.round((window.end - window.start) / 1000);
}

/**
 * A count from an adaptive (sampled) dataset: Cloudflare's estimate and its
 * confidence interval (`confidence(level:)`), and the sampling that produced
 * it. Unsampled counts have lower = upper = estimate.
 */
export interface Estimate {
    estimate: number;
    lower: number;
    upper: number;
    /** Rows sampled; equal to the estimate when nothing was sampled. */
    sampleSize: number;
}

export const ZERO: Estimate = Object.freeze({ estimate: 0, lower: 0, upper: 0, sampleSize: 0 });

/** Two disjoint counts together (pieces of a split window, or groups of one pool): the bounds add, which can only widen the interval. */
export function addEstimates(a: Estimate, b: Estimate): Estimate {
    return { estimate: a.estimate + b.estimate, lower: a.lower + b.lower, upper: a.upper + b.upper, sampleSize: a.sampleSize + b.sampleSize };
}

export function isSampled(count: Estimate): boolean {
    return count.sampleSize < count.estimate;
}

/** A share with the range the counts' intervals allow; null when there is nothing to share. */
export interface Share {
    estimate: number;
    lower: number;
    upper: number;
}

/**
 * `part` of `part + rest`: the estimate from the estimates, the bounds from
 * the extremes of both intervals (part low with rest high, and the reverse).
 */
export function shareOf(part: Estimate, rest: Estimate): Share | null {
    const total = part.estimate + rest.estimate;
    if (total <= 0) return null;
    const ratio = (a: number, b: number) => (a + b <= 0 ? 0 : a / (a + b));
    return { estimate: part.estimate / total, lower: ratio(part.lower, rest.upper), upper: Math.min(1, ratio(part.upper, rest.lower)) };
}

/** `part` of a total counted elsewhere (a path's requests through Cequence of all its requests): capped at 1, as two datasets can disagree a little. */
export function shareOfTotal(part: Estimate, total: Estimate): Share | null {
    if (total.estimate <= 0) return null;
    const cap = (value: number) => Math.min(1, Math.max(0, value));
    return {
        estimate: cap(part.estimate / total.estimate),
        lower: total.upper <= 0 ? 0 : cap(part.lower / total.upper),
        upper: total.lower <= 0 ? 1 : cap(part.upper / total.lower),
    };
}

export type Verdict = "covered" | "gaps" | "no-traffic" | "not-deployed" | "not-measured";

/**
 * The app's verdict: `not-deployed` without its load balancer, `no-traffic`
 * with no request in the window, else `covered` when the share that
 * matters (the listed paths' for an app with `paths`) is at least
 * `minShare`, and `gaps` below it.
 */
export function verdictOf(input: { deployed: boolean; requests: Estimate; share: Share | null; minShare: number }): Verdict {
    if (!input.deployed) return "not-deployed";
    if (input.requests.estimate <= 0 || input.share === null) return "no-traffic";
    return input.share.estimate >= input.minShare ? "covered" : "gaps";
}
