// `npm run engine`: makes a real Pulumi CLI, its language hosts and the
// project's resource plugins available, and writes .engine/engine.json saying
// where they are (docs/engine.md). Where from (./sources.mjs): a `pulumi` on
// PATH is used as it is; without one, when ../shared/engine lies beside the
// repository, the CLI is built from Go modules and the Node.js host from its
// source there into .engine/<key>/bin, once, and the resource plugins are
// installed from there; the Python, YAML and Go language hosts are built the
// same way, each into .engine/hosts/<key>, and linked beside the CLI.
// Anywhere else, the released CLI (with its hosts) is downloaded from
// get.pulumi.com and the official plugins installed with `pulumi plugin
// install`. The Python packages go into .engine/python-venv, pinned. Plain
// Node with no dependencies: it runs before `npm ci`.
//
//   --require-plugins  exit 3 when a resource plugin is missing
//   --build            build from Go modules even when PATH has a `pulumi`
/* global fetch, AbortSignal -- Node's own globals, with no module to import them from */
import { createHash } from "node:crypto";
import { accessSync, chmodSync, closeSync, constants, cpSync, existsSync, lstatSync, mkdirSync, openSync, readFileSync, readdirSync, renameSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { basename, delimiter, dirname, join, relative } from "node:path";
import { Buffer } from "node:buffer";
import process from "node:process";
import { ENGINE_DIR, MANIFEST_PATH, MANIFEST_SCHEMA, PROJECT_ROOT, engineVariables, missingLanguageParts, missingPlugins, pluginEntry } from "./manifest.mjs";
import { endStepsOnSignal, runBounded } from "./run.mjs";
import { wantedPlugins } from "./plugins.mjs";
import { SHARED_ENGINE_DIR, parseChecksums, pluginBinaryName, readSharedChecksums, sha256File, sharedHostSource, sharedPluginFiles, sharedPluginVersions } from "./sharedParts.mjs";
import { engineSource, pluginSourceText, releaseArchive } from "./sources.mjs";
import { buildKey, checkCliVersion, dependencyVersion, hostBuildKey, mainModule, parseVersion, pinnedRequirement, requiredVersion } from "./versions.mjs";

const CLI_MODULE_DIR = join(PROJECT_ROOT, "tools", "engine", "go", "cli");
const CLI_PACKAGE = "github.com/pulumi/pulumi/pkg/v3/cmd/pulumi";
const VERSION_VARIABLE = "github.com/pulumi/pulumi/sdk/v3/go/common/version.Version";
// The YAML host is served by the Go module proxy, and built from a module that requires it.
const YAML_MODULE_DIR = join(PROJECT_ROOT, "tools", "engine", "go", "language-yaml");
const YAML_MODULE = "github.com/pulumi/pulumi-yaml";
const YAML_VERSION_VARIABLE = "github.com/pulumi/pulumi-yaml/pkg/version.Version";
/** The languages whose hosts the engine has besides Node.js: the examples/python, examples/yaml and examples/go stacks. */
const OTHER_LANGUAGES = ["python", "yaml", "go"];
const PYTHON_DIR = join(PROJECT_ROOT, "tools", "engine", "python");
const PYTHON_REQUIREMENTS = join(PYTHON_DIR, "requirements.txt");
// The Python host runs each program through this runner, which it expects beside itself.
const PYTHON_RUNNER = join(PYTHON_DIR, "pulumi-language-python-exec");
const PYTHON_VENV = join(ENGINE_DIR, "python-venv");

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
    const languageHosts = ["nodejs", ...OTHER_LANGUAGES].map((language) => {
        const name = `pulumi-language-${language}`;
        const host = [join(binDir, name), findOnPath(name)].find((path) => path && isExecutable(path));
        if (!host) {
            const reason = `${pulumiPath} has no ${name} beside it or on PATH; reinstall the Pulumi CLI`;
            // Only the other-language examples need the others: their tests fail with this, the rest runs.
            if (language !== "nodejs") return missingHost(language, reason);
            throw new EngineError(reason);
        }
        // A release ships the hosts beside the CLI at the CLI's version, but only
        // a host itself could say which it is: no label rather than a guess.
        return { name: language, path: host, version: null };
    });

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
        languageHosts,
        binDir,
        plugins,
        python: await optionalPythonVenv(),
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

/**
 * A digest of every file a build reads that is not a Go module (go.mod/go.sum
 * files, a host's source, its subfolders included), by path and content,
 * folder by folder.
 */
function filesDigest(dirs) {
    const hash = createHash("sha256");
    const add = (dir, prefix) => {
        for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
            const path = join(dir, entry.name);
            if (entry.isDirectory()) add(path, `${prefix}${entry.name}/`);
            else hash.update(`${prefix}${entry.name}`).update(readFileSync(path));
        }
    };
    for (const dir of dirs) add(dir, "");
    return hash.digest("hex").slice(0, 10);
}

