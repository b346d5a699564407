/**
 * `npm run bench`: the program's cost under Pulumi's mocks against the flat
 * baseline (bench/baseline), for 1 to 1,000 apps, and the program's start-up
 * under each way Pulumi can load TypeScript. Every measured run is a fresh
 * process; ours and the baseline run pair by pair, alternating which goes
 * first, so that the machine's drift hits both alike. Writes
 * bench/results/latest.{json,svg} and the table in docs/benchmark.md.
 *
 *   npm run bench [-- --quick]    (--quick: fewer runs and no 1,000-app step, for trying changes)
 */
import { execFileSync, spawn } from "node:child_process";
import { cpus } from "node:os";
import { readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { performance } from "node:perf_hooks";
import { parseArgs } from "node:util";
import { PROJECT_ROOT } from "../tools/plan/mockEngine";
import type { ChildResult, ProgramKind } from "./child";
import { renderChart } from "./chart";
import { STARTUP_MODES, type StartupMode, type StartupResult } from "./startupHost";
import { summarise, type Summary } from "./stats";

const NODE = path.join(PROJECT_ROOT, "node_modules", ".bin", "node");
const RESULTS = path.join(PROJECT_ROOT, "bench", "results");
const COMPILED = path.join(RESULTS, "tmp", "js");
const DOC = path.join(PROJECT_ROOT, "docs", "benchmark.md");

/**
 * Runs per N, sized so the whole benchmark fits in about 15 minutes on the
 * project's 2-core machine: a 1,000-app run takes over a minute per program.
 */
const FULL_PLAN = { scaling: { 1: 7, 10: 7, 100: 5, 1000: 3 }, startupRuns: 5, startupAppsRuns: 3, planRuns: 5 };
const QUICK_PLAN = { scaling: { 1: 3, 10: 3, 100: 2 }, startupRuns: 2, startupAppsRuns: 1, planRuns: 2 };
/** The per-resource part of the start-up comparison. */
const STARTUP_APPS = 100;

interface Measured<T> {
    result: T;
    /** Spawn to exit, as the parent sees it: node's own start-up and exit included. */
    wallMs: number;
}

interface ScalingStep {
    apps: number;
    runs: number;
    ours: { evalMs: Summary; wallMs: Summary; maxRssMiB: Summary };
    baseline: { evalMs: Summary; wallMs: Summary; maxRssMiB: Summary };
    /** Median of the per-pair ratios ours ÷ baseline. */
    ratio: { evalMs: number; maxRssMiB: number };
}

interface StartupStep {
    mode: StartupMode;
    apps: number;
    wallMs: Summary;
    evalMs: Summary;
    maxRssMiB: Summary;
}

export interface BenchReport {
    date: string;
    machine: { nproc: number; cpu: string; node: string; pulumiSdk: string; typescript: string };
    command: string;
    scaling: ScalingStep[];
    /** time(1,000 apps) ÷ time(100 apps), medians of evaluation time. */
    growth100To1000?: { ours: number; baseline: number };
    startup: StartupStep[];
    plan: { wallMs: Summary };
}

function runProcess(command: string, args: string[], env: NodeJS.ProcessEnv = process.env): Promise<{ stdout: string; wallMs: number }> {
    return new Promise((resolve, reject) => {
        const started = performance.now();
        const child = spawn(command, args, { cwd: PROJECT_ROOT, env, stdio: ["ignore", "pipe", "pipe"] });
        let stdout = "";
        let stderr = "";
        child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
        child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
        child.on("error", reject);
        child.on("close", (code) => {
            const wallMs = performance.now() - started;
            if (code === 0) resolve({ stdout, wallMs });
            else reject(new Error(`${command} ${args.join(" ")} exited with ${code}:\n${stderr}`));
        });
    });
}

async function measure<T>(command: string, args: string[], env?: NodeJS.ProcessEnv): Promise<Measured<T>> {
    const { stdout, wallMs } = await runProcess(command, args, env);
    const lastLine = stdout.trim().split("\n").pop() ?? "";
    return { result: JSON.parse(lastLine) as T, wallMs };
}

function runChild(program: ProgramKind, apps: number): Promise<Measured<ChildResult>> {
    return measure<ChildResult>(NODE, ["--import", "tsx", "bench/child.ts", program, String(apps)]);
}

function log(message: string): void {
    process.stderr.write(`${new Date().toISOString().slice(11, 19)} ${message}\n`);
}

function median(values: readonly number[]): number {
    return summarise(values).median;
}

async function scalingStep(apps: number, runs: number): Promise<ScalingStep> {
    const pairs: Record<ProgramKind, Measured<ChildResult>>[] = [];
    for (let pair = 0; pair < runs; pair++) {
        const order: ProgramKind[] = pair % 2 === 0 ? ["ours", "baseline"] : ["baseline", "ours"];
        const measured = {} as Record<ProgramKind, Measured<ChildResult>>;
        for (const program of order) measured[program] = await runChild(program, apps);
        if (measured.ours.result.customResources !== measured.baseline.result.customResources) {
            throw new Error(`at ${apps} apps ours registered ${measured.ours.result.customResources} Cloudflare resources, the baseline ${measured.baseline.result.customResources}`);
        }
        pairs.push(measured);
        log(`${apps} apps, pair ${pair + 1}/${runs}: ours ${measured.ours.result.evalMs.toFixed(0)} ms, baseline ${measured.baseline.result.evalMs.toFixed(0)} ms`);
    }
    const side = (program: ProgramKind) => ({
        evalMs: summarise(pairs.map((p) => p[program].result.evalMs)),
        wallMs: summarise(pairs.map((p) => p[program].wallMs)),
        maxRssMiB: summarise(pairs.map((p) => p[program].result.maxRssMiB)),
    });
    return {
        apps,
        runs,
        ours: side("ours"),
        baseline: side("baseline"),
        ratio: {
            evalMs: median(pairs.map((p) => p.ours.result.evalMs / p.baseline.result.evalMs)),
            maxRssMiB: median(pairs.map((p) => p.ours.result.maxRssMiB / p.baseline.result.maxRssMiB)),
        },
    };
}

/** How each start-up mode is launched: node flags, environment and program file. */
function startupCommand(mode: StartupMode): { args: string[]; env: NodeJS.ProcessEnv; program: string } {
    const host = path.join(COMPILED, "bench", "startupHost.js");
    const source = path.join(PROJECT_ROOT, "index.ts");
    switch (mode) {
        case "ts-node-check":
        case "ts-node-transpile":
            return { args: [host], env: process.env, program: source };
        case "tsx":
            return { args: ["--import", "tsx", host], env: process.env, program: source };
        case "precompiled":
            return { args: [host], env: process.env, program: path.join(COMPILED, "index.js") };
    }
}

async function startupSteps(apps: "prod" | number, runs: number): Promise<StartupStep[]> {
    const samples = new Map<StartupMode, Measured<StartupResult>[]>(STARTUP_MODES.map((mode) => [mode, []]));
    for (let round = 0; round < runs; round++) {
        for (const mode of STARTUP_MODES) {
            const { args, env, program } = startupCommand(mode);
            const measured = await measure<StartupResult>(NODE, [...args, mode, program, String(apps)], env);
            samples.get(mode)!.push(measured);
            log(`start-up ${mode}, ${apps} apps, run ${round + 1}/${runs}: ${measured.wallMs.toFixed(0)} ms`);
        }
    }
    return STARTUP_MODES.map((mode) => {
        const runsOfMode = samples.get(mode)!;
        return {
            mode,
            apps: runsOfMode[0]!.result.apps,
            wallMs: summarise(runsOfMode.map((r) => r.wallMs)),
            evalMs: summarise(runsOfMode.map((r) => r.result.evalMs)),
            maxRssMiB: summarise(runsOfMode.map((r) => r.result.maxRssMiB)),
        };
    });
}

async function planStep(runs: number): Promise<{ wallMs: Summary }> {
    const times: number[] = [];
    for (let run = 0; run < runs; run++) {
        const { wallMs } = await runProcess("npm", ["run", "--silent", "plan", "--", "--stack", "prod"]);
        times.push(wallMs);
        log(`npm run plan, run ${run + 1}/${runs}: ${wallMs.toFixed(0)} ms`);
    }
    return { wallMs: summarise(times) };
}

function machine(): BenchReport["machine"] {
    const version = (pkg: string) =>
        (JSON.parse(readFileSync(path.join(PROJECT_ROOT, "node_modules", pkg, "package.json"), "utf8")) as { version: string }).version;
    return {
        nproc: cpus().length,
        cpu: cpus()[0]?.model.trim() ?? "unknown",
        node: execFileSync(NODE, ["--version"], { encoding: "utf8" }).trim(),
        pulumiSdk: version("@pulumi/pulumi"),
        typescript: version("typescript"),
    };
}

const seconds = (ms: number) => (ms / 1000).toFixed(ms < 10_000 ? 2 : 1);
const spread = (s: Summary) => `${seconds(s.min)}–${seconds(s.max)}`;
const mib = (value: number) => value.toFixed(0);

const STARTUP_LABELS: Record<StartupMode, string> = {
    "ts-node-check": "ts-node, type-checked (Pulumi's default for `typescript: true`)",
    "ts-node-transpile": "ts-node, transpile-only (`PULUMI_NODEJS_TRANSPILE_ONLY=true`)",
    tsx: "tsx loader (`typescript: false`, `nodeargs: --import tsx`)",
    precompiled: "precompiled JavaScript (`typescript: false`, `main:` the tsc output)",
};

function markdownTables(report: BenchReport): string {
    const lines = [
        `Measured ${report.date} on ${report.machine.nproc} × ${report.machine.cpu}, Node ${report.machine.node}, @pulumi/pulumi ${report.machine.pulumiSdk}, TypeScript ${report.machine.typescript}.`,
        "",
        "Evaluation: loading and running the program under the mocks until every registration and output has settled (median, min–max, in seconds). Process: spawn to exit, node and tsx start-up included. Ratios are medians of per-pair ratios.",
        "",
        "| Apps | Runs | Ours: evaluation | Baseline: evaluation | Time ratio | Ours: process | Ours: peak RSS (MiB) | Baseline: peak RSS (MiB) | Memory ratio |",
        "| ---: | ---: | --- | --- | ---: | --- | ---: | ---: | ---: |",
        ...report.scaling.map(
            (s) =>
                `| ${s.apps} | ${s.runs} | ${seconds(s.ours.evalMs.median)} (${spread(s.ours.evalMs)}) | ${seconds(s.baseline.evalMs.median)} (${spread(s.baseline.evalMs)}) | ${s.ratio.evalMs.toFixed(2)} | ${seconds(s.ours.wallMs.median)} | ${mib(s.ours.maxRssMiB.median)} | ${mib(s.baseline.maxRssMiB.median)} | ${s.ratio.maxRssMiB.toFixed(2)} |`,
        ),
        "",
    ];
    if (report.growth100To1000) {
        lines.push(
            `Growth from 100 to 1,000 apps, time(1,000) ÷ time(100): ours ${report.growth100To1000.ours.toFixed(1)}×, baseline ${report.growth100To1000.baseline.toFixed(1)}×.`,
            "",
        );
    }
    lines.push(
        "Start-up: the program under the mocks, started each way Pulumi supports (process wall time, median and min–max in seconds; peak RSS in MiB).",
        "",
        "| How the program is loaded | Apps | Process | Program incl. compilation | Peak RSS |",
        "| --- | ---: | --- | --- | ---: |",
        ...report.startup.map(
            (s) =>
                `| ${STARTUP_LABELS[s.mode]} | ${s.apps} | ${seconds(s.wallMs.median)} (${spread(s.wallMs)}) | ${seconds(s.evalMs.median)} | ${mib(s.maxRssMiB.median)} |`,
        ),
        "",
        `\`npm run plan -- --stack prod\` (the bundled config, npm and start-up included): ${seconds(report.plan.wallMs.median)} s median (${spread(report.plan.wallMs)}).`,
    );
    return lines.join("\n");
}

/** Replaces the generated part of docs/benchmark.md, between its markers, leaving the prose alone. */
function updateDoc(tables: string): void {
    const start = "<!-- bench:results:start -->";
    const end = "<!-- bench:results:end -->";
    const doc = readFileSync(DOC, "utf8");
    const from = doc.indexOf(start);
    const to = doc.indexOf(end);
    if (from === -1 || to < from) throw new Error(`${DOC} lacks the ${start} … ${end} markers`);
    writeFileSync(DOC, `${doc.slice(0, from + start.length)}\n${tables}\n${doc.slice(to)}`);
}

async function main(): Promise<void> {
    const { values } = parseArgs({ options: { quick: { type: "boolean", default: false } } });
    const plan = values.quick ? QUICK_PLAN : FULL_PLAN;
    const started = performance.now();

    log("compiling the program for the start-up comparison");
    execFileSync(NODE, [path.join(PROJECT_ROOT, "node_modules", "typescript", "bin", "tsc"), "-p", "bench/tsconfig.startup.json"], {
        cwd: PROJECT_ROOT,
        stdio: "inherit",
    });

    // Discarded: fills the disk cache and tsx's transform cache for both programs.
    await runChild("ours", 1);
    await runChild("baseline", 1);

    const scaling: ScalingStep[] = [];
    for (const [apps, runs] of Object.entries(plan.scaling)) scaling.push(await scalingStep(Number(apps), runs));
    const at = (apps: number) => scaling.find((s) => s.apps === apps);
    const [hundred, thousand] = [at(100), at(1000)];

    const startup = [...(await startupSteps("prod", plan.startupRuns)), ...(await startupSteps(STARTUP_APPS, plan.startupAppsRuns))];
    const report: BenchReport = {
        date: new Date().toISOString().slice(0, 10),
        machine: machine(),
        command: values.quick ? "npm run bench -- --quick" : "npm run bench",
        scaling,
        growth100To1000:
            hundred && thousand
                ? {
                      ours: thousand.ours.evalMs.median / hundred.ours.evalMs.median,
                      baseline: thousand.baseline.evalMs.median / hundred.baseline.evalMs.median,
                  }
                : undefined,
        startup,
        plan: await planStep(plan.planRuns),
    };

    writeFileSync(path.join(RESULTS, "latest.json"), `${JSON.stringify(report, null, 2)}\n`);
    writeFileSync(path.join(RESULTS, "latest.svg"), renderChart(report));
    const tables = markdownTables(report);
    updateDoc(tables);
    process.stdout.write(`${tables}\n`);
    log(`done in ${seconds(performance.now() - started)} s`);
}

if (require.main === module) {
    main().catch((error: unknown) => {
        console.error(error);
        process.exit(1);
    });
}
