/**
 * Starts the program the way each of Pulumi's supported Node.js set-ups
 * would, then runs it under the mocks and prints one JSON line (a
 * {@link StartupResult}). `bench/run.ts` compiles this file (with the program)
 * to JavaScript and spawns it, so the host itself costs the same in every
 * mode and the modes differ only in how the program's source is loaded:
 *
 * - `ts-node-check`: Pulumi's default for `typescript: true`. The language
 *   host's `cmd/run` registers ts-node (the project's, else the vendored
 *   7.0.1) with type-checking; `registerLikePulumi` repeats its calls.
 * - `ts-node-transpile`: the same with `PULUMI_NODEJS_TRANSPILE_ONLY=true`
 *   (or `noCheck` in tsconfig.json): ts-node without type-checking.
 * - `tsx`: `typescript: false` and `nodeargs: --import tsx` (run.ts passes the flag).
 * - `precompiled`: `typescript: false`, `main:` pointing at tsc's output.
 *
 *   node startupHost.js <mode> <program> <prod | number of apps>
 */
import * as path from "node:path";
import { performance } from "node:perf_hooks";
import { readStackFile, stackFilePath } from "../config/stackFile";
import { runProgram } from "../tools/plan/mockEngine";
import { OFFLINE_CALLS } from "../tools/plan/offlineCalls";
import { benchRawConfig } from "./appsConfig";
import { peakRssMiB, reportMeasurement } from "./measurement";

export const STARTUP_MODES = ["ts-node-check", "ts-node-transpile", "tsx", "precompiled"] as const;
export type StartupMode = (typeof STARTUP_MODES)[number];

export interface StartupResult {
    mode: StartupMode;
    apps: number;
    /** From the process's start until the program's registrations and outputs settled. */
    inProcessMs: number;
    /** The part of it spent running the program, its compilation included. */
    evalMs: number;
    maxRssMiB: number;
}

interface PulumiTsUtils {
    loadTypeScriptCompilerOptions(tsConfigPath: string): Record<string, unknown>;
    typeScriptRequireStrings(): { tsnodeRequire: string; typescriptRequire: string };
}

/** What @pulumi/pulumi/cmd/run/run.js does for a CommonJS TypeScript project (SDK 3.270). */
function registerLikePulumi(transpileOnly: boolean | undefined): void {
    // Internal SDK module: it picks ts-node and the compiler the way the language host does.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const tsutils = require("@pulumi/pulumi/tsutils") as PulumiTsUtils;
    const tsConfigPath = "tsconfig.json";
    const compilerOptions = tsutils.loadTypeScriptCompilerOptions(tsConfigPath);
    const { tsnodeRequire, typescriptRequire } = tsutils.typeScriptRequireStrings();
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const tsNode = require(tsnodeRequire) as { register(options: object): void };
    tsNode.register({
        compiler: typescriptRequire,
        transpileOnly,
        project: tsConfigPath,
        skipProject: false,
        compilerOptions: { target: "ES2020", module: "nodenext", moduleResolution: "nodenext", sourceMap: "true", ...compilerOptions },
    });
}

async function main(): Promise<StartupResult> {
    const [mode, program, configArg] = process.argv.slice(2) as [StartupMode, string, string];
    if (!STARTUP_MODES.includes(mode) || !program || !configArg) {
        throw new Error("usage: startupHost.js <mode> <program> <prod | apps>");
    }
    const config = configArg === "prod" ? readStackFile(stackFilePath(process.cwd(), "prod")) : benchRawConfig(Number(configArg));
    const started = performance.now();
    if (mode === "ts-node-check") registerLikePulumi(undefined);
    if (mode === "ts-node-transpile") registerLikePulumi(true);
    const run = await runProgram({ program: path.resolve(program), stack: "prod", config, calls: OFFLINE_CALLS });
    if (run.error) throw run.error;
    return {
        mode,
        apps: run.resources.filter((r) => r.type === "cloudflare:index/dnsRecord:DnsRecord").length,
        inProcessMs: performance.now(),
        evalMs: performance.now() - started,
        maxRssMiB: peakRssMiB(),
    };
}

if (require.main === module) reportMeasurement(main);
