/**
 * `npm run bench:startup -- --before <git ref>`: how long a live tool takes
 * to start, this checkout against the project at `<ref>`, in one run. Each
 * run is a fresh process, as `npm run status` starts one; the two versions
 * run pair by pair, alternating which goes first, after warm-up pairs that
 * fill tsx's cache. Two starts are measured:
 *
 * - `status --help`: a no-op start (the flags parsed, the usage printed);
 * - `status --stack prod` with no token: a real run's start, up to its first
 *   request (the config read and validated, the session opened), where it
 *   stops, exit 1.
 *
 * and `npm run status -- --help` for this checkout, npm included. Writes its
 * section of docs/benchmark.md, between the bench:startup markers.
 */
import { spawn, execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { performance } from "node:perf_hooks";
import { parseArgs } from "node:util";
import { summarise, type Summary } from "./stats";

const ROOT = path.resolve(__dirname, "..");
const NODE = path.join(ROOT, "node_modules", ".bin", "node");
const DOC = path.join(ROOT, "docs", "benchmark.md");
const START = "<!-- bench:startup:start -->";
const END = "<!-- bench:startup:end -->";
const WARM_UP_PAIRS = 2;

/** A preloaded script that writes the process's peak RSS (KiB) to the file its environment names, at exit. */
const RSS_REPORTER = `process.on("exit", () => require("node:fs").writeFileSync(process.env.BENCH_RSS_FILE, String(process.resourceUsage().maxRSS)));`;

interface Start {
    label: string;
    args: string[];
    /** The exit status a start ends with. */
    exit: number;
}

const STARTS: Start[] = [
    { label: "`status --help` (no-op start)", args: ["tools/live/status.ts", "--help"], exit: 0 },
    { label: "`status --stack prod`, no token (a real run's start: config read, session opened)", args: ["tools/live/status.ts", "--stack", "prod"], exit: 1 },
];

interface Sample {
    wallMs: number;
    rssMiB: number;
}

/** Runs one process to its end: spawn to exit, and its peak RSS. */
function runOnce(command: string, args: string[], cwd: string, expectedExit: number, scratch: string): Promise<Sample> {
    const rssFile = path.join(scratch, "rss");
    // No token: the real run's start stops before its first request.
    const { CLOUDFLARE_API_TOKEN: _none, ...inherited } = process.env;
    const env = { ...inherited, BENCH_RSS_FILE: rssFile, NODE_OPTIONS: `--require ${path.join(scratch, "rss.cjs")}` };
    return new Promise((resolve, reject) => {
        const started = performance.now();
        const child = spawn(command, args, { cwd, env, stdio: ["ignore", "ignore", "pipe"] });
        let stderr = "";
        child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
        child.on("error", reject);
        child.on("close", (code) => {
            const wallMs = performance.now() - started;
            if (code !== expectedExit) reject(new Error(`${command} ${args.join(" ")} in ${cwd} exited ${code}, not ${expectedExit}: ${stderr}`));
            else resolve({ wallMs, rssMiB: Number(readFileSync(rssFile, "utf8")) / 1024 });
        });
    });
}

interface Row {
    label: string;
    before: { wallMs: Summary; rssMiB: Summary };
    after: { wallMs: Summary; rssMiB: Summary };
    /** Median of the per-pair ratios after ÷ before. */
    ratio: number;
}

async function comparePairs(start: Start, beforeDir: string, runs: number, scratch: string): Promise<Row> {
    const pairs: Array<{ before: Sample; after: Sample }> = [];
    for (let round = 0; round < WARM_UP_PAIRS + runs; round++) {
        const measure = (dir: string) => runOnce(NODE, ["--import", "tsx", ...start.args], dir, start.exit, scratch);
        // Alternate which goes first, so that the machine's drift hits both alike.
        const pair = round % 2 === 0 ? { before: await measure(beforeDir), after: await measure(ROOT) } : { after: await measure(ROOT), before: await measure(beforeDir) };
        if (round >= WARM_UP_PAIRS) pairs.push(pair);
        process.stderr.write(`${start.label}, ${round < WARM_UP_PAIRS ? "warm-up" : `run ${round - WARM_UP_PAIRS + 1}/${runs}`}: before ${pair.before.wallMs.toFixed(0)} ms, after ${pair.after.wallMs.toFixed(0)} ms\n`);
    }
    const of = (side: "before" | "after") => ({ wallMs: summarise(pairs.map((p) => p[side].wallMs)), rssMiB: summarise(pairs.map((p) => p[side].rssMiB)) });
    return { label: start.label, before: of("before"), after: of("after"), ratio: summarise(pairs.map((p) => p.after.wallMs / p.before.wallMs)).median };
}

async function npmHelp(runs: number, scratch: string): Promise<Summary> {
    const times: number[] = [];
    for (let run = 0; run < WARM_UP_PAIRS + runs; run++) {
        const { wallMs } = await runOnce("npm", ["run", "--silent", "status", "--", "--help"], ROOT, 0, scratch);
        if (run >= WARM_UP_PAIRS) times.push(wallMs);
    }
    return summarise(times);
}

function render(rows: Row[], npm: Summary, before: string, runs: number): string {
    const s = (ms: number) => (ms / 1000).toFixed(2);
    const spread = (summary: Summary) => `${s(summary.min)}–${s(summary.max)}`;
    return [
        `Measured ${new Date().toISOString().slice(0, 10)}, Node ${execFileSync(NODE, ["--version"], { encoding: "utf8" }).trim()}, ${runs} pairs after ${WARM_UP_PAIRS} warm-up pairs, \`node --import tsx tools/live/<tool>.ts\` as \`npm run\` starts it: before = \`${before}\`, after = this change. Wall time spawn to exit, median (min–max), in seconds; peak RSS median, MiB; the ratio is the median of the per-pair ratios.`,
        "",
        "| Start | Before | After | After ÷ before | Peak RSS before → after |",
        "| --- | --- | --- | ---: | --- |",
        ...rows.map((r) => `| ${r.label} | ${s(r.before.wallMs.median)} (${spread(r.before.wallMs)}) | ${s(r.after.wallMs.median)} (${spread(r.after.wallMs)}) | ${r.ratio.toFixed(2)} | ${r.before.rssMiB.median.toFixed(0)} → ${r.after.rssMiB.median.toFixed(0)} |`),
        "",
        `\`npm run status -- --help\` after, npm and its \`prestatus\` bootstrap included: ${s(npm.median)} s median (${spread(npm)}).`,
    ].join("\n");
}

async function main(): Promise<void> {
    const { values } = parseArgs({ options: { before: { type: "string" }, runs: { type: "string" } } });
    if (!values.before) throw new Error("usage: npm run bench:startup -- --before <git ref> [--runs <n>]");
    const runs = Number(values.runs ?? 5);
    const scratch = mkdtempSync(path.join(tmpdir(), "live-startup-"));
    writeFileSync(path.join(scratch, "rss.cjs"), RSS_REPORTER);
    const beforeDir = path.join(scratch, "before");
    execFileSync("git", ["worktree", "add", "--detach", beforeDir, values.before], { cwd: ROOT, stdio: "ignore" });
    try {
        symlinkSync(path.join(ROOT, "node_modules"), path.join(beforeDir, "node_modules"), "dir");
        const rows: Row[] = [];
        for (const start of STARTS) rows.push(await comparePairs(start, beforeDir, runs, scratch));
        const table = render(rows, await npmHelp(runs, scratch), values.before, runs);
        const doc = readFileSync(DOC, "utf8");
        const [from, to] = [doc.indexOf(START), doc.indexOf(END)];
        if (from < 0 || to < from) throw new Error(`docs/benchmark.md lacks the ${START} … ${END} markers`);
        writeFileSync(DOC, `${doc.slice(0, from + START.length)}\n${table}\n${doc.slice(to)}`);
        process.stdout.write(`${table}\n`);
    } finally {
        execFileSync("git", ["worktree", "remove", "--force", beforeDir], { cwd: ROOT, stdio: "ignore" });
        rmSync(scratch, { recursive: true, force: true });
    }
}

void main().catch((error: unknown) => {
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exitCode = 1;
});
