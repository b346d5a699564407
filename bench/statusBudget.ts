/**
 * `npm run bench:status`: what one `status` read costs in Cloudflare's API
 * budget for 10, 100 and 1,000 apps, against the stand-in answering every
 * request 20 ms late (about Cloudflare's latency from nearby): requests sent,
 * the most in flight at once, and wall time (median of a few runs). Writes
 * its section of docs/benchmark.md, between the bench:status markers.
 */
import { readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { RequestBudget } from "../tools/live/requestBudget";
import { status } from "../tools/live/status";
import { envFor, removeDir, runInProcess, STACK, startLive } from "../tests/support/liveFixture";
import { benchConfig } from "./appsConfig";
import { summarise } from "./stats";

const APP_COUNTS = [10, 100, 1000];
const RUNS = 5;
const LATENCY_MS = 20;
const DOC = path.resolve(__dirname, "../docs/benchmark.md");
const START = "<!-- bench:status:start -->";
const END = "<!-- bench:status:end -->";

interface Row {
    apps: number;
    requests: number;
    served: number;
    maxInFlight: number;
    seconds: ReturnType<typeof summarise>;
}

async function measure(apps: number): Promise<Row> {
    const live = await startLive(benchConfig(apps));
    live.standIn.latencyMs = LATENCY_MS;
    try {
        const seconds: number[] = [];
        let counts = { requests: 0, served: 0, maxInFlight: 0 };
        for (let run = 0; run < RUNS; run++) {
            // A fresh budget per run: each run is one `npm run status`, a process of its own.
            const budget = new RequestBudget((message) => process.stderr.write(`${message}\n`));
            live.standIn.maxInFlight = 0;
            const servedBefore = live.standIn.served.length;
            const started = performance.now();
            // The command's output is captured; the budget prints its rate-limit waits on this process's stderr.
            const { code, stdout, stderr } = await runInProcess(status, ["--stack", STACK, "--dir", live.dir, "--json"], envFor(live.standIn), {
                requestBudget: budget,
            });
            seconds.push((performance.now() - started) / 1000);
            if (code !== 0) throw new Error(`status exited ${code}: ${stderr}`);
            const read = JSON.parse(stdout) as { apps: Array<{ traffic: string }> };
            if (!read.apps.every((app) => app.traffic === "through-cequence")) throw new Error("a healthy deployment did not read as through-cequence");
            counts = { requests: budget.totals.requests, served: live.standIn.served.length - servedBefore, maxInFlight: live.standIn.maxInFlight };
        }
        return { apps, ...counts, seconds: summarise(seconds) };
    } finally {
        await live.standIn.stop();
        removeDir(live.dir);
    }
}

function render(rows: Row[]): string {
    const seconds = (s: number) => s.toFixed(2);
    return [
        `Measured ${new Date().toISOString().slice(0, 10)}, Node ${process.version}, the stand-in answering each request ${LATENCY_MS} ms late; ${RUNS} runs per size, one \`status --json\` read each, in process.`,
        "",
        "| Apps | Requests | Budget (N + 100) | Most in flight | Wall time, median (min–max), s |",
        "| ---: | ---: | ---: | ---: | --- |",
        ...rows.map((r) => `| ${r.apps} | ${r.requests} | ${r.apps + 100} | ${r.maxInFlight} | ${seconds(r.seconds.median)} (${seconds(r.seconds.min)}–${seconds(r.seconds.max)}) |`),
    ].join("\n");
}

async function main(): Promise<void> {
    const rows: Row[] = [];
    for (const apps of APP_COUNTS) {
        const row = await measure(apps);
        if (row.requests !== row.served) throw new Error(`the tool counted ${row.requests} requests, the stand-in served ${row.served}`);
        process.stderr.write(`${apps} apps: ${row.requests} requests, at most ${row.maxInFlight} in flight, ${row.seconds.median.toFixed(2)} s\n`);
        rows.push(row);
    }
    const doc = readFileSync(DOC, "utf8");
    const start = doc.indexOf(START);
    const end = doc.indexOf(END);
    if (start < 0 || end < start) throw new Error(`docs/benchmark.md lacks the ${START} … ${END} markers`);
    writeFileSync(DOC, `${doc.slice(0, start + START.length)}\n${render(rows)}\n${doc.slice(end)}`);
    process.stdout.write(`${render(rows)}\n`);
}

void main().catch((error: unknown) => {
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exitCode = 1;
});
