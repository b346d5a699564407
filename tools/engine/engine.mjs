// `npm run engine`: makes a real Pulumi CLI, its Node.js language host and the
// project's resource plugins available, and writes .engine/engine.json saying
// where they are (docs/engine.md). A `pulumi` on PATH is used as it is; without
// one, the CLI and the host are built from Go modules into .engine/<key>/bin,
// once. Plain Node with no dependencies: it runs before `npm ci`.
//
//   --require-plugins  exit 3 when a resource plugin is missing
//   --build            build from Go modules even when PATH has a `pulumi`
import { createHash } from "node:crypto";
import { accessSync, constants, existsSync, lstatSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { delimiter, dirname, join, relative } from "node:path";
import process from "node:process";
import { ENGINE_DIR, MANIFEST_PATH, MANIFEST_SCHEMA, PROJECT_ROOT, engineVariables, missingPlugins, pluginEntry } from "./manifest.mjs";
import { endStepsOnSignal, runBounded } from "./run.mjs";
import { wantedPlugins } from "./plugins.mjs";
import { buildKey, checkCliVersion, mainModule, providerGoModule, requiredVersion } from "./versions.mjs";

const CLI_MODULE_DIR = join(PROJECT_ROOT, "tools", "engine", "go", "cli");
const HOST_MODULE_DIR = join(PROJECT_ROOT, "tools", "engine", "go", "language-nodejs");
const CLI_PACKAGE = "github.com/pulumi/pulumi/pkg/v3/cmd/pulumi";
// The newest served Go module that holds pulumi-language-nodejs as a package
// (sdk/v3@v3.68.0); newer hosts are a module of their own, which the Go module
// proxy here does not serve (docs/engine.md).
const HOST_PACKAGE = "github.com/pulumi/pulumi/sdk/v3/nodejs/cmd/pulumi-language-nodejs";
const VERSION_VARIABLE = "github.com/pulumi/pulumi/sdk/v3/go/common/version.Version";

const MINUTE = 60_000;
// Cold, on 2 cores, the CLI took 7.5 minutes on a quiet machine and 22 on a
// loaded one (docs/engine.md); the limits leave room for that and still end a
// hung step inside CI's 90 minutes.
const DOWNLOAD_TIMEOUT = 20 * MINUTE;
const BUILD_TIMEOUT = 40 * MINUTE;
const QUICK_TIMEOUT = 2 * MINUTE;

const log = (line) => process.stderr.write(`[engine] ${line}\n`);

class EngineError extends Error {}

function isExecutable(path) {
    try {
        accessSync(path, constants.X_OK);
        return true;
    } catch {
        return false;
    }
}

/** The first `name` on PATH outside .engine (a build of ours is never "the user's CLI"). */
function findOnPath(name) {
    for (const dir of (process.env.PATH ?? "").split(delimiter)) {
        if (dir === "" || !relative(ENGINE_DIR, dir).startsWith("..")) continue;
        const candidate = join(dir, name);
        if (isExecutable(candidate)) return candidate;
    }
    return undefined;
}

function quickRun(command, args, env = process.env, cwd = ENGINE_DIR) {
    return runBounded(command, args, { cwd, env, timeoutMs: QUICK_TIMEOUT });
}

/** The user's Pulumi CLI, with the plugins of their own PULUMI_HOME. */
async function useInstalled(pulumiPath, wanted) {
    const versionRun = await quickRun(pulumiPath, ["version"], { ...process.env, PULUMI_SKIP_UPDATE_CHECK: "true" });
    const check = checkCliVersion(versionRun.stdout, pulumiPath);
    if (!check.ok) throw new EngineError(check.message);
    const binDir = dirname(pulumiPath);
    const host = [join(binDir, "pulumi-language-nodejs"), findOnPath("pulumi-language-nodejs")].find(
        (path) => path && isExecutable(path),
    );
    if (!host) throw new EngineError(`${pulumiPath} has no pulumi-language-nodejs beside it or on PATH; reinstall the Pulumi CLI`);

    const userHome = process.env.PULUMI_HOME ?? join(homedir(), ".pulumi");
    linkUserPlugins(join(userHome, "plugins"));
    const listed = await quickRun(pulumiPath, ["plugin", "ls", "--json"], { ...process.env, PULUMI_SKIP_UPDATE_CHECK: "true" });
    const installed = listed.code === 0 ? JSON.parse(listed.stdout || "[]") : [];
    const plugins = wanted.map(({ name, version }) => {
        const exact = installed.find((p) => p.kind === "resource" && p.name === name && p.version === version);
        // `plugin ls --json` names no path; the plugin cache's layout does.
        const path = join(userHome, "plugins", `resource-${name}-v${version}`, `pulumi-resource-${name}`);
        if (exact && isExecutable(path)) return pluginEntry({ name, version, path });
        const others = installed.filter((p) => p.kind === "resource" && p.name === name).map((p) => p.version);
        return pluginEntry({
            name,
            version,
            missingReason:
                `not installed in ${join(userHome, "plugins")}` +
                (others.length > 0 ? ` (it has ${others.join(", ")})` : "") +
                `; run \`pulumi plugin install resource ${name} ${version}\``,
        });
    });
    return {
        source: "path",
        pulumi: { path: pulumiPath, version: check.version },
        // A release ships the host beside the CLI at the CLI's version, but only
        // the host itself could say which it is: no label rather than a guess.
        languageHost: { name: "nodejs", path: host, version: null },
        binDir,
        plugins,
        policyPacks: { supported: true, reason: "a released CLI runs Node policy packs through its language host" },
    };
}

/**
 * The engine's PULUMI_HOME is project-local; on a machine with its own CLI,
 * its plugins folder is a link to the user's, so the plugins they installed
 * (`pulumi plugin install …`) are the ones the engine runs.
 */
function linkUserPlugins(userPlugins) {
    const local = localPluginsDir();
    mkdirSync(dirname(local), { recursive: true });
    if (isFolder(local)) {
        log(`note: ${local} is a folder of its own, so the engine does not see the plugins in ${userPlugins}`);
        return;
    }
    unlinkUserPlugins();
    mkdirSync(userPlugins, { recursive: true });
    symlinkSync(userPlugins, local, "dir");
}

/** A built engine's plugins are its own: drop a link left by a run with the user's CLI. */
function unlinkUserPlugins() {
    const local = localPluginsDir();
    if (isLink(local)) rmSync(local);
}

function localPluginsDir() {
    return join(engineVariables().PULUMI_HOME, "plugins");
}

function isLink(path) {
    try {
        return lstatSync(path).isSymbolicLink();
    } catch {
        return false;
    }
}

function isFolder(path) {
    try {
        return lstatSync(path).isDirectory();
    } catch {
        return false;
    }
}

async function goEnv() {
    let result;
    try {
        result = await quickRun("go", ["env", "-json", "GOVERSION", "GOOS", "GOARCH", "GOMODCACHE"]);
    } catch (error) {
        throw new EngineError(`no pulumi on PATH, and no Go toolchain to build one (${error.message}); install either`);
    }
    if (result.code !== 0) throw new EngineError(`\`go env\` failed: ${result.stderr.trim()}`);
    return JSON.parse(result.stdout);
}

function goBuildEnv() {
    // -mod=readonly: the committed go.sum is the whole truth; GOWORK=off: no
    // go.work of the user's may swap in other module versions.
    const goflags = [process.env.GOFLAGS, "-mod=readonly"].filter(Boolean).join(" ");
    return { ...process.env, GOFLAGS: goflags, GOWORK: "off" };
}

function modulesDigest() {
    const hash = createHash("sha256");
    for (const dir of [CLI_MODULE_DIR, HOST_MODULE_DIR]) {
        for (const file of ["go.mod", "go.sum"]) hash.update(readFileSync(join(dir, file)));
    }
    return hash.digest("hex").slice(0, 10);
}

async function step(number, total, { label, args, cwd, timeoutMs }) {
    log(`step ${number}/${total}: ${label}`);
    const result = await runBounded("go", args, { cwd, env: goBuildEnv(), timeoutMs, progress: label });
    if (result.timedOut) throw new EngineError(`${label} did not finish within ${timeoutMs / MINUTE} minutes; stopped it`);
    if (result.code !== 0) {
        throw new EngineError(`${label} failed (exit ${result.code}) after ${result.seconds} s:\n${result.stderr.trim()}`);
    }
    log(`step ${number}/${total}: ${label}: done in ${result.seconds} s`);
    return result.seconds;
}

function goBuildArgs(output, version, pkg) {
    return ["build", "-trimpath", "-ldflags", `-s -w -X ${VERSION_VARIABLE}=v${version}`, "-o", output, pkg];
}

/** The CLI and host built from tools/engine/go, reused when this key was built before. */
async function useBuilt(wanted) {
    unlinkUserPlugins();
    const go = await goEnv();
    const cliVersion = requiredVersion(readFileSync(join(CLI_MODULE_DIR, "go.mod"), "utf8"), "github.com/pulumi/pulumi/pkg/v3");
    const hostVersion = requiredVersion(readFileSync(join(HOST_MODULE_DIR, "go.mod"), "utf8"), "github.com/pulumi/pulumi/sdk/v3");
    const key = buildKey({
        cliVersion,
        hostVersion,
        goVersion: go.GOVERSION,
        goos: go.GOOS,
        goarch: go.GOARCH,
        modulesDigest: modulesDigest(),
    });
    const keyDir = join(ENGINE_DIR, key);
    const binDir = join(keyDir, "bin");
    const pulumi = join(binDir, "pulumi");
    const host = join(binDir, "pulumi-language-nodejs");
    const stampPath = join(keyDir, "build.json");

    if (existsSync(stampPath) && isExecutable(pulumi) && isExecutable(host)) {
        log(`reusing the build in ${relative(PROJECT_ROOT, keyDir)}`);
    } else {
        log(`no pulumi on PATH: building Pulumi CLI v${cliVersion} and pulumi-language-nodejs v${hostVersion} from Go modules`);
        log(`into ${relative(PROJECT_ROOT, keyDir)}, once (a cold build takes minutes)`);
        rmSync(keyDir, { recursive: true, force: true });
        mkdirSync(binDir, { recursive: true });
        const steps = [
            { name: "downloadCli", label: "go mod download (CLI modules)", args: ["mod", "download"], cwd: CLI_MODULE_DIR, timeoutMs: DOWNLOAD_TIMEOUT },
            { name: "buildCli", label: `go build pulumi v${cliVersion}`, args: goBuildArgs(`${pulumi}.partial`, cliVersion, CLI_PACKAGE), cwd: CLI_MODULE_DIR, timeoutMs: BUILD_TIMEOUT },
            { name: "downloadHost", label: "go mod download (language host modules)", args: ["mod", "download"], cwd: HOST_MODULE_DIR, timeoutMs: DOWNLOAD_TIMEOUT },
            { name: "buildHost", label: `go build pulumi-language-nodejs v${hostVersion}`, args: goBuildArgs(`${host}.partial`, hostVersion, HOST_PACKAGE), cwd: HOST_MODULE_DIR, timeoutMs: BUILD_TIMEOUT },
        ];
        const seconds = {};
        for (const [index, each] of steps.entries()) seconds[each.name] = await step(index + 1, steps.length, each);
        renameSync(`${pulumi}.partial`, pulumi);
        renameSync(`${host}.partial`, host);
        writeFileSync(stampPath, JSON.stringify({ cliVersion, hostVersion, go, builtAt: new Date().toISOString(), seconds }, null, 2) + "\n");
    }

    // The labels come from the binaries themselves, never from what we meant to build.
    await assertBuiltFrom(pulumi, "github.com/pulumi/pulumi/pkg/v3", cliVersion);
    await assertBuiltFrom(host, "github.com/pulumi/pulumi/sdk/v3", hostVersion);
    const versionRun = await quickRun(pulumi, ["version"], { ...process.env, ...engineVariables() });
    const check = checkCliVersion(versionRun.stdout, pulumi);
    if (!check.ok) throw new EngineError(check.message);
    if (check.version !== cliVersion) throw new EngineError(`${pulumi} reports ${check.version}, not the v${cliVersion} it was built as`);

    const plugins = [];
    for (const plugin of wanted) plugins.push(await builtPlugin(plugin));
    return {
        source: "built",
        pulumi: { path: pulumi, version: check.version },
        languageHost: { name: "nodejs", path: host, version: hostVersion },
        binDir,
        plugins,
        policyPacks: policyPackSupport(go.GOMODCACHE, cliVersion, hostVersion),
    };
}

/** Fails unless `binary`'s main package was built from `module` at `version` (its Go build info says). */
async function assertBuiltFrom(binary, module, version) {
    const info = await quickRun("go", ["version", "-m", binary]);
    const built = mainModule(info.stdout);
    if (built?.path !== module || built.version !== version) {
        throw new EngineError(`${binary} was built from ${built ? `${built.path}@v${built.version}` : "an unknown module"}, not ${module}@v${version}; delete it`);
    }
}

/**
 * A resource plugin for the built engine: the binary in the engine's
 * PULUMI_HOME if someone put it there, else why it is missing. Asks the Go
 * module proxy each time (a second or two), so the reason is never stale.
 */
async function builtPlugin({ name, version }) {
    const path = join(localPluginsDir(), `resource-${name}-v${version}`, `pulumi-resource-${name}`);
    if (isExecutable(path)) return pluginEntry({ name, version, path });
    const module = providerGoModule(name, version);
    const command = `go mod download -json ${module.path}@${module.version}`;
    const result = await quickRun("go", ["mod", "download", "-json", `${module.path}@${module.version}`], {
        ...process.env,
        GOFLAGS: "-mod=mod",
        GOWORK: "off",
    });
    if (result.timedOut) {
        return pluginEntry({ name, version, missingReason: `\`${command}\` did not answer within ${QUICK_TIMEOUT / 1000} s` });
    }
    let error;
    try {
        error = JSON.parse(result.stdout).Error;
    } catch {
        error = result.stderr.trim() || `exit ${result.code}`;
    }
    // go prints the proxy's answer on a second, tab-indented line; one line reads better in a report.
    error = error?.replace(/\s+/g, " ");
    const missingReason = error
        ? `the Go module proxy does not serve ${module.path}@${module.version}, so the plugin cannot be built here: \`${command}\` said: ${error}`
        : `${module.path}@${module.version} is served, but this tool builds no resource plugins; put pulumi-resource-${name} v${version} at ${path}`;
    return pluginEntry({ name, version, missingReason });
}

/**
 * Whether `pulumi preview --policy-pack` can run a Node policy pack. The CLI
 * runs one through the nodejs language host's RunPlugin whenever a nodejs
 * host is installed, and falls back to `pulumi-analyzer-policy` only when none
 * is; the host built here (see HOST_PACKAGE) predates RunPlugin.
 */
function policyPackSupport(goModCache, cliVersion, hostVersion) {
    const analyzer = join(goModCache, "github.com", "pulumi", "pulumi", "sdk", `v3@v${cliVersion}`, "nodejs", "dist", "pulumi-analyzer-policy");
    const shipped = existsSync(analyzer) ? `it ships ${analyzer}, which the CLI does not use while a nodejs host is present` : "it has no nodejs/dist/pulumi-analyzer-policy";
    return {
        supported: false,
        reason:
            `pulumi v${cliVersion} runs a Node policy pack through the language host's RunPlugin, which ` +
            `pulumi-language-nodejs v${hostVersion} answers "not supported"; sdk/v3@v${cliVersion}'s module: ${shipped}`,
    };
}

function writeManifest(engine) {
    const manifest = { schema: MANIFEST_SCHEMA, writtenAt: new Date().toISOString(), ...engine, env: engineVariables() };
    mkdirSync(manifest.env.PULUMI_HOME, { recursive: true });
    writeFileSync(`${MANIFEST_PATH}.partial`, JSON.stringify(manifest, null, 2) + "\n");
    renameSync(`${MANIFEST_PATH}.partial`, MANIFEST_PATH);
    return manifest;
}

function report(manifest) {
    const lines = [
        `Pulumi engine (${manifest.source === "built" ? "built here from Go modules" : "the pulumi on PATH"}):`,
        `  pulumi                  ${manifest.pulumi.version}  ${manifest.pulumi.path}`,
        `  pulumi-language-nodejs  ${manifest.languageHost.version ?? "(version not reported)"}  ${manifest.languageHost.path}`,
        `  bin dir (put first on PATH)  ${manifest.binDir}`,
        `  PULUMI_HOME                  ${manifest.env.PULUMI_HOME}`,
        `  policy packs                 ${manifest.policyPacks.supported ? "yes" : `NO: ${manifest.policyPacks.reason}`}`,
        `  manifest                     ${MANIFEST_PATH}`,
        "  resource plugins:",
        ...manifest.plugins.map((p) => `    ${p.name} ${p.version}  ${p.path ?? "MISSING"}`),
    ];
    process.stdout.write(lines.join("\n") + "\n");
    const missing = missingPlugins(manifest);
    if (missing.length > 0) {
        const bar = "!".repeat(78);
        process.stdout.write(
            [bar, `!!! ${missing.length} RESOURCE PLUGIN(S) MISSING: a preview or update that needs one fails`, ...missing.map((p) => `!!! ${p.name} ${p.version}: ${p.missingReason}`), bar].join("\n") + "\n",
        );
    }
}

function parseFlags(argv) {
    const known = new Set(["--require-plugins", "--build"]);
    const unknown = argv.filter((arg) => !known.has(arg));
    if (unknown.length > 0) throw new EngineError(`unknown option(s): ${unknown.join(" ")} (known: ${[...known].join(" ")})`);
    return { requirePlugins: argv.includes("--require-plugins"), build: argv.includes("--build") };
}

async function main() {
    const flags = parseFlags(process.argv.slice(2));
    endStepsOnSignal();
    mkdirSync(ENGINE_DIR, { recursive: true });
    // A failed run leaves no manifest, so no test runs an engine that is not there.
    rmSync(MANIFEST_PATH, { force: true });
    const wanted = wantedPlugins(PROJECT_ROOT);
    const installed = flags.build ? undefined : findOnPath("pulumi");
    const engine = installed ? await useInstalled(installed, wanted) : await useBuilt(wanted);
    const manifest = writeManifest(engine);
    report(manifest);
    const stale = readdirSync(ENGINE_DIR).filter((name) => name.startsWith("pulumi-v") && !manifest.binDir.includes(name));
    if (manifest.source === "built" && stale.length > 0) log(`older builds you may delete: ${stale.map((name) => join(".engine", name)).join(" ")}`);
    if (flags.requirePlugins && missingPlugins(manifest).length > 0) return 3;
    return 0;
}

main().then(
    (code) => process.exit(code),
    (error) => {
        process.stderr.write(`[engine] ${error instanceof EngineError ? error.message : error.stack}\n`);
        process.exit(1);
    },
);