async function step(number, total, { label, command = "go", args, cwd, timeoutMs, env = goBuildEnv() }) {
    log(`step ${number}/${total}: ${label}`);
    const result = await runBounded(command, args, { cwd, env, timeoutMs, progress: label });
    if (result.timedOut) throw new EngineError(`${label} did not finish within ${timeoutMs / MINUTE} minutes; stopped it`);
    if (result.code !== 0) {
        throw new EngineError(`${label} failed (exit ${result.code}) after ${result.seconds} s:\n${result.stderr.trim()}`);
    }
    log(`step ${number}/${total}: ${label}: done in ${result.seconds} s`);
    return result.seconds;
}

function goBuildArgs(output, version, pkg, versionVariable = VERSION_VARIABLE) {
    return ["build", "-trimpath", "-ldflags", `-s -w -X ${versionVariable}=v${version}`, "-o", output, pkg];
}

/**
 * How a language host is built and recognised. `copyFrom`: a source folder
 * (the nodejs and python hosts, whose modules the proxy does not serve, from
 * ../shared/engine); else `moduleDir`, a module of ours that requires the
 * host's (yaml). `companions`: files the host expects beside itself. `inputs`:
 * the folders whose files key the build. `verify` checks the built binary's
 * own labels.
 */
function hostSpec(language) {
    if (language === "yaml") {
        const version = requiredVersion(readFileSync(join(YAML_MODULE_DIR, "go.mod"), "utf8"), YAML_MODULE);
        if (!version) throw new EngineError(`${join(YAML_MODULE_DIR, "go.mod")} requires no ${YAML_MODULE}`);
        // Our command over pulumi-yaml's server, with the engine's schema loader on (see its main.go);
        // its version says so, rather than passing for upstream's command.
        const stampedVersion = `${version}+rpc-loader`;
        return {
            language,
            version,
            moduleDir: YAML_MODULE_DIR,
            pkg: ".",
            stampedVersion,
            versionVariable: YAML_VERSION_VARIABLE,
            companions: [],
            inputs: [YAML_MODULE_DIR],
            // The YAML host has no -version flag; its build info names the pulumi-yaml it was built with, and
            // its bytes hold the version it was stamped with.
            verify: async (binary) => {
                await assertBuiltWith(binary, YAML_MODULE, version);
                await assertStamped(binary, YAML_VERSION_VARIABLE, stampedVersion);
            },
        };
    }
    const host = sharedHostSource(language);
    if (!host) {
        throw new EngineError(
            `no pulumi on PATH, and no ${language} language-host source at ${join(SHARED_ENGINE_DIR, "hosts", `pulumi-language-${language}`)} ` +
                `to build one from; install the Pulumi CLI (https://www.pulumi.com/docs/iac/download-install/) or lay ../shared beside the repository`,
        );
    }
    // Each host is a module of its own since Pulumi 3.100; the Go module proxy here does not serve them.
    // The Go host's module sits one folder higher in pulumi/pulumi than the others'.
    const module = language === "go" ? "github.com/pulumi/pulumi/sdk/go/pulumi-language-go/v3" : `github.com/pulumi/pulumi/sdk/${language}/cmd/pulumi-language-${language}/v3`;
    return {
        language,
        version: host.version,
        copyFrom: host.source,
        pkg: ".",
        versionVariable: VERSION_VARIABLE,
        companions: language === "python" ? [PYTHON_RUNNER] : [],
        inputs: language === "python" ? [host.source, PYTHON_DIR] : [host.source],
        verify: (binary) => assertHostBuild(binary, module, host.version),
    };
}

