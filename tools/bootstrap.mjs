// Runs before `npm run plan` and `npm test` (npm's pre-scripts), on whatever
// Node the machine has: installs the project's dependencies, Node 22
// included, when node_modules is missing or older than package-lock.json, so
// a fresh clone needs no other command first. npm's engine warnings for the
// packages that need the Node 22 it installs are summed up in one line
// (engineWarnings.mjs).
import { spawn } from "node:child_process";
import { existsSync, readFileSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import process from "node:process";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { EngineWarnings } from "./engineWarnings.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const installed = join(root, "node_modules", ".package-lock.json");
const lock = join(root, "package-lock.json");
const upToDate = existsSync(installed) && statSync(installed).mtimeMs >= statSync(lock).mtimeMs;

/** The version of the `node` package the install put in place, and semver's check; undefined when either is missing. */
function installedNode() {
    try {
        const version = JSON.parse(readFileSync(join(root, "node_modules", "node", "package.json"), "utf8")).version;
        const { satisfies } = createRequire(join(root, "package.json"))("semver");
        return { version, satisfies };
    } catch {
        return undefined;
    }
}

if (!upToDate) {
    process.stderr.write("Installing dependencies (npm ci), once...\n");
    const npm = process.env.npm_execpath;
    const command = npm ? process.execPath : "npm";
    const args = [...(npm ? [npm] : []), "ci", "--no-audit", "--no-fund"];
    // npm's own output goes to stderr, so `npm run plan -- --json` stays parseable.
    const child = spawn(command, args, { cwd: root, stdio: ["ignore", "pipe", "pipe"] });
    child.stdout.pipe(process.stderr, { end: false });
    const engineWarnings = new EngineWarnings();
    const lines = createInterface({ input: child.stderr, crlfDelay: Infinity });
    lines.on("line", (line) => {
        if (!engineWarnings.offer(line)) process.stderr.write(`${line}\n`);
    });
    const [status] = await Promise.all([new Promise((resolve) => child.on("close", (code) => resolve(code))), new Promise((resolve) => lines.on("close", resolve))]);
    const node = status === 0 ? installedNode() : undefined;
    for (const line of engineWarnings.report(node?.version, node?.satisfies)) process.stderr.write(`${line}\n`);
    if (status !== 0) {
        process.stderr.write("npm ci failed; see above.\n");
        process.exit(status ?? 1);
    }
}
