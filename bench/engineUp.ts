/**
 * `npm run bench:engine`: what the real engine and provider cost for our
 * program against the flat program a user would write instead
 * (bench/baseline, the same Cloudflare objects with no components), both
 * applied to the stand-in answering every request 50 ms late, state in the
 * file backend. For each size and checkpoint mode the two run one after the
 * other, alternating which goes first, each `up`, a no-change `preview` and
 * a `refresh` as the CLI itself (what a user types), recording for each
 * command its wall time, the requests the stand-in served, the state file's
 * writes and final size, and the peak RSS and CPU time of each process (the
 * CLI, the program's Node.js process, the Cloudflare provider). No time is
 * asserted anywhere; ratios are ours ÷ flat from the same run. Writes its
 * section of docs/benchmark.md, between the bench:engine markers.
 *
 *   npm run bench:engine -- [--apps 10,50,100,200] [--checkpoints on,off] [--profile <dir>]
 *
 * `--profile <dir>` passes the CLI's `--profiling <dir>/<program>-<apps>-<command>`,
 * which writes its Go CPU and memory profiles (`go tool pprof -top`).
 */
import { spawn } from "node:child_process";
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, watch, writeFileSync } from "node:fs";
import * as path from "node:path";
import { parseArgs } from "node:util";
import { CLOUDFLARE_RATE_LIMIT } from "../tests/support/cloudflare/rateLimit";
import { engine, type EngineRun } from "../tests/e2e/support/engine";
import { inWorld } from "../tests/e2e/support/world";
import { benchConfig } from "./appsConfig";

const LATENCY_MS = 50;
const ROOT = path.resolve(__dirname, "..");
const DOC = path.join(ROOT, "docs/benchmark.md");
const START = "<!-- bench:engine:start -->";
const END = "<!-- bench:engine:end -->";
/** The flat program, compiled by bench/tsconfig.engine.json as the engine runs JavaScript. */
const FLAT_MAIN = path.join(ROOT, "bench/results/tmp/engine-js/bench/baseline/index.js");
const SAMPLE_MS = 200;
/** Every measurement of the last run, to read beside the table. */
const RESULTS = path.join(ROOT, "bench/results/engine.json");

const COMMANDS = {
    up: ["up", "--yes", "--skip-preview"],
    preview: ["preview", "--expect-no-changes"],
    refresh: ["refresh", "--yes", "--skip-preview"],
} as const;
type Command = keyof typeof COMMANDS;
type Program = "ours" | "flat";
/** The processes of one command, by what they run. */
type Role = "cli" | "program" | "provider";

interface Sample {
    seconds: number;
    requests: number;
    stateWrites: number;
    stateBytes: number;
    peakMiB: Record<Role, number>;
    cpuSeconds: Record<Role, number>;
}
interface Row {
    apps: number;
    checkpoints: boolean;
    program: Program;
    commands: Record<Command, Sample>;
}

function roleOf(command: string): Role | undefined {
    if (command === "pulumi") return "cli";
    if (command.startsWith("pulumi-resource")) return "provider";
    if (command === "node" || command === "pulumi-language") return "program";
    return undefined;
}

/** The processes under `root` (itself included), from /proc. */
function processTree(root: number): number[] {
    const children = new Map<number, number[]>();
    for (const entry of readdirSync("/proc")) {
        if (!/^\d+$/.test(entry)) continue;
        try {
            const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
            const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
            children.set(ppid, [...(children.get(ppid) ?? []), Number(entry)]);
        } catch {
            // exited while listed
        }
    }
    const tree = [root];
    for (let i = 0; i < tree.length; i++) tree.push(...(children.get(tree[i]!) ?? []));
    return tree;
}

const TICKS_PER_SECOND = 100;

/** Peak RSS (VmHWM) and CPU time of every process under `root`, by role, as last seen. */
function sampleTree(root: number, seen: Map<number, { role: Role; hwmKiB: number; ticks: number }>): void {
    for (const pid of processTree(root)) {
        try {
            const status = readFileSync(`/proc/${pid}/status`, "utf8");
            const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
            const comm = stat.slice(stat.indexOf("(") + 1, stat.lastIndexOf(")"));
            const role = roleOf(comm);
            if (role === undefined) continue;
            const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
            const hwmKiB = Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0);
            // A process that is exiting (a zombie) shows no VmHWM any more: keep what was seen before.
            const before = seen.get(pid);
            const ticks = Number(fields[11]) + Number(fields[12]);
            seen.set(pid, { role, hwmKiB: Math.max(hwmKiB, before?.hwmKiB ?? 0), ticks: Math.max(ticks, before?.ticks ?? 0) });
        } catch {
            // exited between the listing and the read
        }
    }
}

/** The stack's state file in the file backend. */
function stateFile(run: EngineRun): string {
    const stacks = path.join(run.project.backendDir, ".pulumi/stacks");
    const project = readdirSync(stacks)[0]!;
    return path.join(stacks, project, `${run.stack.name}.json`);
}

