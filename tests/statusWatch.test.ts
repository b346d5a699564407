import assert from "node:assert/strict";
import { getEventListeners } from "node:events";
import { describe, it } from "node:test";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import type { CliIo } from "../tools/live/commandLine";
import { RequestBudget, type RateLimit } from "../tools/live/requestBudget";
import { status } from "../tools/live/status";
import { envFor, STACK, startLive, stopStandInsAfterEach, type Live } from "./support/liveFixture";
import { guideConfig } from "./support/stack";

const started = stopStandInsAfterEach();

setFlagsFromString("--expose-gc");
const collectGarbage = runInNewContext("gc") as () => void;

interface Tick {
    listeners: number;
    heapBytes: number;
}

/**
 * Runs `status --watch` in process until `ticks` reads have printed, noting
 * after each read how many listeners the command's signal holds and (every
 * `sampleEvery` reads, after a full collection) the heap; then Ctrl-C.
 */
async function watch(fixture: Live, args: string[], limit: RateLimit, ticks: number, sampleEvery = Number.POSITIVE_INFINITY) {
    const interrupt = new AbortController();
    const samples: Tick[] = [];
    let stdout = "";
    let stderr = "";
    let reads = 0;
    const io: CliIo = {
        stdout: {
            write: (text: string) => {
                stdout += text;
                reads += 1;
                const listeners = getEventListeners(interrupt.signal, "abort").length;
                let heapBytes = 0;
                if (reads % sampleEvery === 0) {
                    collectGarbage();
                    heapBytes = process.memoryUsage().heapUsed;
                }
                samples.push({ listeners, heapBytes });
                if (reads >= ticks) interrupt.abort();
            },
        },
        stderr: { write: (text: string) => (stderr += text) },
        env: envFor(fixture.standIn),
        signal: interrupt.signal,
        requestBudget: new RequestBudget(() => {}, limit),
    };
    const code = await status(["--stack", STACK, "--dir", fixture.dir, "--json", ...args], io);
    return { code, stdout, stderr, samples, listenersAfter: getEventListeners(interrupt.signal, "abort").length };
}

/** A limit so generous that the rate limit never stretches the test's short period. */
const UNLIMITED: RateLimit = { requests: 1e9, windowSeconds: 300 };

describe("status --watch", () => {
    it("leaks nothing over many reads: the signal's listeners and the heap stay flat", async () => {
        const fixture = await startLive(guideConfig());
        started.push(fixture);
        const ticks = 300;
        const result = await watch(fixture, ["--watch", "0.001"], UNLIMITED, ticks, 100);
        assert.equal(result.code, 0, result.stderr);
        const lines = result.stdout.trim().split("\n");
        assert.equal(lines.length, ticks);
        assert.ok(lines.every((line) => (JSON.parse(line) as { apps: Array<{ traffic: string }> }).apps[0]!.traffic === "through-cequence"));
        // While a read is printed its own signal may still be linked; never more than that one listener.
        assert.ok(result.samples.every((s) => s.listeners <= 1), `listeners per read: ${[...new Set(result.samples.map((s) => s.listeners))].join(", ")}`);
        assert.equal(result.listenersAfter, 0);
        const heaps = result.samples.filter((s) => s.heapBytes > 0).map((s) => s.heapBytes);
        // After 100 reads to warm up, 200 more may not grow the heap by more than 4 MiB (a leak of even one
        // request object per read would be some kilobytes each, far more over 200 reads).
        const growth = heaps.at(-1)! - heaps[0]!;
        assert.ok(growth < 4 * 1024 * 1024, `heap grew ${(growth / 1024 / 1024).toFixed(1)} MiB over ${ticks - 100} reads: ${heaps.map((h) => (h / 1024 / 1024).toFixed(1)).join(", ")} MiB`);
    });

    it("stretches a period the rate limit cannot sustain, and says so", async () => {
        const fixture = await startLive(guideConfig());
        started.push(fixture);
        // About 11 requests a read (the estimate before the first) against half of 900 per 300 s (the rest is headroom): at least 7.3 s between reads.
        const result = await watch(fixture, ["--watch", "1"], { requests: 900, windowSeconds: 300 }, 1);
        assert.equal(result.code, 0, result.stderr);
        assert.match(
            result.stderr,
            /^--watch 1: a read sends 11 requests and --watch uses at most 450 of the 900 per 5 minutes Cloudflare allows a user \(the rest is left for the emergency update\), so reading every 8 s instead \(stretched\)$/m,
        );
        assert.match(result.stderr, /reading Cloudflare \(every 8 s; Ctrl-C to stop\)/);
    });

    it("refuses a stack whose one read exceeds the watch's share of the limit", async () => {
        const fixture = await startLive(guideConfig());
        started.push(fixture);
        const result = await watch(fixture, ["--watch", "60"], { requests: 20, windowSeconds: 300 }, 1);
        assert.equal(result.code, 1);
        assert.match(result.stderr, /^--watch: one read of this stack sends about 11 requests, more than --watch may use in 5 minutes \(10 of the 20 Cloudflare allows a user, across all their tokens\)/);
        assert.deepEqual(Object.keys(JSON.parse(result.stdout) as object), ["stack", "error"]);
        assert.equal(fixture.standIn.served.length, 0);
    });
});
