/** The pure rules of `npm run engine` (tools/engine): versions, build keys, wanted plugins, the manifest. */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { describe, it } from "node:test";
import fc from "fast-check";
import {
    ENGINE_DIR,
    MANIFEST_SCHEMA,
    PROJECT_ROOT,
    engineEnv,
    engineVariables,
    missingPlugins,
    pluginEntry,
    readEngineManifest,
} from "../tools/engine/manifest.mjs";
import { wantedPlugins } from "../tools/engine/plugins.mjs";
import { runBounded } from "../tools/engine/run.mjs";
import { engineSource, pluginSourceText, releaseArchive } from "../tools/engine/sources.mjs";
import {
    parseChecksums,
    pluginBinaryName,
    readSharedChecksums,
    sharedHostSource,
    sharedPluginFiles,
    sharedPluginVersions,
} from "../tools/engine/sharedParts.mjs";
import {
    MIN_CLI_VERSION,
    buildKey,
    hostBuildKey,
    pinnedRequirement,
    checkCliVersion,
    compareVersions,
    dependencyVersion,
    mainModule,
    parseVersion,
    requiredVersion,
    resourcePluginOf,
} from "../tools/engine/versions.mjs";

const readJson = (file: string): Record<string, unknown> =>
    JSON.parse(readFileSync(path.join(PROJECT_ROOT, file), "utf8")) as Record<string, unknown>;
const lockedVersion = (dependency: string): string =>
    (readJson("package-lock.json").packages as Record<string, { version: string }>)[`node_modules/${dependency}`]!.version;
const cliGoMod = (): string => readFileSync(path.join(PROJECT_ROOT, "tools", "engine", "go", "cli", "go.mod"), "utf8");
/** A folder laid out as ../shared/engine (its README says what it holds): the tests never read ../shared itself. */
const SHARED_FIXTURE = path.join(__dirname, "fixtures", "sharedEngine");

const versionArb = fc
    .tuple(fc.nat(20), fc.nat(400), fc.nat(20), fc.option(fc.constantFrom("alpha", "alpha.1", "rc.2", "dev.0"), { nil: undefined }))
    .map(([major, minor, patch, pre]) => `${major}.${minor}.${patch}${pre ? `-${pre}` : ""}`);

describe("version order", () => {
    it("orders by major, minor, patch, and a pre-release before its release", () => {
        assert.equal(compareVersions("3.174.0", "3.173.99"), 1);
        assert.equal(compareVersions("v3.174.0", "3.174.0"), 0);
        assert.equal(compareVersions("3.174.0-alpha.1", "3.174.0"), -1);
        assert.equal(compareVersions("3.174.0-alpha.2", "3.174.0-alpha.10"), -1);
        assert.equal(compareVersions("3.274.1+dirty", "3.274.1"), 0);
        assert.equal(compareVersions("4.0.0", "3.999.999"), 1);
    });

    it("is antisymmetric and reflexive", () => {
        fc.assert(
            fc.property(versionArb, versionArb, (a, b) => {
                assert.equal(compareVersions(a, a), 0);
                assert.equal(compareVersions(a, b), -compareVersions(b, a));
            }),
        );
    });

    it("refuses what is no version", () => {
        assert.equal(parseVersion("three"), undefined);
        assert.equal(parseVersion("3.274"), undefined);
        assert.throws(() => compareVersions("latest", "3.0.0"), /not a version: latest/);
    });
});

describe("the CLI version check", () => {
    it(`accepts ${MIN_CLI_VERSION} and later, as \`pulumi version\` prints them`, () => {
        assert.deepEqual(checkCliVersion("v3.274.1\n", "/usr/bin/pulumi"), { ok: true, version: "3.274.1", message: null });
        assert.equal(checkCliVersion(`v${MIN_CLI_VERSION}`, "x").ok, true);
    });

    it("refuses an older CLI, naming it, the minimum and what to do", () => {
        const check = checkCliVersion("v3.173.0", "/usr/local/bin/pulumi");
        assert.equal(check.ok, false);
        assert.equal(check.version, "3.173.0");
        assert.match(check.message!, /\/usr\/local\/bin\/pulumi is Pulumi CLI 3\.173\.0, older than 3\.174\.0/);
        assert.match(check.message!, /npm run engine/);
        assert.equal(checkCliVersion(`v${MIN_CLI_VERSION}-alpha.1`, "x").ok, false);
    });

    it("refuses output that is no version", () => {
        const check = checkCliVersion("warning: something\n", "/bin/pulumi");
        assert.equal(check.ok, false);
        assert.match(check.message!, /printed "warning: something"/);
    });
});