/** Runs one CLI command on the stack, measured. */
async function measured(run: EngineRun, requestsSoFar: () => number, command: Command, profile: string | undefined): Promise<Sample> {
    const file = stateFile(run);
    let stateWrites = 0;
    // The file backend writes a temporary file and renames it over the state (gocloud.dev's fileblob): one rename a write.
    const watcher = watch(path.dirname(file), (event, name) => {
        if (event === "rename" && name === path.basename(file)) stateWrites++;
    });
    const before = requestsSoFar();
    const started = performance.now();
    const args = [...COMMANDS[command], ...(profile ? ["--profiling", profile] : []), "--stack", run.stack.name, "--non-interactive"];
    const child = spawn(engine().pulumi.path, args, { cwd: run.project.workDir, env: run.env, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString("utf8")));
    child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString("utf8")));
    const seen = new Map<number, { role: Role; hwmKiB: number; ticks: number }>();
    const timer = setInterval(() => sampleTree(child.pid!, seen), SAMPLE_MS);
    const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
    clearInterval(timer);
    const seconds = (performance.now() - started) / 1000;
    watcher.close();
    if (code !== 0) throw new Error(`pulumi ${args.join(" ")} exited ${code}:\n${output}`);
    const peakMiB = { cli: 0, program: 0, provider: 0 };
    const cpuSeconds = { cli: 0, program: 0, provider: 0 };
    for (const { role, hwmKiB, ticks } of seen.values()) {
        peakMiB[role] = Math.max(peakMiB[role], hwmKiB / 1024);
        cpuSeconds[role] += ticks / TICKS_PER_SECOND;
    }
    return { seconds, requests: requestsSoFar() - before, stateWrites, stateBytes: statSync(file).size, peakMiB, cpuSeconds };
}

async function measure(program: Program, apps: number, checkpoints: boolean, profileDir: string | undefined): Promise<Row> {
    const previous = process.env.PULUMI_SKIP_CHECKPOINTS;
    // Read by the engine's environment when the stack is made (engineEnv takes process.env as its base).
    if (checkpoints) delete process.env.PULUMI_SKIP_CHECKPOINTS;
    else process.env.PULUMI_SKIP_CHECKPOINTS = "true";
    let row: Row | undefined;
    try {
        await inWorld(
            `bench-${program}-${apps}`,
            benchConfig(apps),
            async ({ standIn, run }) => {
                standIn.latencyMs = LATENCY_MS;
                const commands = {} as Record<Command, Sample>;
                for (const command of Object.keys(COMMANDS) as Command[]) {
                    const profile = profileDir && path.join(profileDir, `${program}-${apps}-${checkpoints ? "on" : "off"}-${command}`);
                    commands[command] = await measured(run, () => standIn.served.length, command, profile);
                    const s = commands[command];
                    process.stderr.write(
                        `${program} ${apps} apps, checkpoints ${checkpoints ? "on" : "off"}: ${command} ${s.seconds.toFixed(1)} s, ${s.requests} requests, ` +
                            `${s.stateWrites} state writes, ${(s.stateBytes / 1024).toFixed(0)} KiB, CLI ${s.peakMiB.cli.toFixed(0)} MiB / ${s.cpuSeconds.cli.toFixed(1)} s CPU\n`,
                    );
                }
                row = { apps, checkpoints, program, commands };
            },
            undefined,
            program === "flat" ? FLAT_MAIN : undefined,
        );
    } finally {
        if (previous === undefined) delete process.env.PULUMI_SKIP_CHECKPOINTS;
        else process.env.PULUMI_SKIP_CHECKPOINTS = previous;
    }
    return row!;
}

const ratio = (ours: number, flat: number) => (flat === 0 ? "–" : `${(ours / flat).toFixed(2)}×`);
const pair = (ours: number, flat: number, digits = 0) => `${ours.toFixed(digits)} / ${flat.toFixed(digits)}`;

