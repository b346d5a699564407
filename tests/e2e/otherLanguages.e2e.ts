/**
 * The components used from other languages, through the real engine: the
 * examples/python, examples/yaml and examples/go stacks use this repository
 * as a component package (`pulumi package add`, `packages:`, the Go SDK that
 * `pulumi package gen-sdk` generated), as users do, and the plugin host runs
 * the built dist/components for them. Each leaves in the
 * Cloudflare stand-in exactly what a Node.js program of the same inputs
 * leaves, shows no changes after, and a bad argument is refused with the
 * component's own message before anything is created.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { before, describe, it } from "node:test";
import { parse } from "yaml";
import { COMMITTED_SCHEMA, engineComponentSchema } from "../../tools/engine/componentSchema.mjs";
import { GO_SDK_DIR, generateGoSdk } from "../../tools/engine/goSdk.mjs";
import { CloudflareStandIn } from "../support/cloudflare/standIn";
import type { ConfigObject } from "../support/stack";
import { engine, engineStackIn, pulumiCli, requireOtherLanguages, requireResourcePlugins, type EngineRun } from "./support/engine";
import { bundledStackConfig, comparableObjects, seedAccountAndZone } from "./support/held";
import { exampleProject, nodeProject, REPO_ROOT, type ScratchProject } from "./support/pulumiProject";
import { HOST, ORIGIN } from "./support/world";

const GUIDE = bundledStackConfig("prod");
/** What every example is given, as its README says to set it. */
const INPUTS = {
    accountId: String(GUIDE.accountId),
    zoneId: String(GUIDE.zoneId),
    cequenceHostname: String((GUIDE.cequence as { hostname: string }).hostname),
};
const STACK = "dev";
/** The Python SDK `pulumi package add` generates for this package, as pip names it. */
const PYTHON_SDK = "pulumi_cloudflare_cequence";

/** The examples' two components with the same inputs, in a Node.js program on the package's own build. */
const NODE_PROGRAM = `
const pulumi = require("@pulumi/pulumi");
const { CequencePool, ProtectedHostname } = require(${JSON.stringify(path.join(REPO_ROOT, "dist", "components"))});
const config = new pulumi.Config();
const stack = pulumi.getStack();
const monitor = { path: "/", expectedCodes: "200" };
new ProtectedHostname("www", {
    accountId: config.require("accountId"), zoneId: config.require("zoneId"), zone: "cq-route.com",
    hostname: ${JSON.stringify(HOST)}, origin: ${JSON.stringify(ORIGIN)}, routing: "loadBalancer", stackName: stack,
    cequenceHostname: config.require("cequenceHostname"), cequenceMonitor: monitor, originMonitor: monitor,
});
new CequencePool("cequence-standby", {
    accountId: config.require("accountId"), poolName: stack + "-cequence-standby", publicHostname: ${JSON.stringify(HOST)},
    cequenceHostname: config.require("cequenceHostname"), monitor,
});
`;

function projectName(project: ScratchProject): string {
    return (parse(readFileSync(path.join(project.workDir, "Pulumi.yaml"), "utf8")) as { name: string }).name;
}

/** The stand-in, seeded with the guide's account and zone, and a stack of `project` pointed at it. */
async function deployable(project: ScratchProject, config: ConfigObject = {}) {
    requireResourcePlugins();
    const standIn = new CloudflareStandIn();
    await standIn.start();
    const close = async () => {
        project.remove();
        // `pulumi package add` installed the generated SDK into the engine's venv: it leaves with the project.
        const venv = engine().python.venv;
        if (venv !== null) spawnSync(path.join(venv, "bin", "python"), ["-m", "pip", "uninstall", "--yes", "--quiet", PYTHON_SDK], { timeout: 60_000 });
        await standIn.stop();
    };
    try {
        const { account, zone } = seedAccountAndZone(standIn, GUIDE);
        const name = projectName(project);
        const qualified = Object.fromEntries(Object.entries({ ...INPUTS, ...config }).map(([key, value]) => [`${name}:${key}`, value]));
        const run = await engineStackIn(project, STACK, qualified, standIn);
        return { standIn, account, zone, run, close };
    } catch (error) {
        await close();
        throw error;
    }
}

/** What the stand-in holds after `pulumi up` of `project`, which must then show no changes. */
async function deployedObjects(project: ScratchProject, prepare?: (run: EngineRun) => Promise<void>) {
    const world = await deployable(project);
    try {
        await prepare?.(world.run);
        await world.run.stack.up();
        await world.run.stack.preview({ expectNoChanges: true });
        assert.deepEqual(world.standIn.violations, [], "the provider and the stand-in must both keep to Cloudflare's schema");
        return comparableObjects(world.account, world.zone);
    } finally {
        await world.close();
    }
}