describe("wanted plugins", () => {
    it("are the provider SDKs in package.json, at the versions the lockfile pins", () => {
        assert.deepEqual(wantedPlugins(PROJECT_ROOT), [
            { name: "cloudflare", version: lockedVersion("@pulumi/cloudflare") },
            { name: "random", version: lockedVersion("@pulumi/random") },
        ]);
    });

    it("come from a package's `pulumi` field, and nothing else is a plugin", () => {
        assert.deepEqual(resourcePluginOf({ version: "6.22.1", pulumi: { resource: true, name: "cloudflare", version: "6.22.1" } }), {
            name: "cloudflare",
            version: "6.22.1",
        });
        assert.deepEqual(resourcePluginOf({ version: "1.2.3", pulumi: { resource: true, name: "x" } }), { name: "x", version: "1.2.3" });
        const installed = (name: string) => JSON.parse(readFileSync(path.join(PROJECT_ROOT, "node_modules", name, "package.json"), "utf8"));
        assert.equal(resourcePluginOf(installed("@pulumi/pulumi")), null);
        assert.equal(resourcePluginOf(installed("@pulumi/policy")), null);
        assert.equal(resourcePluginOf({ version: "1.0.0", pulumi: { resource: false, name: "x" } }), null);
    });

});

describe("the shared engine parts", () => {
    it("are found in a folder laid out as ../shared/engine, packed and unpacked, each checksummed", () => {
        const sums = readSharedChecksums(SHARED_FIXTURE);
        for (const plugin of [{ name: "cloudflare", version: "6.15.0" }, { name: "random", version: "4.21.1" }]) {
            const binary = pluginBinaryName({ ...plugin, goos: "linux", goarch: "amd64" });
            assert.ok(sharedPluginFiles(SHARED_FIXTURE).includes(`${binary}.xz`), `the fixture's plugins/ has ${binary}.xz`);
            assert.match(sums.get(`${binary}.xz`) ?? "", /^[0-9a-f]{64}$/, `SHA256SUMS lists ${binary}.xz`);
            assert.match(sums.get(binary) ?? "", /^[0-9a-f]{64}$/, `SHA256SUMS lists ${binary}`);
        }
        assert.deepEqual(sharedPluginFiles(path.join(SHARED_FIXTURE, "absent")), []);
    });

    it("are found by name, version and platform, and only those", () => {
        const files = ["pulumi-resource-cloudflare-v6.15.0-linux-amd64.xz", "pulumi-resource-cloudflare-v6.16.0-darwin-arm64.xz", "pulumi-resource-random-v4.21.1-linux-amd64.xz"];
        assert.deepEqual(sharedPluginVersions(files, { name: "cloudflare", goos: "linux", goarch: "amd64" }), ["6.15.0"]);
        assert.deepEqual(sharedPluginVersions(files, { name: "tls", goos: "linux", goarch: "amd64" }), []);
        assert.equal(pluginBinaryName({ name: "random", version: "4.21.1", goos: "linux", goarch: "amd64" }), "pulumi-resource-random-v4.21.1-linux-amd64");
    });

    it("read checksums as sha256sum writes them, text or binary mode", () => {
        const a = "a".repeat(64);
        const b = "b".repeat(64);
        assert.deepEqual(parseChecksums(`${a}  one.xz\n${b} *two\nnot a line\n`), new Map([["one.xz", a], ["two", b]]));
    });

    it("hold each language host's source at the version its go.mod builds, and no other language's", () => {
        for (const language of ["nodejs", "python", "go"]) {
            const host = sharedHostSource(language, SHARED_FIXTURE);
            assert.deepEqual(host, { source: path.join(SHARED_FIXTURE, "hosts", `pulumi-language-${language}`), version: "3.259.0" }, language);
        }
        assert.equal(sharedHostSource("cobol", SHARED_FIXTURE), undefined);
    });
});

