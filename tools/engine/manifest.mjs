// The contract between `npm run engine` and whatever runs the engine (the
// end-to-end tests): .engine/engine.json, what it holds, and the environment a
// `pulumi` process must get from it. Plain Node, no dependencies.
import { readFileSync } from "node:fs";
import { delimiter, dirname, join } from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";

/** The repository root. */
export const PROJECT_ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");

/** The gitignored folder every build, the engine's PULUMI_HOME and the manifest live in. */
export const ENGINE_DIR = join(PROJECT_ROOT, ".engine");

export const MANIFEST_PATH = join(ENGINE_DIR, "engine.json");

/** Bumped when the manifest's shape changes, so a reader never misreads an old one. */
export const MANIFEST_SCHEMA = 4;

/**
 * The variables every `pulumi` run of this project gets: its own PULUMI_HOME
 * (no user credentials, workspaces or caches leak in or out), and nothing may
 * be downloaded: no plugin acquisition, no update check.
 */
export function engineVariables(engineDir = ENGINE_DIR) {
    return {
        PULUMI_HOME: join(engineDir, "home"),
        PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
        PULUMI_SKIP_UPDATE_CHECK: "true",
    };
}

/** One resource plugin: found (path) or missing (missingReason), never both. */
export function pluginEntry({ name, version, path = null, missingReason = null }) {
    if ((path === null) === (missingReason === null)) {
        throw new Error(`plugin ${name}: exactly one of path and missingReason must be set`);
    }
    return { name, kind: "resource", version, path, missingReason };
}

/** Reads and checks .engine/engine.json; the error says how to make it. */
export function readEngineManifest(path = MANIFEST_PATH) {
    let manifest;
    try {
        manifest = JSON.parse(readFileSync(path, "utf8"));
    } catch (error) {
        throw new Error(`no engine manifest at ${path} (${error.message}); run \`npm run engine\` first`, { cause: error });
    }
    if (manifest?.schema !== MANIFEST_SCHEMA) {
        throw new Error(`${path} has schema ${manifest?.schema}, not ${MANIFEST_SCHEMA}; run \`npm run engine\` again`);
    }
    return manifest;
}

/**
 * The environment for a `pulumi` child process: `base` plus the manifest's
 * variables, with the engine's bin folder (pulumi and its language host) and
 * this Node's folder (the language host runs `node` from PATH) first on PATH.
 */
export function engineEnv(manifest, base = process.env, nodeBinDir = dirname(process.execPath)) {
    const path = [manifest.binDir, nodeBinDir, base.PATH ?? ""].filter((part) => part !== "").join(delimiter);
    return { ...base, ...manifest.env, PATH: path };
}

/** What the other-language examples need and the engine lacks (a language host, the Python venv), each with why. */
export function missingLanguageParts(manifest) {
    const hosts = manifest.languageHosts.filter((host) => host.path === null).map((host) => ({ part: `pulumi-language-${host.name}`, missingReason: host.missingReason }));
    return manifest.python.venv === null ? [...hosts, { part: "the Python venv", missingReason: manifest.python.missingReason }] : hosts;
}

/** The plugins that are missing, each with why. */
export function missingPlugins(manifest) {
    return manifest.plugins.filter((plugin) => plugin.path === null);
}
