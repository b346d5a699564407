// Runs before `npm run plan` and `npm test` (npm's pre-scripts), on whatever
// Node the machine has: installs the project's dependencies, Node 22
// included, when node_modules is missing or older than package-lock.json, so
// a fresh clone needs no other command first.
import { spawnSync } from "node:child_process";
import { existsSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const installed = join(root, "node_modules", ".package-lock.json");
const lock = join(root, "package-lock.json");
const upToDate = existsSync(installed) && statSync(installed).mtimeMs >= statSync(lock).mtimeMs;

if (!upToDate) {
    process.stderr.write("Installing dependencies (npm ci), once...\n");
    if (Number(process.versions.node.split(".")[0]) < 22) {
        process.stderr.write(`(npm runs on Node ${process.versions.node} here: its EBADENGINE warnings are expected; every script runs on the Node 22 this installs)\n`);
    }
    const npm = process.env.npm_execpath;
    const command = npm ? process.execPath : "npm";
    const args = [...(npm ? [npm] : []), "ci", "--no-audit", "--no-fund"];
    // npm's own output goes to stderr, so `npm run plan -- --json` stays parseable.
    const result = spawnSync(command, args, { cwd: root, stdio: ["ignore", process.stderr, process.stderr] });
    if (result.status !== 0) {
        process.stderr.write("npm ci failed; see above.\n");
        process.exit(result.status ?? 1);
    }
}
