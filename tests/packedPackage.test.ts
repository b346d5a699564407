/**
 * The package as a consumer gets it: `npm pack` (which runs `prepack`: the
 * build, then package.json without its scripts), the tarball's contents and
 * declared dependencies, then a scratch
 * project that installs the tarball, type-checks a program against its types
 * and runs it under Pulumi's mocks.
 *
 * Nothing here touches the repository's dist/: other tests build into it
 * concurrently, so the build inputs are copied into a temporary directory and
 * packed from there (`prepack` builds into that copy's dist/).
 *
 * Offline: the machine's npm cache holds the repository's tarballs but not the
 * registry metadata npm needs to resolve a dependency range, so the scratch
 * project cannot install @pulumi/* itself. Its node_modules links this
 * repository's @pulumi packages instead, and npm installs only the tarball,
 * `--offline`, with an empty cache of its own; the linked packages satisfy the
 * tarball's declared dependencies, so npm leaves them in place (it prunes
 * links that no dependency needs, so the consumer's Node types come from the
 * repository's typeRoots instead of a link).
 */
import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { after, before, describe, it } from "node:test";
import { RESOURCE_TYPES } from "../policy/resourceTypes";

const PROJECT_ROOT = path.resolve(__dirname, "..");

/**
 * What `prepare` (tsc -p tsconfig.build.json) reads: the configs and the
 * build's own `include` list (each entry a file, or a glob under one folder),
 * and the documents the package ships.
 */
const BUILD_CONFIG = JSON.parse(readFileSync(path.join(PROJECT_ROOT, "tsconfig.build.json"), "utf8")) as { include: string[] };
const BUILD_INPUTS = ["package.json", "tsconfig.json", "tsconfig.build.json", ...BUILD_CONFIG.include.map((entry) => entry.split("/")[0]!)];
/** What `prepack` and `postpack` run besides the build. */
const PACK_SCRIPTS = ["tools/packedManifest.mjs"];
const DOCUMENTS = ["README.md", "LICENSE", "CHANGELOG.md"];
/** The repository's packages the scratch project links instead of installing from a registry. */
const LINKED_PACKAGES = ["@pulumi/cloudflare", "@pulumi/pulumi", "@pulumi/random"];
/** Generous bounds for a loaded machine; a pack measured 16 s here. */
const STEP_TIMEOUT_MS = 120_000;

interface PackResult {
    filename: string;
    size: number;
    files: { path: string }[];
}

interface Registered {
    type: string;
    name: string;
    id: string;
    inputs: Record<string, unknown>;
}

/**
 * The consumer: ProtectedHostname from the package's entry point, under
 * mocks that record every registration. The `@ts-expect-error` fails the
 * type-check if the shipped types degrade to `any` (e.g. a .d.ts importing a
 * file the tarball lacks, which skipLibCheck would hide).
 */
const CONSUMER_PROGRAM = `
import * as pulumi from "@pulumi/pulumi";
import { ProtectedHostname, type ProtectedHostnameArgs } from "cloudflare-cequence";

interface Registered { type: string; name: string; id: string; inputs: Record<string, unknown> }

const args: ProtectedHostnameArgs = {
    accountId: "0123456789abcdef0123456789abcdef",
    zoneId: "fedcba9876543210fedcba9876543210",
    zone: "example.com",
    hostname: "api.example.com",
    origin: "origin-api.example.com",
    stackName: "consumer",
    cequenceHostname: "api.example.cequence.ai",
};

// @ts-expect-error a monitor's interval is a number
const typed: ProtectedHostnameArgs = { ...args, cequenceMonitor: { interval: "often" } };
void typed;

async function main(): Promise<void> {
    const registered: Registered[] = [];
    await pulumi.runtime.setMocks({
        newResource: (resource) => {
            const id = resource.name + "-id";
            registered.push({ type: resource.type, name: resource.name, id, inputs: resource.inputs });
            return { id, state: resource.inputs };
        },
        call: (call) => call.inputs,
    }, "consumer", "test", false);
    const site = new ProtectedHostname("api.example.com", args);
    const outputs = await new Promise((resolve) =>
        pulumi.all({ recordId: site.recordId, cnameTarget: site.cnameTarget, lbHostname: site.lbHostname }).apply(resolve));
    process.stdout.write(JSON.stringify({ registered, outputs }));
}

main().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
});
`;

const CONSUMER_TSCONFIG = {
    compilerOptions: {
        strict: true,
        target: "es2022",
        // node16 resolution reads the package's "exports", as Node does.
        module: "node16",
        moduleResolution: "node16",
        typeRoots: [path.join(PROJECT_ROOT, "node_modules", "@types")],
        types: ["node"],
        skipLibCheck: true,
        outDir: "out",
        noEmitOnError: true,
    },
    files: ["program.ts"],
};

function run(command: string, args: string[], cwd: string): string {
    return execFileSync(command, args, { cwd, encoding: "utf8", timeout: STEP_TIMEOUT_MS, stdio: ["ignore", "pipe", "pipe"] });
}

/** Every package the shipped JavaScript requires (the compiled CommonJS's bare `require`s). */
function requiredPackages(distDir: string): string[] {
    const names = new Set<string>();
    for (const file of readdirSync(distDir).filter((f) => f.endsWith(".js"))) {
        for (const [, spec] of readFileSync(path.join(distDir, file), "utf8").matchAll(/require\("([^".][^"]*)"\)/g)) {
            const parts = spec!.split("/");
            names.add(spec!.startsWith("@") ? parts.slice(0, 2).join("/") : parts[0]!);
        }
    }
    return [...names].sort();
}