describe("the engine's source", () => {
    const cases = [
        { pulumiOnPath: true, build: false, sharedPresent: true, source: "path" },
        { pulumiOnPath: true, build: false, sharedPresent: false, source: "path" },
        { pulumiOnPath: true, build: true, sharedPresent: true, source: "built" },
        { pulumiOnPath: false, build: false, sharedPresent: true, source: "built" },
        { pulumiOnPath: false, build: false, sharedPresent: false, source: "official" },
    ] as const;

    it("is the pulumi on PATH, else ../shared/engine when it is there, else the official releases", () => {
        for (const { source, ...inputs } of cases) assert.equal(engineSource(inputs), source, JSON.stringify(inputs));
    });

    it("cannot be built without ../shared/engine, and says what to do instead", () => {
        assert.throws(() => engineSource({ pulumiOnPath: false, build: true, sharedPresent: false }), /--build needs \.\.\/shared\/engine.*drop --build/);
        assert.throws(() => engineSource({ pulumiOnPath: true, build: true, sharedPresent: false }), /--build needs/);
    });

    it("downloads the released CLI of the project's version, with the checksums published beside it", () => {
        assert.deepEqual(releaseArchive({ version: "3.274.1", platform: "linux", arch: "x64" }), {
            file: "pulumi-v3.274.1-linux-x64.tar.gz",
            url: "https://get.pulumi.com/releases/sdk/pulumi-v3.274.1-linux-x64.tar.gz",
            checksumsUrl: "https://get.pulumi.com/releases/sdk/pulumi-3.274.1-checksums.txt",
            folder: "pulumi-v3.274.1-official_linux-x64",
        });
        assert.equal(releaseArchive({ version: "3.274.1", platform: "darwin", arch: "arm64" }).file, "pulumi-v3.274.1-darwin-arm64.tar.gz");
        assert.throws(() => releaseArchive({ version: "3.274.1", platform: "win32", arch: "x64" }), /no \.tar\.gz CLI for win32-x64.*put it on PATH/);
    });

    it("names where the plugins come from, for the end-to-end suite to print", () => {
        assert.match(pluginSourceText("official"), /official releases.*pulumi plugin install resource/);
        assert.match(pluginSourceText("built", { sharedPlugins: "/x/shared/engine/plugins" }), /\/x\/shared\/engine\/plugins, checked against its SHA256SUMS/);
        assert.match(pluginSourceText("path", { userPlugins: "/home/u/.pulumi/plugins" }), /\/home\/u\/\.pulumi\/plugins/);
    });
});

describe("the Go modules the engine is built from", () => {
    it("require pkg/v3 and sdk/v3 at one version, which is new enough", () => {
        const cli = cliGoMod();
        const pkg = requiredVersion(cli, "github.com/pulumi/pulumi/pkg/v3");
        assert.ok(pkg);
        assert.equal(requiredVersion(cli, "github.com/pulumi/pulumi/sdk/v3"), pkg);
        assert.equal(checkCliVersion(pkg, "go.mod").ok, true);
    });

    it("are read back from a binary's build info, the module its main package came from", () => {
        const info = [
            "bin/pulumi-language-nodejs: go1.26.8",
            "\tpath\tgithub.com/pulumi/pulumi/sdk/v3/nodejs/cmd/pulumi-language-nodejs",
            "\tmod\tgithub.com/pulumi/pulumi/sdk/v3\tv3.68.0\th1:JWn3DGJhzoWL8bNbUdyLSSPeKS2F9mv14/EL9QeVT3w=",
            "\tdep\tgithub.com/blang/semver\tv3.5.1+incompatible\th1:cQNTCjp13qL8KC3Nbxr/y2Bqb63oX6wdnnjpJbkM4JQ=",
        ].join("\n");
        assert.deepEqual(mainModule(info), { path: "github.com/pulumi/pulumi/sdk/v3", version: "3.68.0" });
        assert.equal(mainModule("bin/x: go1.26.8\n\tpath\tcommand-line-arguments\n"), undefined);
    });

    it("read a dependency's version from a binary built from a source folder", () => {
        const info = [
            "bin/pulumi-language-nodejs: go1.26.8",
            "\tpath\tgithub.com/pulumi/pulumi/sdk/nodejs/cmd/pulumi-language-nodejs/v3",
            "\tmod\tgithub.com/pulumi/pulumi/sdk/nodejs/cmd/pulumi-language-nodejs/v3\t(devel)\t",
            "\tdep\tgithub.com/pulumi/pulumi/pkg/v3\tv3.259.0\th1:x=",
            "\tdep\tgithub.com/pulumi/pulumi/sdk/v3\tv3.259.0\th1:y=",
        ].join("\n");
        assert.equal(dependencyVersion(info, "github.com/pulumi/pulumi/sdk/v3"), "3.259.0");
        assert.equal(dependencyVersion(info, "github.com/pulumi/pulumi/sdk"), undefined);
        assert.equal(mainModule(info), undefined);
    });

    it("read a version from a require line or block, and nothing from a mere mention", () => {
        assert.equal(requiredVersion("require example.com/a v1.2.3\n", "example.com/a"), "1.2.3");
        assert.equal(requiredVersion("require (\n\texample.com/a v1.2.3 // indirect\n)\n", "example.com/a"), "1.2.3");
        assert.equal(requiredVersion("// example.com/ab v9.9.9\n", "example.com/a"), undefined);
    });
});

