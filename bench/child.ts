/**
 * One measured run, in a process of its own: runs the real program or the
 * flat baseline under the mocks with N generated apps, and prints one JSON
 * line (a {@link ChildResult}). `bench/run.ts` spawns this; each run gets a
 * fresh process so that no run inherits another's warm module cache or heap.
 *
 *   node --import tsx bench/child.ts <ours|baseline> <apps>
 */
import * as path from "node:path";
import { performance } from "node:perf_hooks";
import { PROJECT_ROOT, runProgram } from "../tools/plan/mockEngine";
import { OFFLINE_CALLS } from "../tools/plan/offlineCalls";
import { benchRawConfig } from "./appsConfig";
import { peakRssMiB, reportMeasurement } from "./measurement";

const PROGRAMS = {
    ours: path.join(PROJECT_ROOT, "index.ts"),
    baseline: path.join(PROJECT_ROOT, "bench", "baseline", "index.ts"),
} as const;
export type ProgramKind = keyof typeof PROGRAMS;

export interface ChildResult {
    program: ProgramKind;
    apps: number;
    /** Cloudflare resources registered, as a check that the run did the work. */
    customResources: number;
    /** Loading and evaluating the program until every registration and output has settled. */
    evalMs: number;
    /** Peak resident set size of the whole process. */
    maxRssMiB: number;
}

async function main(): Promise<ChildResult> {
    const [kind, appsArg] = process.argv.slice(2);
    const apps = Number(appsArg);
    if (!(kind === "ours" || kind === "baseline") || !Number.isInteger(apps) || apps < 1) {
        throw new Error("usage: child.ts <ours|baseline> <apps>");
    }
    const config = benchRawConfig(apps);
    const started = performance.now();
    const run = await runProgram({ program: PROGRAMS[kind], stack: "bench", config, calls: OFFLINE_CALLS });
    const evalMs = performance.now() - started;
    if (run.error) throw run.error;
    return {
        program: kind,
        apps,
        customResources: run.resources.filter((r) => r.custom).length,
        evalMs,
        maxRssMiB: peakRssMiB(),
    };
}

if (require.main === module) reportMeasurement(main);