/** The version a host's binary says it is: its source's, or what we built over it (`stampedVersion`). */
function hostLabel(spec) {
    return spec.stampedVersion ?? spec.version;
}

/**
 * The steps that build `spec`'s host into `output` (renamed into place by the
 * caller), in `workDir`: a writable copy of its source (../shared is
 * read-only, and Go may write beside go.mod), or its module folder.
 */
function hostBuildSteps(spec, workDir, output) {
    const name = `pulumi-language-${spec.language}`;
    if (spec.copyFrom) {
        cpSync(spec.copyFrom, workDir, { recursive: true });
        chmodTree(workDir);
    }
    const cwd = spec.copyFrom ? workDir : spec.moduleDir;
    return [
        { name: `download-${spec.language}`, label: `go mod download (${name} modules)`, args: ["mod", "download"], cwd, timeoutMs: DOWNLOAD_TIMEOUT },
        { name: `build-${spec.language}`, label: `go build ${name} v${hostLabel(spec)}`, args: goBuildArgs(output, hostLabel(spec), spec.pkg, spec.versionVariable), cwd, timeoutMs: BUILD_TIMEOUT },
    ];
}

async function runSteps(steps) {
    const seconds = {};
    for (const [index, each] of steps.entries()) seconds[each.name] = await step(index + 1, steps.length, each);
    return seconds;
}

/**
 * The Python or YAML host, built once into .engine/hosts/<key> (its own key,
 * so a change of the CLI does not rebuild it), checked, and linked into the
 * CLI's bin folder, where the CLI looks for language hosts.
 */
async function otherHost(language, go, binDir) {
    const spec = hostSpec(language);
    const name = `pulumi-language-${language}`;
    const key = hostBuildKey({ language, hostVersion: spec.version, goVersion: go.GOVERSION, goos: go.GOOS, goarch: go.GOARCH, modulesDigest: filesDigest(spec.inputs) });
    const keyDir = join(ENGINE_DIR, "hosts", key);
    const host = join(keyDir, name);
    const stampPath = join(keyDir, "build.json");
    const companions = spec.companions.map((file) => ({ from: file, to: join(keyDir, basename(file)) }));
    if (existsSync(stampPath) && isExecutable(host) && companions.every(({ to }) => isExecutable(to))) {
        log(`reusing ${name} in ${relative(PROJECT_ROOT, keyDir)}`);
    } else {
        log(`building ${name} v${hostLabel(spec)} from ${spec.copyFrom ?? spec.moduleDir} into ${relative(PROJECT_ROOT, keyDir)}, once`);
        rmSync(keyDir, { recursive: true, force: true });
        mkdirSync(keyDir, { recursive: true });
        const seconds = await runSteps(hostBuildSteps(spec, join(keyDir, "src"), `${host}.partial`));
        renameSync(`${host}.partial`, host);
        for (const { from, to } of companions) {
            cpSync(from, to);
            chmodSync(to, 0o755);
        }
        writeFileSync(stampPath, JSON.stringify({ language, version: hostLabel(spec), go, builtAt: new Date().toISOString(), seconds }, null, 2) + "\n");
    }
    await spec.verify(host);
    const link = join(binDir, name);
    rmSync(link, { force: true });
    symlinkSync(host, link);
    return { name: language, path: host, version: hostLabel(spec) };
}