describe("the packed package", { timeout: 4 * STEP_TIMEOUT_MS }, () => {
    let scratch: string;
    let source: string;
    let pack: PackResult;
    let consumer: string;
    /** What npm said on stderr while installing the tarball into the consumer. */
    let installWarnings: string;

    before(() => {
        scratch = mkdtempSync(path.join(tmpdir(), "packed-package-"));
        source = path.join(scratch, "source");
        for (const entry of [...BUILD_INPUTS, ...PACK_SCRIPTS, ...DOCUMENTS]) cpSync(path.join(PROJECT_ROOT, entry), path.join(source, entry), { recursive: true });
        symlinkSync(path.join(PROJECT_ROOT, "node_modules"), path.join(source, "node_modules"), "dir");
        [pack] = JSON.parse(run("npm", ["pack", "--pack-destination", scratch, "--json", "--silent"], source)) as [PackResult];

        consumer = path.join(scratch, "consumer");
        for (const name of LINKED_PACKAGES) {
            mkdirSync(path.dirname(path.join(consumer, "node_modules", name)), { recursive: true });
            symlinkSync(path.join(PROJECT_ROOT, "node_modules", name), path.join(consumer, "node_modules", name), "dir");
        }
        writeFileSync(path.join(consumer, "package.json"), JSON.stringify({
            name: "consumer",
            private: true,
            dependencies: { "cloudflare-cequence": `file:../${pack.filename}` },
        }));
        const install = spawnSync("npm", ["install", "--offline", "--no-save", "--no-audit", "--no-fund", "--cache", path.join(scratch, "npm-cache")], {
            cwd: consumer,
            encoding: "utf8",
            timeout: STEP_TIMEOUT_MS,
        });
        assert.equal(install.status, 0, install.stderr);
        installWarnings = install.stderr;
    });

    after(() => {
        if (scratch) rmSync(scratch, { recursive: true, force: true });
    });

    it("ships the components' JavaScript and types, the documents and package.json, nothing else", () => {
        const components = readdirSync(path.join(PROJECT_ROOT, "components")).filter((f) => f.endsWith(".ts")).map((f) => f.slice(0, -".ts".length));
        const expected = [
            ...components.flatMap((c) => [`dist/components/${c}.js`, `dist/components/${c}.d.ts`]),
            ...DOCUMENTS,
            "package.json",
        ];
        assert.deepEqual(pack.files.map((f) => f.path).sort(), expected.sort());
    });

    it("has no scripts: a consumer has nothing to build or approve, and packing leaves the repository's package.json as it was", () => {
        const installed = path.join(consumer, "node_modules", "cloudflare-cequence");
        const manifest = JSON.parse(readFileSync(path.join(installed, "package.json"), "utf8")) as { scripts?: unknown };
        assert.equal(manifest.scripts, undefined, "the packed package.json keeps the repository's scripts (prepare: tsc, which the tarball cannot run)");
        assert.doesNotMatch(installWarnings, /install-scripts|prepare/, "npm asked the consumer to approve a script");
        assert.equal(readFileSync(path.join(source, "package.json"), "utf8"), readFileSync(path.join(PROJECT_ROOT, "package.json"), "utf8"));
    });

    it("declares as dependencies exactly the packages its JavaScript requires", () => {
        const installed = path.join(consumer, "node_modules", "cloudflare-cequence");
        const manifest = JSON.parse(readFileSync(path.join(installed, "package.json"), "utf8")) as { dependencies: Record<string, string> };
        assert.deepEqual(Object.keys(manifest.dependencies).sort(), requiredPackages(path.join(installed, "dist", "components")));
    });

    it("type-checks a strict consumer program and runs it: a protected hostname failing open to its origin", () => {
        writeFileSync(path.join(consumer, "program.ts"), CONSUMER_PROGRAM);
        writeFileSync(path.join(consumer, "tsconfig.json"), JSON.stringify(CONSUMER_TSCONFIG));
        run(process.execPath, [path.join(PROJECT_ROOT, "node_modules", "typescript", "bin", "tsc"), "-p", "."], consumer);
        const { registered, outputs } = JSON.parse(run(process.execPath, [path.join("out", "program.js")], consumer)) as {
            registered: Registered[];
            outputs: Record<string, unknown>;
        };

        const ofType = (type: string) => registered.filter((r) => r.type === type);
        const poolTo = (address: string) => ofType(RESOURCE_TYPES.pool).find((p) => (p.inputs.origins as { address: string }[])[0]!.address === address);
        const cequencePool = poolTo("api.example.cequence.ai");
        const originPool = poolTo("origin-api.example.com");
        assert.ok(cequencePool && originPool, "a Cequence pool and an origin pool");
        const [lb] = ofType(RESOURCE_TYPES.loadBalancer);
        assert.ok(lb, "a load balancer");
        assert.deepEqual(lb.inputs.defaultPools, [cequencePool.id, originPool.id], "Cequence first, then the origin");
        assert.equal(lb.inputs.fallbackPool, originPool.id, "fails open to the origin");
        const [record] = ofType(RESOURCE_TYPES.dnsRecord);
        assert.deepEqual(
            [record?.inputs.type, record?.inputs.name, record?.inputs.content, record?.inputs.proxied],
            ["CNAME", "api.example.com", lb.inputs.name, true],
            "the public hostname is a proxied CNAME to the load balancer",
        );
        assert.equal(outputs.cnameTarget, lb.inputs.name);
        assert.equal(outputs.recordId, record!.id);
    });
});