/** The README's `pulumi package add ../..`: generates the Python SDK into sdks/ and installs it into the venv. */
async function packageAdd(run: EngineRun): Promise<void> {
    await pulumiCli(run, ["package", "add", REPO_ROOT], { forStack: false });
}

/**
 * How each example gets the package: Python generates its SDK; YAML's `packages:` needs nothing more;
 * Go's SDK is committed (`npm run sdk:go`), and the Go host compiles the program against it.
 */
const LANGUAGES: Record<"python" | "yaml" | "go", { prepare?: (run: EngineRun) => Promise<void> }> = {
    python: { prepare: packageAdd },
    yaml: {},
    go: {},
};

describe("the components from other languages", () => {
    let fromNode: Record<string, unknown[]>;

    before(async () => {
        fromNode = await deployedObjects(nodeProject("cequence-node-consumer", NODE_PROGRAM));
        assert.equal(fromNode.pools!.length, 3, "the hostname's two pools and the standby pool");
    });

    for (const [language, { prepare }] of Object.entries(LANGUAGES)) {
        describe(`examples/${language}`, () => {
            it("deploys what the Node.js program deploys, field for field, then shows no changes", async () => {
                const objects = await deployedObjects(exampleProject(language as keyof typeof LANGUAGES, requireOtherLanguages()), prepare);
                assert.deepEqual(objects, fromNode);
            });

            it("is refused a bad argument with the component's own message, and creates nothing", async () => {
                const world = await deployable(exampleProject(language as keyof typeof LANGUAGES, requireOtherLanguages()));
                try {
                    await prepare?.(world.run);
                    const refusals = [
                        { config: { cequenceTrafficPercent: 0 }, problem: /cequenceTrafficPercent: must be a whole number from 1 to 100, got 0/ },
                        { config: { origin: HOST }, problem: /origin: is hostname too \(www\.cq-route\.com\)/ },
                    ];
                    for (const { config, problem } of refusals) {
                        const name = projectName(world.run.project);
                        await world.run.stack.removeConfig(`${name}:cequenceTrafficPercent`).catch(() => undefined);
                        await world.run.stack.removeConfig(`${name}:origin`).catch(() => undefined);
                        for (const [key, value] of Object.entries(config)) await world.run.stack.setConfig(`${name}:${key}`, { value: String(value) });
                        const refusal = await world.run.stack.up().then(() => assert.fail("up succeeded"), (error: Error) => error.message);
                        assert.match(refusal, /Invalid arguments for ProtectedHostname www\.cq-route\.com \(1 problem\)/);
                        assert.match(refusal, problem);
                        assert.deepEqual(Object.values(comparableObjects(world.account, world.zone)).flat(), [], "nothing was created");
                    }
                } finally {
                    await world.close();
                }
            });
        });
    }
});

/** Every file under `dir`, by its path relative to `dir`, with its content. */
function filesUnder(dir: string): Record<string, string> {
    const files: Record<string, string> = {};
    for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
        if (entry.isFile()) {
            const file = path.join(entry.parentPath, entry.name);
            files[path.relative(dir, file)] = readFileSync(file, "utf8");
        }
    }
    return files;
}

describe("the package's contract for other languages", () => {
    let schema: string;

    before(() => {
        schema = engineComponentSchema(engine());
    });

    it("pulumi package get-schema prints the committed schema (a change to it is deliberate: npm run schema, and a CHANGELOG line)", () => {
        assert.equal(schema, readFileSync(COMMITTED_SCHEMA, "utf8"), "the component schema changed: run `npm run schema`, review the diff and add a CHANGELOG line");
    });

    it("examples/go's committed SDK is what pulumi package gen-sdk --language go generates from it through the Go host (npm run sdk:go)", () => {
        const scratch = mkdtempSync(path.join(tmpdir(), "cloudflare-cequence-go-sdk-"));
        try {
            generateGoSdk(path.join(scratch, "cloudflare-cequence"), engine());
            assert.deepEqual(filesUnder(GO_SDK_DIR), filesUnder(path.join(scratch, "cloudflare-cequence")), "examples/go's SDK is stale: run `npm run sdk:go` and commit it");
        } finally {
            rmSync(scratch, { recursive: true, force: true });
        }
    });
});