function render(rows: Row[], sizes: number[], modes: boolean[]): string {
    const find = (apps: number, checkpoints: boolean, program: Program) => rows.find((r) => r.apps === apps && r.checkpoints === checkpoints && r.program === program)!;
    const cases = sizes.flatMap((apps) => modes.map((checkpoints) => ({ apps, checkpoints, ours: find(apps, checkpoints, "ours"), flat: find(apps, checkpoints, "flat") })));
    const mode = (checkpoints: boolean) => (checkpoints ? "on" : "off");
    // CPU time of every process of the command: steadier than wall time on a shared machine.
    const cpu = (sample: Sample) => sample.cpuSeconds.cli + sample.cpuSeconds.program + sample.cpuSeconds.provider;
    const timeRows = cases.map(({ apps, checkpoints, ours, flat }) => {
        const cells = (Object.keys(COMMANDS) as Command[]).flatMap((c) => {
            const [o, f] = [ours.commands[c], flat.commands[c]];
            return [pair(o.seconds, f.seconds, 1), ratio(o.seconds, f.seconds), pair(cpu(o), cpu(f), 1), ratio(cpu(o), cpu(f))];
        });
        return `| ${apps} | ${mode(checkpoints)} | ${cells.join(" | ")} |`;
    });
    const costRows = cases.map(({ apps, checkpoints, ours, flat }) => {
        const up = (r: Row) => r.commands.up;
        return `| ${apps} | ${mode(checkpoints)} | ${pair(up(ours).requests, up(flat).requests)} | ${pair(up(ours).stateWrites, up(flat).stateWrites)} | ${pair(up(ours).stateBytes / 1024, up(flat).stateBytes / 1024)} | ${pair(up(ours).cpuSeconds.cli, up(flat).cpuSeconds.cli, 1)} | ${pair(up(ours).peakMiB.cli, up(flat).peakMiB.cli)} | ${pair(up(ours).peakMiB.program, up(flat).peakMiB.program)} | ${pair(up(ours).peakMiB.provider, up(flat).peakMiB.provider)} |`;
    });
    const largest = cases.filter((c) => c.checkpoints === modes[0]).at(-1)!;
    const upRequests = largest.ours.commands.up.requests;
    const refreshRequests = largest.ours.commands.refresh.requests;
    const budgetSeconds = CLOUDFLARE_RATE_LIMIT.windowMs / 1000;
    return [
        `Measured ${new Date().toISOString().slice(0, 10)}, Node ${process.version}, Pulumi CLI ${engine().pulumi.version} and the plugins from \`npm run engine\`, file backend, the stand-in answering each request ${LATENCY_MS} ms late; one run per size and mode, ours and flat alternating which goes first. Ours / flat, and the ratio ours ÷ flat.`,
        "",
        "Wall time, and the CPU time of all the command's processes (CLI, program, provider), which a shared machine disturbs less:",
        "",
        "| Apps | Checkpoints | `up`, s | ratio | `up` CPU, s | ratio | no-change `preview`, s | ratio | `preview` CPU, s | ratio | `refresh`, s | ratio | `refresh` CPU, s | ratio |",
        "| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
        ...timeRows,
        "",
        "What the `up` cost, ours / flat: requests to Cloudflare, writes of the state file, its size after, the CLI's CPU time, and the peak RSS of the CLI, of the program's Node.js process and of the Cloudflare provider.",
        "",
        "| Apps | Checkpoints | requests | state writes | state, KiB | CLI CPU, s | CLI, MiB | program, MiB | provider, MiB |",
        "| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
        ...costRows,
        "",
        `Within Cloudflare's budget (${CLOUDFLARE_RATE_LIMIT.limit} requests per ${budgetSeconds} s per user): ${largest.apps} apps' \`up\` sends ${upRequests} requests and its \`refresh\` ${refreshRequests} ` +
            `(${(upRequests / largest.apps).toFixed(1)} and ${(refreshRequests / largest.apps).toFixed(1)} per app); computed from the counts, not run against the limit.`,
    ].join("\n");
}

function listFlag(value: string | undefined, fallback: string): string[] {
    return (value ?? fallback).split(",").map((part) => part.trim()).filter((part) => part !== "");
}

async function main(): Promise<void> {
    const { values } = parseArgs({ options: { apps: { type: "string" }, checkpoints: { type: "string" }, profile: { type: "string" } } });
    const sizes = listFlag(values.apps, "10,50,100,200").map(Number);
    if (sizes.some((n) => !Number.isInteger(n) || n < 1)) throw new Error(`--apps: whole numbers of apps, comma-separated (got ${values.apps})`);
    const modeNames = listFlag(values.checkpoints, "on,off");
    if (modeNames.some((m) => m !== "on" && m !== "off")) throw new Error(`--checkpoints: on, off or on,off (got ${values.checkpoints})`);
    const modes = modeNames.map((m) => m === "on");
    execFileSync(path.join(ROOT, "node_modules/.bin/tsc"), ["-p", path.join(ROOT, "bench/tsconfig.engine.json")], { stdio: "inherit" });
    if (!existsSync(FLAT_MAIN)) throw new Error(`tsc -p bench/tsconfig.engine.json made no ${FLAT_MAIN}`);
    const profileDir = values.profile === undefined ? undefined : path.resolve(values.profile);
    // The CLI writes its profiles into the directory, and makes none.
    if (profileDir !== undefined) mkdirSync(profileDir, { recursive: true });
    const rows: Row[] = [];
    let turn = 0;
    for (const apps of sizes) {
        for (const checkpoints of modes) {
            const order: Program[] = turn++ % 2 === 0 ? ["ours", "flat"] : ["flat", "ours"];
            for (const program of order) rows.push(await measure(program, apps, checkpoints, profileDir));
        }
    }
    writeFileSync(RESULTS, `${JSON.stringify(rows, null, 2)}\n`);
    const table = render(rows, sizes, modes);
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
