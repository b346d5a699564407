// Child processes for `npm run engine`, each bounded: a time limit, its whole
// process group ended when the limit passes or when this process is stopped
// (`go build` starts compilers and linkers of its own), and progress printed
// while a long step runs.
import { spawn } from "node:child_process";
import process from "node:process";
import { clearInterval, clearTimeout, setInterval, setTimeout } from "node:timers";

const running = new Set();

function endGroup(child) {
    try {
        process.kill(-child.pid, "SIGKILL");
    } catch {
        // Already gone.
    }
}

/** Makes a stop of this process (Ctrl-C, a CI timeout) end every running step's group first. */
export function endStepsOnSignal() {
    for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"]) {
        process.once(signal, () => {
            for (const child of running) endGroup(child);
            process.stderr.write(`\n[engine] stopped by ${signal}; ended ${running.size} running step(s)\n`);
            process.exit(130);
        });
    }
}

const KEEP_OUTPUT = 64 * 1024;

function keepTail(text, chunk) {
    const joined = text + chunk;
    return joined.length > KEEP_OUTPUT ? joined.slice(-KEEP_OUTPUT) : joined;
}

/**
 * Runs `command args` to completion or until `timeoutMs`, whichever is first.
 * With `progress` (a label), prints that label and the elapsed seconds every
 * `progressEveryMs`. Resolves {code, timedOut, seconds, stdout, stderr} (the
 * last 64 KiB of each); rejects only when the command cannot be started.
 * With `stdout` (an open file descriptor), the command writes its output
 * there instead, and `stdout` resolves empty.
 */
export function runBounded(command, args, { cwd, env, timeoutMs, progress, progressEveryMs = 30_000, stdout: stdoutFd }) {
    return new Promise((resolve, reject) => {
        const started = Date.now();
        const seconds = () => Math.round((Date.now() - started) / 1000);
        const child = spawn(command, args, { cwd, env, detached: true, stdio: ["ignore", stdoutFd ?? "pipe", "pipe"] });
        running.add(child);
        let stdout = "";
        let stderr = "";
        let timedOut = false;
        child.stdout?.on("data", (chunk) => (stdout = keepTail(stdout, chunk)));
        child.stderr.on("data", (chunk) => (stderr = keepTail(stderr, chunk)));
        const limit = setTimeout(() => {
            timedOut = true;
            endGroup(child);
        }, timeoutMs);
        const ticker = progress
            ? setInterval(() => process.stderr.write(`[engine]   ${progress}: ${seconds()} s\n`), progressEveryMs)
            : undefined;
        const finish = () => {
            clearTimeout(limit);
            clearInterval(ticker);
            running.delete(child);
        };
        child.on("error", (error) => {
            finish();
            reject(error);
        });
        child.on("close", (code) => {
            finish();
            // The group may still hold a grandchild that outlived its parent.
            endGroup(child);
            resolve({ code, timedOut, seconds: seconds(), stdout, stderr });
        });
    });
}