describe("build keys", () => {
    const inputs = { cliVersion: "3.274.1", hostVersion: "3.68.0", goVersion: "go1.26.8", goos: "linux", goarch: "amd64", modulesDigest: "0123456789" };

    it("name every input, so a change of any is a new build", () => {
        assert.equal(buildKey(inputs), "pulumi-v3.274.1_nodejs-v3.68.0_go1.26.8_linux-amd64_0123456789");
        fc.assert(
            fc.property(fc.constantFrom(...(Object.keys(inputs) as (keyof typeof inputs)[])), fc.stringMatching(/^[0-9a-z.]{1,12}$/), (field, value) => {
                fc.pre(value !== inputs[field]);
                assert.notEqual(buildKey({ ...inputs, [field]: value }), buildKey(inputs));
            }),
        );
    });

    it("refuse an input that could leave the folder", () => {
        assert.throws(() => buildKey({ ...inputs, goos: "../x" }), /goos must be a plain version or name/);
        assert.throws(() => hostBuildKey({ ...hostInputs, language: "../x" }), /language must be a plain version or name/);
    });

    const hostInputs = { language: "python", hostVersion: "3.259.0", goVersion: "go1.26.8", goos: "linux", goarch: "amd64", modulesDigest: "0123456789" };

    it("of the other language hosts name their language and every input", () => {
        assert.equal(hostBuildKey(hostInputs), "pulumi-language-python-v3.259.0_go1.26.8_linux-amd64_0123456789");
        for (const [field, value] of Object.entries({ language: "yaml", hostVersion: "1.25.0", goVersion: "go1.27.0", modulesDigest: "9876543210" })) {
            assert.notEqual(hostBuildKey({ ...hostInputs, [field]: value }), hostBuildKey(hostInputs), field);
        }
    });
});

describe("the Python packages of the engine", () => {
    it("pin pulumi at the Python language host's own version", () => {
        const requirements = readFileSync(path.join(PROJECT_ROOT, "tools", "engine", "python", "requirements.txt"), "utf8");
        // The fixture's host is at the version of ../shared/engine's, which the engine builds.
        assert.equal(pinnedRequirement(requirements, "pulumi"), sharedHostSource("python", SHARED_FIXTURE)?.version);
        for (const line of requirements.split("\n").filter((l) => l.trim() !== "" && !l.startsWith("#"))) assert.match(line, /^[A-Za-z0-9_.-]+==\S+$/, "every package pinned");
    });

    it("read a pin, and nothing from a range or another package's name", () => {
        assert.equal(pinnedRequirement("pulumi==3.259.0\n", "pulumi"), "3.259.0");
        assert.equal(pinnedRequirement("pulumi>=3.0\n", "pulumi"), undefined);
        assert.equal(pinnedRequirement("pulumi-random==4.0.0\n", "pulumi"), undefined);
    });
});