/** The CLI built from tools/engine/go and the host from ../shared/engine, reused when this key was built before. */
async function useBuilt(wanted) {
    unlinkUserPlugins();
    const go = await goEnv();
    const nodejs = hostSpec("nodejs");
    const cliVersion = projectCliVersion();
    const hostVersion = nodejs.version;
    const key = buildKey({
        cliVersion,
        hostVersion,
        goVersion: go.GOVERSION,
        goos: go.GOOS,
        goarch: go.GOARCH,
        modulesDigest: filesDigest([CLI_MODULE_DIR, ...nodejs.inputs]),
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
        log(`no pulumi on PATH: building Pulumi CLI v${cliVersion} from Go modules, and pulumi-language-nodejs v${hostVersion} from ${nodejs.copyFrom}`);
        log(`into ${relative(PROJECT_ROOT, keyDir)}, once (a cold build takes minutes)`);
        rmSync(keyDir, { recursive: true, force: true });
        mkdirSync(binDir, { recursive: true });
        const seconds = await runSteps([
            { name: "downloadCli", label: "go mod download (CLI modules)", args: ["mod", "download"], cwd: CLI_MODULE_DIR, timeoutMs: DOWNLOAD_TIMEOUT },
            { name: "buildCli", label: `go build pulumi v${cliVersion}`, args: goBuildArgs(`${pulumi}.partial`, cliVersion, CLI_PACKAGE), cwd: CLI_MODULE_DIR, timeoutMs: BUILD_TIMEOUT },
            ...hostBuildSteps(nodejs, hostBuildDir, `${host}.partial`),
        ]);
        renameSync(`${pulumi}.partial`, pulumi);
        renameSync(`${host}.partial`, host);
        writeFileSync(stampPath, JSON.stringify({ cliVersion, hostVersion, go, builtAt: new Date().toISOString(), seconds }, null, 2) + "\n");
    }

    // The labels come from the binaries themselves, never from what we meant to build.
    await assertBuiltFrom(pulumi, "github.com/pulumi/pulumi/pkg/v3", cliVersion);
    await nodejs.verify(host);
    const versionRun = await quickRun(pulumi, ["version"], { ...process.env, ...engineVariables() });
    const check = checkCliVersion(versionRun.stdout, pulumi);
    if (!check.ok) throw new EngineError(check.message);
    if (check.version !== cliVersion) throw new EngineError(`${pulumi} reports ${check.version}, not the v${cliVersion} it was built as`);

    const languageHosts = [{ name: "nodejs", path: host, version: hostVersion }];
    // Only the other-language examples need these: a host that cannot be built is reported missing, and
    // their tests fail with why; the rest of the engine, and of the suite, runs.
    for (const language of OTHER_LANGUAGES) {
        languageHosts.push(await otherHost(language, go, binDir).catch((error) => missingHost(language, reasonOf(error))));
    }
    const plugins = [];
    for (const plugin of wanted) plugins.push(await sharedPlugin(plugin, pulumi, go));
    return {
        source: "built",
        pulumi: { path: pulumi, version: check.version },
        languageHosts,
        binDir,
        plugins,
        python: await optionalPythonVenv(),
    };
}

/** The CLI version the project builds and downloads: the pkg/v3 that tools/engine/go/cli requires. */
function projectCliVersion() {
    return requiredVersion(readFileSync(join(CLI_MODULE_DIR, "go.mod"), "utf8"), "github.com/pulumi/pulumi/pkg/v3");
}

async function downloadTo(url, path) {
    let response;
    try {
        response = await fetch(url, { signal: AbortSignal.timeout(DOWNLOAD_TIMEOUT) });
    } catch (error) {
        throw new EngineError(`could not download ${url}: ${error.message}`);
    }
    if (!response.ok) throw new EngineError(`could not download ${url}: HTTP ${response.status}`);
    writeFileSync(path, Buffer.from(await response.arrayBuffer()));
}

/** The version a language host prints for `-version`, or null when it prints none (a label only from the binary). */
async function printedHostVersion(host) {
    const printed = (await quickRun(host, ["-version"]).catch(() => ({ stdout: "" }))).stdout.trim();
    return parseVersion(printed) ? printed.replace(/^v/, "") : null;
}

/**
 * No pulumi on PATH and no ../shared/engine: the released CLI of the project's
 * version, from get.pulumi.com (checked against the checksums published beside
 * it), with the language hosts it ships, and the official resource plugins
 * through `pulumi plugin install` into the engine's PULUMI_HOME. Needs internet.
 */
async function useOfficial(wanted) {
    unlinkUserPlugins();
    const cliVersion = projectCliVersion();
    const release = releaseArchive({ version: cliVersion, platform: process.platform, arch: process.arch });
    const keyDir = join(ENGINE_DIR, release.folder);
    const binDir = join(keyDir, "pulumi");
    const pulumi = join(binDir, "pulumi");
    if (isExecutable(pulumi)) {
        log(`reusing the released CLI in ${relative(PROJECT_ROOT, keyDir)}`);
    } else {
        log(`no pulumi on PATH and no ${SHARED_ENGINE_DIR}: downloading the released Pulumi CLI v${cliVersion} from ${release.url}`);
        rmSync(keyDir, { recursive: true, force: true });
        mkdirSync(keyDir, { recursive: true });
        const archive = join(keyDir, release.file);
        const sumsPath = join(keyDir, "checksums.txt");
        await downloadTo(release.checksumsUrl, sumsPath);
        await downloadTo(release.url, archive);
        const expected = parseChecksums(readFileSync(sumsPath, "utf8")).get(release.file);
        if (!expected) throw new EngineError(`${release.checksumsUrl} lists no checksum for ${release.file}`);
        const actual = await sha256File(archive);
        if (actual !== expected) throw new EngineError(`${release.url} has sha256 ${actual}, not the ${expected} published beside it`);
        await runSteps([{ name: "unpack", label: `tar -xzf ${release.file}`, command: "tar", args: ["-xzf", archive, "-C", keyDir], cwd: keyDir, timeoutMs: QUICK_TIMEOUT, env: process.env }]);
        rmSync(archive);
    }
    const versionRun = await quickRun(pulumi, ["version"], { ...process.env, ...engineVariables() });
    const check = checkCliVersion(versionRun.stdout, pulumi);
    if (!check.ok) throw new EngineError(check.message);
    if (check.version !== cliVersion) throw new EngineError(`${pulumi} reports ${check.version}, not the v${cliVersion} that was downloaded; delete ${keyDir}`);

    const languageHosts = [];
    for (const language of ["nodejs", ...OTHER_LANGUAGES]) {
        const host = join(binDir, `pulumi-language-${language}`);
        if (!isExecutable(host)) {
            const reason = `the released CLI v${cliVersion} has no ${basename(host)} in ${binDir}`;
            if (language === "nodejs") throw new EngineError(reason);
            languageHosts.push(missingHost(language, reason));
            continue;
        }
        languageHosts.push({ name: language, path: host, version: await printedHostVersion(host) });
    }
    const plugins = [];
    for (const { name, version } of wanted) {
        const installed = join(localPluginsDir(), `resource-${name}-v${version}`, `pulumi-resource-${name}`);
        if (!isExecutable(installed)) {
            log(`pulumi plugin install resource ${name} ${version}`);
            const install = await runBounded(pulumi, ["plugin", "install", "resource", name, version], { cwd: ENGINE_DIR, env: { ...process.env, ...engineVariables() }, timeoutMs: DOWNLOAD_TIMEOUT });
            if (install.code !== 0) {
                plugins.push(pluginEntry({ name, version, missingReason: `pulumi plugin install resource ${name} ${version} failed: ${install.stderr.trim() || install.stdout.trim()}` }));
                continue;
            }
        }
        plugins.push(isExecutable(installed) ? pluginEntry({ name, version, path: installed }) : pluginEntry({ name, version, missingReason: `pulumi plugin install put no ${installed}` }));
    }
    return { source: "official", pulumi: { path: pulumi, version: check.version }, languageHosts, binDir, plugins, python: await optionalPythonVenv() };
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
 * `binary` holds the version string it was stamped with (`-X variable=v…`). Its build info cannot
 * say: -trimpath leaves -ldflags out of it. So the binary's own bytes are searched.
 */
async function assertStamped(binary, variable, version) {
    if (!readFileSync(binary).includes(Buffer.from(`v${version}`))) throw new EngineError(`${binary} holds no ${variable} v${version}; delete it`);
}

/** `binary`'s build info records `module` at `version` among its dependencies. */
async function assertBuiltWith(binary, module, version) {
    const built = dependencyVersion((await quickRun("go", ["version", "-m", binary])).stdout, module);
    if (built !== version) throw new EngineError(`${binary} was built with ${module} ${built ? `v${built}` : "absent"}, not v${version}; delete it`);
}

/**
 * A host built from a source folder has no module version of its own (Go
 * records "(devel)"): it must be the host's module, built against the Pulumi
 * SDK of its version, and say that version itself.
 */
async function assertHostBuild(host, module, version) {
    const info = await quickRun("go", ["version", "-m", host]);
    const sdk = dependencyVersion(info.stdout, "github.com/pulumi/pulumi/sdk/v3");
    if (!info.stdout.includes(`\tmod\t${module}\t`) || sdk !== version) {
        throw new EngineError(`${host} is not ${module} built against sdk/v3 v${version} (its build info names sdk ${sdk ?? "none"}); delete it`);
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

/** A language host the engine could not provide, and why. */
function missingHost(language, missingReason) {
    return { name: language, path: null, version: null, missingReason };
}

function reasonOf(error) {
    if (error instanceof EngineError) return error.message;
    throw error;
}

/** The Python venv, or why there is none: only examples/python needs it. */
async function optionalPythonVenv() {
    return pythonVenv().catch((error) => ({ venv: null, version: null, pulumiSdk: null, missingReason: reasonOf(error) }));
}

/**
 * The Python packages the examples/python stack runs with, in a virtual
 * environment of the project's own (.engine/python-venv), every version pinned
 * by tools/engine/python/requirements.txt. Made once per Python version and
 * requirements file; the `pulumi` it holds is checked by the venv's Python.
 */
async function pythonVenv() {
    const requirements = readFileSync(PYTHON_REQUIREMENTS, "utf8");
    const sdkVersion = pinnedRequirement(requirements, "pulumi");
    if (!sdkVersion) throw new EngineError(`${PYTHON_REQUIREMENTS} pins no \`pulumi==<version>\``);
    const python = findOnPath("python3");
    if (!python) throw new EngineError("no python3 on PATH: the examples/python stack needs Python 3.9 or later");
    const pythonVersion = (await quickRun(python, ["-c", "import platform; print(platform.python_version())"])).stdout.trim();
    const venvPython = join(PYTHON_VENV, "bin", "python");
    const stampPath = join(PYTHON_VENV, "engine-stamp.json");
    const stamp = JSON.stringify({ python: pythonVersion, requirements: createHash("sha256").update(requirements).digest("hex").slice(0, 10) });
    if (existsSync(stampPath) && readFileSync(stampPath, "utf8") === stamp && isExecutable(venvPython)) {
        log(`reusing the Python packages in ${relative(PROJECT_ROOT, PYTHON_VENV)}`);
    } else {
        log(`installing the pinned Python packages (pulumi ${sdkVersion}) into ${relative(PROJECT_ROOT, PYTHON_VENV)} for Python ${pythonVersion}`);
        rmSync(PYTHON_VENV, { recursive: true, force: true });
        await runSteps([
            { name: "venv", label: `python3 -m venv ${relative(PROJECT_ROOT, PYTHON_VENV)}`, command: python, args: ["-m", "venv", PYTHON_VENV], cwd: PROJECT_ROOT, timeoutMs: QUICK_TIMEOUT, env: process.env },
            {
                name: "pip",
                label: `pip install -r ${relative(PROJECT_ROOT, PYTHON_REQUIREMENTS)}`,
                command: venvPython,
                args: ["-m", "pip", "install", "--disable-pip-version-check", "--no-input", "--require-virtualenv", "-r", PYTHON_REQUIREMENTS],
                cwd: PROJECT_ROOT,
                timeoutMs: DOWNLOAD_TIMEOUT,
                env: process.env,
            },
        ]);
        writeFileSync(stampPath, stamp);
    }
    const installed = (await quickRun(venvPython, ["-c", "import importlib.metadata as m; print(m.version('pulumi'))"])).stdout.trim();
    if (installed !== sdkVersion) throw new EngineError(`${PYTHON_VENV} holds pulumi ${installed || "(none)"}, not the pinned ${sdkVersion}; delete it`);
    return { venv: PYTHON_VENV, version: pythonVersion, pulumiSdk: installed };
}

function writeManifest(engine) {
    const pluginSource = pluginSourceText(engine.source, { userPlugins: join(process.env.PULUMI_HOME ?? join(homedir(), ".pulumi"), "plugins"), sharedPlugins: join(SHARED_ENGINE_DIR, "plugins") });
    const manifest = { schema: MANIFEST_SCHEMA, writtenAt: new Date().toISOString(), ...engine, pluginSource, env: engineVariables() };
    mkdirSync(manifest.env.PULUMI_HOME, { recursive: true });
    writeFileSync(`${MANIFEST_PATH}.partial`, JSON.stringify(manifest, null, 2) + "\n");
    renameSync(`${MANIFEST_PATH}.partial`, MANIFEST_PATH);
    return manifest;
}

const SOURCE_TEXT = {
    path: "the pulumi on PATH",
    built: `built here from Go modules and ${SHARED_ENGINE_DIR}`,
    official: "the released CLI from get.pulumi.com",
};

function report(manifest) {
    const lines = [
        `Pulumi engine (${SOURCE_TEXT[manifest.source]}):`,
        `  pulumi                  ${manifest.pulumi.version}  ${manifest.pulumi.path}`,
        ...manifest.languageHosts.map((host) => `  ${`pulumi-language-${host.name}`.padEnd(22)}  ${host.path === null ? "MISSING" : `${host.version ?? "(version not reported)"}  ${host.path}`}`),
        `  Python venv                  ${manifest.python.venv === null ? "MISSING" : `${manifest.python.venv} (Python ${manifest.python.version}, pulumi ${manifest.python.pulumiSdk})`}`,
        `  bin dir (put first on PATH)  ${manifest.binDir}`,
        `  PULUMI_HOME                  ${manifest.env.PULUMI_HOME}`,
        `  manifest                     ${MANIFEST_PATH}`,
        `  resource plugins, from ${manifest.pluginSource}:`,
        ...manifest.plugins.map((p) => `    ${p.name} ${p.version}  ${p.path ?? "MISSING"}`),
    ];
    process.stdout.write(lines.join("\n") + "\n");
    const languages = missingLanguageParts(manifest);
    if (languages.length > 0) {
        process.stdout.write(
            [`!!! the other-language examples' end-to-end tests (tests/e2e/otherLanguages.e2e.ts) fail without:`, ...languages.map(({ part, missingReason }) => `!!! ${part}: ${missingReason}`)].join("\n") + "\n",
        );
    }
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
    const installed = findOnPath("pulumi");
    let source;
    try {
        source = engineSource({ pulumiOnPath: installed !== undefined, build: flags.build, sharedPresent: existsSync(SHARED_ENGINE_DIR) });
    } catch (error) {
        throw new EngineError(error.message);
    }
    const engine = source === "path" ? await useInstalled(installed, wanted) : source === "built" ? await useBuilt(wanted) : await useOfficial(wanted);
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
