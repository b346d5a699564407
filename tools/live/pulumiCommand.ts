/**
 * Runs the Pulumi CLI from PATH (no shell, no Pulumi SDK), as a user would in
 * the project directory, bounded by a timeout and Ctrl-C: either ends it with
 * SIGINT, on which the CLI cancels cleanly rather than leave pending
 * operations behind.
 */
import { spawn } from "node:child_process";
import { CliError } from "./cliError";

export interface PulumiRun {
    cwd: string;
    env: NodeJS.ProcessEnv;
    timeoutMs: number;
    signal: AbortSignal;
    /** Receives the CLI's output as it comes; without it the output is only kept. */
    onOutput?: (text: string) => void;
}

/** Resolves with what the CLI printed on stdout; a CLI that fails, is missing or times out is a {@link CliError} with its stderr. */
export function runPulumi(args: readonly string[], run: PulumiRun): Promise<string> {
    const command = `\`pulumi ${args.join(" ")}\``;
    return new Promise((resolve, reject) => {
        const child = spawn("pulumi", [...args, "--non-interactive"], {
            cwd: run.cwd,
            env: run.env,
            stdio: ["ignore", "pipe", "pipe"],
            timeout: run.timeoutMs,
            signal: run.signal,
            killSignal: "SIGINT",
        });
        let stdout = "";
        let stderr = "";
        child.stdout.on("data", (chunk: Buffer) => {
            stdout += chunk.toString("utf8");
            run.onOutput?.(chunk.toString("utf8"));
        });
        child.stderr.on("data", (chunk: Buffer) => {
            stderr += chunk.toString("utf8");
            run.onOutput?.(chunk.toString("utf8"));
        });
        child.on("error", (error: NodeJS.ErrnoException) => {
            if (error.code === "ENOENT") reject(new CliError("This command needs the Pulumi CLI (pulumi) on PATH: https://www.pulumi.com/docs/iac/download-install/", { cause: error }));
            else if (error.name !== "AbortError") reject(new CliError(`${command} did not finish: ${error.message}`, { cause: error }));
        });
        child.on("close", (code, signal) => {
            if (code === 0) resolve(stdout);
            else if (signal !== null) reject(new CliError(`${command} was stopped (${signal}${run.signal.aborted ? ", interrupted" : `, after ${Math.round(run.timeoutMs / 1000)} s`}): ${stderr.trim()}`));
            else reject(new CliError(`${command} failed (exit status ${code}): ${stderr.trim()}`));
        });
    });
}
