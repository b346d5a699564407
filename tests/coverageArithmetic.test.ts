/** The arithmetic of `coverage`: windows, fail-open periods cut to the window's edges, shares of sampled counts, verdicts; and how it reads GraphQL errors. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import {
    addEstimates,
    disabledWindow,
    durationSeconds,
    isSampled,
    parseWindow,
    shareOf,
    shareOfTotal,
    splitRange,
    unhealthyWindows,
    verdictOf,
    ZERO,
    type Estimate,
} from "../tools/live/coverageArithmetic";
import { CliError } from "../tools/live/cliError";
import type { CloudflareRead } from "../tools/live/cloudflareSession";
import { readLimits } from "../tools/live/readTraffic";

const H = 3_600_000;
const NOW = Date.parse("2026-12-06T12:00:00Z");
const RANGE = { since: NOW - 24 * H, until: NOW };
const exact = (n: number): Estimate => ({ estimate: n, lower: n, upper: n, sampleSize: n });

describe("the window asked for", () => {
    it("24h and 7d count back from --until (default now); ISO times need their zone", () => {
        assert.deepEqual(parseWindow(undefined, undefined, NOW), RANGE);
        assert.deepEqual(parseWindow("7d", "2026-12-06T00:00:00Z", NOW), { since: Date.parse("2026-11-29T00:00:00Z"), until: Date.parse("2026-12-06T00:00:00Z") });
        assert.deepEqual(parseWindow("2026-12-06T10:00:00+01:00", undefined, NOW), { since: Date.parse("2026-12-06T09:00:00Z"), until: NOW });
        assert.throws(() => parseWindow("2026-12-06T10:00:00", undefined, NOW), CliError);
        assert.throws(() => parseWindow("1w", undefined, NOW), /--since must be 24h, 7d/);
        assert.throws(() => parseWindow("2026-12-06T12:00:00Z", undefined, NOW), /the window is empty/);
        assert.throws(() => parseWindow("1h", "2026-12-07T00:00:00Z", NOW), /in the future/);
    });

    it("a window wider than a query may ask is cut into pieces that cover it exactly, none wider", () => {
        fc.assert(
            fc.property(fc.integer({ min: 1, max: 10_000 }), fc.integer({ min: 1, max: 3_000 }), (length, max) => {
                const pieces = splitRange({ since: 0, until: length }, max);
                assert.equal(pieces[0]!.since, 0);
                assert.equal(pieces.at(-1)!.until, length);
                pieces.forEach((piece, i) => {
                    assert.ok(piece.until - piece.since <= max && piece.since < piece.until);
                    if (i > 0) assert.equal(piece.since, pieces[i - 1]!.until);
                });
            }),
        );
    });
});

describe("fail-open windows from health events", () => {
    it("an unhealthy period inside the window has its start, end and duration", () => {
        const windows = unhealthyWindows([{ at: RANGE.since + 2 * H, healthy: false }, { at: RANGE.since + 3 * H, healthy: true }], RANGE);
        assert.deepEqual(windows, [{ start: RANGE.since + 2 * H, end: RANGE.since + 3 * H, reason: "unhealthy", startsBefore: false, endsAfter: false }]);
        assert.equal(durationSeconds(windows[0]!), 3600);
    });

    it("a period that began before the window is cut at its start; one still going is cut at its end", () => {
        // First event in the window says healthy: the pool was unhealthy before it.
        assert.deepEqual(unhealthyWindows([{ at: RANGE.since + H, healthy: true }, { at: RANGE.until - H, healthy: false }], RANGE), [
            { start: RANGE.since, end: RANGE.since + H, reason: "unhealthy", startsBefore: true, endsAfter: false },
            { start: RANGE.until - H, end: RANGE.until, reason: "unhealthy", startsBefore: false, endsAfter: true },
        ]);
    });

    it("events outside the window only set the state at its edges", () => {
        // Unhealthy since before the window, healthy only after it: the whole window.
        assert.deepEqual(unhealthyWindows([{ at: RANGE.since - H, healthy: false }, { at: RANGE.until + H, healthy: true }], RANGE), [
            { start: RANGE.since, end: RANGE.until, reason: "unhealthy", startsBefore: true, endsAfter: true },
        ]);
        assert.deepEqual(unhealthyWindows([{ at: RANGE.since - 2 * H, healthy: false }, { at: RANGE.since - H, healthy: true }], RANGE), []);
        assert.deepEqual(unhealthyWindows([], RANGE), []);
    });

    it("repeated events of the same state (another origin changed) open or close nothing", () => {
        const windows = unhealthyWindows(
            [
                { at: RANGE.since + 2 * H, healthy: false },
                { at: RANGE.since + 2.5 * H, healthy: false },
                { at: RANGE.since + 3 * H, healthy: true },
                { at: RANGE.since + 4 * H, healthy: true },
            ],
            RANGE,
        );
        assert.equal(windows.length, 1);
        assert.equal(durationSeconds(windows[0]!), 3600);
    });

    it("whatever the events, windows lie inside the range, in order, without overlap", () => {
        fc.assert(
            fc.property(fc.array(fc.record({ at: fc.integer({ min: RANGE.since - 10 * H, max: RANGE.until + 10 * H }), healthy: fc.boolean() })), (changes) => {
                const windows = unhealthyWindows(changes, RANGE);
                windows.forEach((w, i) => {
                    assert.ok(RANGE.since <= w.start && w.start < w.end && w.end <= RANGE.until);
                    if (i > 0) assert.ok(windows[i - 1]!.end <= w.start);
                });
            }),
        );
    });

    it("a disabled pool is the whole window, its start unknown", () => {
        assert.deepEqual(disabledWindow(RANGE), { start: RANGE.since, end: RANGE.until, reason: "disabled", startsBefore: true, endsAfter: true });
    });
});

describe("shares of sampled counts", () => {
    it("exact counts give an exact share; nothing to share is null", () => {
        assert.deepEqual(shareOf(exact(990), exact(10)), { estimate: 0.99, lower: 0.99, upper: 0.99 });
        assert.equal(shareOf(ZERO, ZERO), null);
        assert.deepEqual(shareOf(exact(5), ZERO), { estimate: 1, lower: 1, upper: 1 });
    });

    it("sampled counts give a range from the extremes of both intervals, around the estimate", () => {
        const share = shareOf({ estimate: 900, lower: 850, upper: 950, sampleSize: 90 }, { estimate: 100, lower: 80, upper: 120, sampleSize: 10 })!;
        assert.equal(share.estimate, 0.9);
        assert.equal(share.lower, 850 / (850 + 120));
        assert.equal(share.upper, 950 / (950 + 80));
        assert.ok(isSampled({ estimate: 900, lower: 850, upper: 950, sampleSize: 90 }));
        assert.ok(!isSampled(exact(900)));
    });

    it("the estimate always lies within its range, and every bound within 0..1", () => {
        const estimate = fc.tuple(fc.nat(1_000_000), fc.nat(1000), fc.nat(1000)).map(([e, below, above]): Estimate => ({ estimate: e, lower: Math.max(0, e - below), upper: e + above, sampleSize: e }));
        fc.assert(
            fc.property(estimate, estimate, (part, rest) => {
                const share = shareOf(part, rest);
                if (share === null) return assert.equal(part.estimate + rest.estimate, 0);
                assert.ok(0 <= share.lower && share.lower <= share.estimate + 1e-12 && share.estimate <= share.upper + 1e-12 && share.upper <= 1);
            }),
        );
    });

    it("a share of a total counted apart is capped at 100 %", () => {
        assert.deepEqual(shareOfTotal(exact(110), exact(100)), { estimate: 1, lower: 1, upper: 1 });
        assert.equal(shareOfTotal(exact(1), ZERO), null);
    });

    it("pieces of a window add, estimates and bounds alike", () => {
        assert.deepEqual(addEstimates({ estimate: 10, lower: 8, upper: 12, sampleSize: 1 }, exact(5)), { estimate: 15, lower: 13, upper: 17, sampleSize: 6 });
    });
});

describe("verdicts", () => {
    it("not-deployed, no-traffic, covered at or above the threshold, gaps below it", () => {
        const share = (estimate: number) => ({ estimate, lower: estimate, upper: estimate });
        assert.equal(verdictOf({ deployed: false, requests: ZERO, share: null, minShare: 0.99 }), "not-deployed");
        assert.equal(verdictOf({ deployed: true, requests: ZERO, share: null, minShare: 0.99 }), "no-traffic");
        assert.equal(verdictOf({ deployed: true, requests: exact(100), share: share(0.99), minShare: 0.99 }), "covered");
        assert.equal(verdictOf({ deployed: true, requests: exact(100), share: share(0.98), minShare: 0.99 }), "gaps");
    });
});

describe("GraphQL answers with errors in a 200", () => {
    /** A read whose one request answers `answer`, as Cloudflare's GraphQL API may with status 200. */
    const readAnswering = (answer: unknown): CloudflareRead => ({ signal: new AbortController().signal, request: async () => answer as never });

    it("a refusal names the permission to add; any other error says what Cloudflare said", async () => {
        await assert.rejects(readLimits(readAnswering({ data: null, errors: [{ message: "not authorized for that account" }] }), "z1"), /Add the permission "Zone · Analytics · Read" for zone z1/);
        await assert.rejects(readLimits(readAnswering({ data: null, errors: [{ message: "query time range is too large" }] }), "z1"), /refused the query: query time range is too large/);
        await assert.rejects(readLimits(readAnswering({ data: { viewer: { zones: [] } }, errors: null }), "z1"), /returned no data for zone z1/);
    });

    it("a zone whose settings have no load-balancing node has no limits (its plan lacks the dataset)", async () => {
        assert.equal(await readLimits(readAnswering({ data: { viewer: { zones: [{ settings: { loadBalancingRequestsAdaptiveGroups: null } }] } }, errors: null }), "z1"), undefined);
    });
});
