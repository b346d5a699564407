/**
 * `npm run bench:engine`: what the real engine and provider cost against
 * Cloudflare's API. For 1, 10 and 100 apps, one stack each in the stand-in
 * answering every request 50 ms late: the API requests of `up`, `preview`,
 * `refresh` and `destroy` (per app), and the wall time of `up` against its
 * floor (monitor → pool → load balancer → record: four round trips). One run
 * per size (each is minutes of a 2-core machine); no time is asserted
 * anywhere. Writes its section of docs/benchmark.md, between the
 * bench:engine markers.
 */
import { readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { CLOUDFLARE_RATE_LIMIT } from "../tests/support/cloudflare/rateLimit";
import { pulumiCli } from "../tests/e2e/support/engine";
import { inWorld } from "../tests/e2e/support/world";
import { benchConfig } from "./appsConfig";

const APP_COUNTS = [1, 10, 100];
const LATENCY_MS = 50;
/** The chain every app waits on: its monitor, then its pool, then its load balancer, then its record. */
const FLOOR_ROUND_TRIPS = 4;
const DOC = path.resolve(__dirname, "../docs/benchmark.md");
const START = "<!-- bench:engine:start -->";
const END = "<!-- bench:engine:end -->";

type Operation = "up" | "preview" | "refresh" | "destroy";
interface Row {
    apps: number;
    requests: Record<Operation, number>;
    seconds: Record<Operation, number>;
}

async function measure(apps: number): Promise<Row> {
    const config = benchConfig(apps);
    let row: Row | undefined;
    await inWorld(`bench${apps}`, config, async ({ standIn, run, stack }) => {
        standIn.latencyMs = LATENCY_MS;
        const requests = {} as Record<Operation, number>;
        const seconds = {} as Record<Operation, number>;
        const timed = async (operation: Operation, body: () => Promise<unknown>) => {
            const before = standIn.served.length;
            const started = performance.now();
            await body();
            seconds[operation] = (performance.now() - started) / 1000;
            requests[operation] = standIn.served.length - before;
            process.stderr.write(`${apps} apps: ${operation} ${requests[operation]} requests, ${seconds[operation].toFixed(1)} s\n`);
        };
        await timed("up", () => stack.up());
        await timed("preview", () => stack.preview());
        await timed("refresh", () => stack.refresh());
        // Every public record is protected; a decommission unprotects first (README).
        await pulumiCli(run, ["state", "unprotect", "--all", "--yes"]);
        await timed("destroy", () => stack.destroy());
        row = { apps, requests, seconds };
    });
    return row!;
}

function render(rows: Row[]): string {
    const floor = (FLOOR_ROUND_TRIPS * LATENCY_MS) / 1000;
    const perApp = (row: Row, operation: Operation) => (row.requests[operation] / row.apps).toFixed(1);
    const budgetSeconds = CLOUDFLARE_RATE_LIMIT.windowMs / 1000;
    const last = rows.at(-1)!;
    const upAndRefresh = last.requests.up + last.requests.refresh;
    return [
        `Measured ${new Date().toISOString().slice(0, 10)}, Node ${process.version}, Pulumi CLI and provider from \`npm run engine\`, file backend${process.env.PULUMI_SKIP_CHECKPOINTS === "true" ? " with PULUMI_SKIP_CHECKPOINTS=true" : ""}, the stand-in answering each request ${LATENCY_MS} ms late; one run per size.`,
        "",
        "| Apps | `up` requests (per app) | `preview` | `refresh` | `destroy` | `up` wall time, s | floor, s | ratio | `refresh`, s |",
        "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
        ...rows.map((r) =>
            [
                r.apps,
                `${r.requests.up} (${perApp(r, "up")})`,
                `${r.requests.preview} (${perApp(r, "preview")})`,
                `${r.requests.refresh} (${perApp(r, "refresh")})`,
                `${r.requests.destroy} (${perApp(r, "destroy")})`,
                r.seconds.up.toFixed(1),
                floor.toFixed(1),
                `${(r.seconds.up / floor).toFixed(0)}×`,
                r.seconds.refresh.toFixed(1),
            ].join(" | ").replace(/^/, "| ").replace(/$/, " |"),
        ),
        "",
        `Within Cloudflare's budget (${CLOUDFLARE_RATE_LIMIT.limit} requests per ${budgetSeconds} s per user, across all their tokens): ${last.apps} apps' \`up\` sends ${last.requests.up} requests and its \`refresh\` ${last.requests.refresh}, ` +
            `${upAndRefresh} together: ${upAndRefresh <= CLOUDFLARE_RATE_LIMIT.limit ? "both fit in one window, so neither waits" : `over one window, so the second meets the limit and waits up to ${budgetSeconds} s (the provider retries after \`retry-after\`)`}. ` +
            `Computed from the counts above, not run against the limit for ${budgetSeconds} s.`,
    ].join("\n");
}

async function main(): Promise<void> {
    const rows: Row[] = [];
    for (const apps of APP_COUNTS) rows.push(await measure(apps));
    const table = render(rows);
    process.stdout.write(`${table}\n`);
    const doc = readFileSync(DOC, "utf8");
    const start = doc.indexOf(START);
    const end = doc.indexOf(END);
    if (start < 0 || end < 0) throw new Error(`${DOC} has no ${START} … ${END} section`);
    writeFileSync(DOC, `${doc.slice(0, start + START.length)}\n${table}\n${doc.slice(end)}`);
}

void main().catch((error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
    process.exitCode = 1;
});