describe("the engine manifest", () => {
    const manifest = {
        schema: MANIFEST_SCHEMA,
        binDir: "/engine/bin",
        env: engineVariables("/p/.engine"),
        plugins: [
            pluginEntry({ name: "random", version: "4.21.2", path: "/h/plugins/resource-random-v4.21.2/pulumi-resource-random" }),
            pluginEntry({ name: "cloudflare", version: "6.22.1", missingReason: "not served" }),
        ],
    };

    it("keeps the engine's PULUMI_HOME in the gitignored .engine and forbids downloads", () => {
        assert.deepEqual(engineVariables(), {
            PULUMI_HOME: path.join(ENGINE_DIR, "home"),
            PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
            PULUMI_SKIP_UPDATE_CHECK: "true",
        });
        const ignored = spawnSync("git", ["check-ignore", "-q", path.join(ENGINE_DIR, "home", "x")], { cwd: PROJECT_ROOT });
        assert.equal(ignored.status, 0, ".engine/ must be gitignored");
    });

    it("gives a pulumi process the engine's bin folder, then this Node, first on PATH", () => {
        const env = engineEnv(manifest, { PATH: "/usr/bin", PULUMI_HOME: "/home/me/.pulumi", KEEP: "1" }, "/node/bin");
        assert.equal(env.PATH, ["/engine/bin", "/node/bin", "/usr/bin"].join(path.delimiter));
        assert.equal(env.PULUMI_HOME, "/p/.engine/home");
        assert.equal(env.PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION, "true");
        assert.equal(env.KEEP, "1");
    });

    it("has each plugin either found or missing with a reason, never both or neither", () => {
        assert.deepEqual(
            missingPlugins(manifest).map((p) => p.name),
            ["cloudflare"],
        );
        assert.throws(() => pluginEntry({ name: "x", version: "1.0.0" }), /exactly one of path and missingReason/);
        assert.throws(() => pluginEntry({ name: "x", version: "1.0.0", path: "/p", missingReason: "r" }), /exactly one/);
    });

    it("is read back as written, and a missing or old one says to run npm run engine", (t) => {
        const dir = mkdtempSync(path.join(tmpdir(), "engine-manifest-"));
        t.after(() => rmSync(dir, { recursive: true, force: true }));
        const file = path.join(dir, "engine.json");
        assert.throws(() => readEngineManifest(file), /run `npm run engine` first/);
        writeFileSync(file, JSON.stringify({ ...manifest, schema: MANIFEST_SCHEMA - 1 }));
        assert.throws(() => readEngineManifest(file), /run `npm run engine` again/);
        writeFileSync(file, JSON.stringify(manifest));
        assert.deepEqual(readEngineManifest(file), manifest);
    });
});

describe("bounded steps", () => {
    // Running, not a zombie: an ended process whose new parent has not reaped it yet still answers kill(0).
    const alive = (pid: number): boolean => {
        try {
            if (process.platform === "linux") return !/^\d+ \(.*\) Z /.test(readFileSync(`/proc/${pid}/stat`, "utf8"));
            process.kill(pid, 0);
            return true;
        } catch {
            return false;
        }
    };

    it("return a finished command's exit code and output", async () => {
        const result = await runBounded("sh", ["-c", "echo out; echo err >&2; exit 3"], { timeoutMs: 60_000 });
        assert.deepEqual([result.code, result.timedOut, result.stdout, result.stderr], [3, false, "out\n", "err\n"]);
    });

    it("end the whole process group of a command past its limit, grandchildren included", async (t) => {
        const dir = mkdtempSync(path.join(tmpdir(), "engine-step-"));
        t.after(() => rmSync(dir, { recursive: true, force: true }));
        const pidFile = path.join(dir, "grandchild.pid");
        const result = await runBounded("sh", ["-c", `sleep 300 & echo $! > ${pidFile}; wait`], { timeoutMs: 500 });
        assert.equal(result.timedOut, true);
        const grandchild = Number(readFileSync(pidFile, "utf8"));
        assert.ok(grandchild > 0);
        assert.equal(alive(grandchild), false, `grandchild ${grandchild} outlived its step`);
    });
});
