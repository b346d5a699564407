// `npm run engine`: makes a real Pulumi CLI, its Node.js language host and the
// project's resource plugins available, and writes .engine/engine.json saying
// where they are (docs/engine.md). A `pulumi` on PATH is used as it is; without
// one, the CLI is built from Go modules and the host from its source in
// ../shared/engine into .engine/<key>/bin, once, and the resource plugins are
// installed from ../shared/engine. Plain Node with no dependencies: it runs
// before `npm ci`.
//
//   --require-plugins  exit 3 when a resource plugin is missing
//   --build            build from Go modules even when PATH has a `pulumi`
import { createHash } from "node:crypto";
import { accessSync, chmodSync, closeSync, constants, cpSync, existsSync, lstatSync, mkdirSync, openSync, readFileSync, readdirSync, renameSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { delimiter, dirname, join, relative } from "node:path";
import process from "node:process";
import { ENGINE_DIR, MANIFEST_PATH, MANIFEST_SCHEMA, PROJECT_ROOT, engineVariables, missingPlugins, pluginEntry } from "./manifest.mjs";
import { endStepsOnSignal, runBounded } from "./run.mjs";
import { wantedPlugins } from "./plugins.mjs";
import { SHARED_ENGINE_DIR, pluginBinaryName, readSharedChecksums, sha256File, sharedHostSource, sharedPluginFiles, sharedPluginVersions } from "./sharedParts.mjs";
import { buildKey, checkCliVersion, dependencyVersion, mainModule, requiredVersion } from "./versions.mjs";

const CLI_MODULE_DIR = join(PROJECT_ROOT, "tools", "engine", "go", "cli");
const CLI_PACKAGE = "github.com/pulumi/pulumi/pkg/v3/cmd/pulumi";
// The host is a module of its own since Pulumi 3.100; the Go module proxy here
// does not serve it, so it is built from its source in ../shared/engine.
const HOST_MODULE = "github.com/pulumi/pulumi/sdk/nodejs/cmd/pulumi-language-nodejs/v3";
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

/** A digest of every file a build reads that is not a Go module: the CLI's go.mod/go.sum and the host's source. */
function modulesDigest(hostSource) {
    const hash = createHash("sha256");
    for (const file of ["go.mod", "go.sum"]) hash.update(readFileSync(join(CLI_MODULE_DIR, file)));
    for (const file of readdirSync(hostSource).sort()) hash.update(file).update(readFileSync(join(hostSource, file)));
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

/** The shared host source, or why the engine cannot be built without it. */
function hostSourceOrFail() {
    const host = sharedHostSource("nodejs");
    if (!host) {
        throw new EngineError(
            `no pulumi on PATH, and no Node.js language-host source at ${join(SHARED_ENGINE_DIR, "hosts", "pulumi-language-nodejs")} ` +
                `to build one from; install the Pulumi CLI (https://www.pulumi.com/docs/iac/download-install/) or lay ../shared beside the repository`,
        );
    }
    return host;
}

/** The CLI built from tools/engine/go and the host from ../shared/engine, reused when this key was built before. */
async function useBuilt(wanted) {
    unlinkUserPlugins();
    const go = await goEnv();
    const hostSource = hostSourceOrFail();
    const cliVersion = requiredVersion(readFileSync(join(CLI_MODULE_DIR, "go.mod"), "utf8"), "github.com/pulumi/pulumi/pkg/v3");
    const hostVersion = hostSource.version;
    const key = buildKey({
        cliVersion,
        hostVersion,
        goVersion: go.GOVERSION,
        goos: go.GOOS,
        goarch: go.GOARCH,
        modulesDigest: modulesDigest(hostSource.source),
    });
    const keyDir = join(ENGINE_DIR, key);
    const binDir = join(keyDir, "bin");
    const pulumi = join(binDir, "pulumi");
    const host = join(binDir, "pulumi-language-nodejs");
    const hostBuildDir = join(keyDir, "src", "pulumi-language-nodejs");
    const stampPath = join(keyDir, "build.json");

    if (existsSync(stampPath) && isExecutable(pulumi) && isExecutable(host)) {
        log(`reusing the build in ${relative(PROJECT_ROOT, keyDir)}`);
    } else {
        log(`no pulumi on PATH: building Pulumi CLI v${cliVersion} from Go modules, and pulumi-language-nodejs v${hostVersion} from ${hostSource.source}`);
        log(`into ${relative(PROJECT_ROOT, keyDir)}, once (a cold build takes minutes)`);
        rmSync(keyDir, { recursive: true, force: true });
        mkdirSync(binDir, { recursive: true });
        // A writable copy: ../shared is read-only, and Go may write beside go.mod.
        cpSync(hostSource.source, hostBuildDir, { recursive: true });
        chmodTree(hostBuildDir);
        const steps = [
            { name: "downloadCli", label: "go mod download (CLI modules)", args: ["mod", "download"], cwd: CLI_MODULE_DIR, timeoutMs: DOWNLOAD_TIMEOUT },
            { name: "buildCli", label: `go build pulumi v${cliVersion}`, args: goBuildArgs(`${pulumi}.partial`, cliVersion, CLI_PACKAGE), cwd: CLI_MODULE_DIR, timeoutMs: BUILD_TIMEOUT },
            { name: "downloadHost", label: "go mod download (language host modules)", args: ["mod", "download"], cwd: hostBuildDir, timeoutMs: DOWNLOAD_TIMEOUT },
            { name: "buildHost", label: `go build pulumi-language-nodejs v${hostVersion}`, args: goBuildArgs(`${host}.partial`, hostVersion, "."), cwd: hostBuildDir, timeoutMs: BUILD_TIMEOUT },
        ];
        const seconds = {};
        for (const [index, each] of steps.entries()) seconds[each.name] = await step(index + 1, steps.length, each);
        renameSync(`${pulumi}.partial`, pulumi);
        renameSync(`${host}.partial`, host);
        writeFileSync(stampPath, JSON.stringify({ cliVersion, hostVersion, go, builtAt: new Date().toISOString(), seconds }, null, 2) + "\n");
    }

    // The labels come from the binaries themselves, never from what we meant to build.
    await assertBuiltFrom(pulumi, "github.com/pulumi/pulumi/pkg/v3", cliVersion);
    await assertHostBuild(host, hostVersion);
    const versionRun = await quickRun(pulumi, ["version"], { ...process.env, ...engineVariables() });
    const check = checkCliVersion(versionRun.stdout, pulumi);
    if (!check.ok) throw new EngineError(check.message);
    if (check.version !== cliVersion) throw new EngineError(`${pulumi} reports ${check.version}, not the v${cliVersion} it was built as`);

    const plugins = [];
    for (const plugin of wanted) plugins.push(await sharedPlugin(plugin, pulumi, go));
    return {
        source: "built",
        pulumi: { path: pulumi, version: check.version },
        languageHost: { name: "nodejs", path: host, version: hostVersion },
        binDir,
        plugins,
    };
}

function chmodTree(dir) {
    chmodSync(dir, 0o755);
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
        const path = join(dir, entry.name);
        if (entry.isDirectory()) chmodTree(path);
        else chmodSync(path, 0o644);
    }
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
 * A host built from a source folder has no module version of its own (Go
 * records "(devel)"): it must be the host's module, built against the Pulumi
 * SDK of its version, and say that version itself.
 */
async function assertHostBuild(host, version) {
    const info = await quickRun("go", ["version", "-m", host]);
    const sdk = dependencyVersion(info.stdout, "github.com/pulumi/pulumi/sdk/v3");
    if (!info.stdout.includes(`\tmod\t${HOST_MODULE}\t`) || sdk !== version) {
        throw new EngineError(`${host} is not ${HOST_MODULE} built against sdk/v3 v${version} (its build info names sdk ${sdk ?? "none"}); delete it`);
    }
    const printed = (await quickRun(host, ["-version"])).stdout.trim();
    if (printed !== `v${version}`) throw new EngineError(`${host} -version printed "${printed}", not v${version}; delete it`);
}

/**
 * A resource plugin for the built engine: the one in the engine's PULUMI_HOME,
 * else the same version from ../shared/engine, checked against its SHA256SUMS
 * (packed and unpacked) and installed with `pulumi plugin install -f`; else
 * why it is missing. Never a binary under another version's name.
 */
async function sharedPlugin({ name, version }, pulumi, go) {
    const installed = join(localPluginsDir(), `resource-${name}-v${version}`, `pulumi-resource-${name}`);
    if (isExecutable(installed)) return pluginEntry({ name, version, path: installed });
    const platform = { goos: go.GOOS, goarch: go.GOARCH };
    const binaryName = pluginBinaryName({ name, version, ...platform });
    const packed = join(SHARED_ENGINE_DIR, "plugins", `${binaryName}.xz`);
    if (!existsSync(packed)) {
        const offered = sharedPluginVersions(sharedPluginFiles(), { name, ...platform });
        return pluginEntry({
            name,
            version,
            missingReason:
                `${join(SHARED_ENGINE_DIR, "plugins")} has no ${binaryName}.xz` +
                (offered.length > 0 ? ` (it has ${offered.join(", ")}: pin @pulumi/${name} to that version in package-lock.json)` : "") +
                `; on a machine with internet, \`pulumi plugin install resource ${name} ${version}\` with PULUMI_HOME=${engineVariables().PULUMI_HOME}`,
        });
    }
    log(`installing resource plugin ${name} v${version} from ${packed}`);
    const sums = readSharedChecksums();
    await assertChecksum(packed, sums.get(`${binaryName}.xz`));
    const unpackDir = join(ENGINE_DIR, "unpacked");
    mkdirSync(unpackDir, { recursive: true });
    const unpacked = join(unpackDir, binaryName);
    try {
        const out = openSync(unpacked, "w", 0o755);
        const result = await runBoundedTo(out, "xz", ["--decompress", "--stdout", packed]);
        closeSync(out);
        if (result.code !== 0) throw new EngineError(`xz could not unpack ${packed}: ${result.stderr.trim()}`);
        await assertChecksum(unpacked, sums.get(binaryName));
        chmodSync(unpacked, 0o755);
        const install = await runBounded(pulumi, ["plugin", "install", "resource", name, version, "--file", unpacked], {
            cwd: ENGINE_DIR,
            env: { ...process.env, ...engineVariables() },
            timeoutMs: QUICK_TIMEOUT,
        });
        if (install.code !== 0) throw new EngineError(`pulumi plugin install resource ${name} ${version} failed: ${install.stderr.trim() || install.stdout.trim()}`);
    } finally {
        rmSync(unpacked, { force: true });
    }
    if (!isExecutable(installed)) throw new EngineError(`pulumi plugin install put no ${installed}`);
    return pluginEntry({ name, version, path: installed });
}

async function assertChecksum(path, expected) {
    if (!expected) throw new EngineError(`${join(SHARED_ENGINE_DIR, "SHA256SUMS")} lists no checksum for ${path}`);
    const actual = await sha256File(path);
    if (actual !== expected) throw new EngineError(`${path} has sha256 ${actual}, not the ${expected} that SHA256SUMS lists`);
}

/** Runs `command` with its stdout written to the open file `fd`. */
function runBoundedTo(fd, command, args) {
    return runBounded(command, args, { cwd: ENGINE_DIR, env: process.env, timeoutMs: QUICK_TIMEOUT, stdout: fd });
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
