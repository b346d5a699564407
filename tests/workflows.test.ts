/**
 * The GitHub Actions workflows, checked offline: each file against GitHub's
 * own workflow schema (@actions/workflow-parser, the parser behind GitHub's
 * Actions language service), and every stack file against the matrices that
 * preview and deploy it.
 */
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import * as path from "node:path";
import { describe, it } from "node:test";
import { parse } from "yaml";
import { PROJECT_ROOT } from "../tools/plan/mockEngine";

const WORKFLOWS_DIR = path.join(PROJECT_ROOT, ".github", "workflows");
const workflowFiles = readdirSync(WORKFLOWS_DIR).filter((file) => /\.ya?ml$/.test(file));

/** GitHub's parser reports problems in the schema, expressions and values, each with a line and column. */
async function workflowErrors(file: string): Promise<string[]> {
    // The parser is an ES module only; a dynamic import loads it from this CommonJS test.
    const { parseWorkflow, NoOperationTraceWriter, convertWorkflowTemplate } = await import("@actions/workflow-parser");
    const parsed = parseWorkflow({ name: file, content: readFileSync(path.join(WORKFLOWS_DIR, file), "utf8") }, new NoOperationTraceWriter());
    const parseErrors = parsed.context.errors.getErrors().map((error) => error.message);
    if (parseErrors.length > 0 || parsed.value === undefined) return parseErrors;
    const template = await convertWorkflowTemplate(parsed.context, parsed.value);
    return (template.errors ?? []).map((error) => error.Message);
}

interface Job {
    uses?: string;
    strategy?: { "max-parallel"?: number; matrix?: { stack?: unknown } };
    with?: Record<string, unknown>;
    permissions?: Record<string, string>;
}

function jobs(file: string): Record<string, Job> {
    const workflow = parse(readFileSync(path.join(WORKFLOWS_DIR, file), "utf8")) as { jobs?: Record<string, Job> };
    return workflow.jobs ?? {};
}

/** The job of `file` that runs the stack workflow with `command`, and the stacks in its matrix. */
function stackJob(file: string, command: string): { job: Job; stacks: string[] } {
    const job = Object.values(jobs(file)).find((j) => j.uses === "./.github/workflows/pulumi-stack.yml" && j.with?.command === command);
    if (!job) throw new Error(`${file} has no job that calls pulumi-stack.yml with command: ${command}`);
    const stacks = job.strategy?.matrix?.stack;
    if (!Array.isArray(stacks)) throw new Error(`${file}: the ${command} job has no strategy.matrix.stack list`);
    return { job, stacks: stacks.map(String) };
}

const stackFiles = readdirSync(PROJECT_ROOT)
    .map((file) => /^Pulumi\.(.+)\.ya?ml$/.exec(file)?.[1])
    .filter((stack): stack is string => stack !== undefined);

describe("GitHub Actions workflows", () => {
    it("include the pull-request, deploy and shared workflows", () => {
        for (const file of ["pull-request.yml", "deploy.yml", "pulumi-stack.yml", "checks.yml", "release.yml"]) assert.ok(workflowFiles.includes(file), file);
    });

    for (const file of workflowFiles) {
        it(`${file} is a valid workflow by GitHub's workflow schema`, async () => {
            assert.deepEqual(await workflowErrors(file), []);
        });
    }

    it("reject a workflow with an unknown key or permission value (the validator is live)", async () => {
        const { parseWorkflow, NoOperationTraceWriter } = await import("@actions/workflow-parser");
        const content = "on: push\npermissions:\n  contents: reed\njobs:\n  a:\n    runs-on: ubuntu-latest\n    step: []\n";
        const errors = parseWorkflow({ name: "bad.yml", content }, new NoOperationTraceWriter()).context.errors.getErrors();
        assert.equal(errors.length, 2, errors.map((e) => e.message).join("\n"));
    });

    for (const [file, command] of [["pull-request.yml", "preview"], ["deploy.yml", "up"]] as const) {
        it(`${file} runs pulumi ${command} for every stack file in the repository`, () => {
            assert.deepEqual(stackJob(file, command).stacks.sort(), [...stackFiles].sort());
        });
    }

    it("deploy updates one stack at a time, each behind its GitHub environment", () => {
        const { job } = stackJob("deploy.yml", "up");
        assert.equal(job.strategy?.["max-parallel"], 1);
        assert.equal(job.with?.environment, "${{ matrix.stack }}");
    });

    it("grant write access only for the preview comment on the pull request and the release of a tag", () => {
        const writers: Record<string, string[]> = { "pull-request.yml/preview": ["pull-requests"], "release.yml/release": ["contents"] };
        for (const file of workflowFiles) {
            for (const [name, job] of Object.entries(jobs(file))) {
                const writes = Object.entries(job.permissions ?? {}).filter(([, level]) => level === "write").map(([scope]) => scope);
                const allowed = writers[`${file}/${name}`] ?? [];
                assert.deepEqual(writes, allowed, `${file} job ${name}`);
            }
        }
    });

    it("checks.yml rebuilds Cloudflare's OpenAPI subset from upstream and fails unless it is the repository's copy, before npm test", () => {
        const steps = (jobs("checks.yml").test as Job & { steps?: Array<{ run?: string }> }).steps ?? [];
        const rebuild = steps.findIndex((step) => step.run?.includes("node tools/openapi/rebuildSubset.mjs"));
        const test = steps.findIndex((step) => step.run === "npm test");
        assert.ok(rebuild >= 0 && rebuild < test, `rebuild step ${rebuild}, npm test step ${test}`);
        assert.match(steps[rebuild]?.run ?? "", /rebuildSubset\.mjs "\$subset"/);
        assert.match(steps[rebuild]?.run ?? "", /cmp "\$subset" vendor\/cloudflare-openapi\/cloudflare-lb-subset\.openapi\.json/);
        assert.ok(!steps.some((step) => step.run?.includes("CLOUDFLARE_OPENAPI_SUBSET")), "the tests read the repository's copy");
    });

    it("release.yml: on a tag v<version>, the checks, then the tag checked against package.json and the CHANGELOG, npm pack, and a release with the tarball", () => {
        const workflow = parse(readFileSync(path.join(WORKFLOWS_DIR, "release.yml"), "utf8")) as { on: { push: { tags: string[] } } };
        assert.deepEqual(Object.keys(workflow.on), ["push"], "only a pushed tag releases");
        assert.deepEqual(workflow.on.push.tags, ["v[0-9]+.[0-9]+.[0-9]+*"]);
        const all = jobs("release.yml");
        assert.equal(all.checks?.uses, "./.github/workflows/checks.yml", "the same checks (npm test) as every pull request");
        const release = all.release as Job & { needs?: string; steps?: Array<{ run?: string }> };
        assert.equal(release.needs, "checks");
        const runs = (release.steps ?? []).map((step) => step.run ?? "");
        const at = (pattern: RegExp) => runs.findIndex((run) => pattern.test(run));
        const order = [/^npm ci$/, /node tools\/release\/releaseNotes\.mjs "\$GITHUB_REF_NAME"/, /^npm pack$/, /gh release create "\$GITHUB_REF_NAME" "\$tarball"/].map(at);
        assert.ok(order.every((index, i) => index >= 0 && (i === 0 || index > order[i - 1]!)), `steps in order: ${order.join(", ")}`);
        const manifest = JSON.parse(readFileSync(path.join(PROJECT_ROOT, "package.json"), "utf8")) as { name: string };
        assert.ok(runs.some((run) => run.includes(`tarball="${manifest.name}-\${GITHUB_REF_NAME#v}.tgz"`)), "the tarball npm pack makes: <name>-<version>.tgz");
    });

    it("write each stack's offline plan to the job summary as Markdown, with its traffic-path charts", () => {
        const steps = Object.values(jobs("pulumi-stack.yml")).flatMap((job) => (job as Job & { steps?: Array<{ run?: string }> }).steps ?? []);
        const plan = steps.find((step) => step.run?.includes("npm run --silent plan"));
        assert.match(plan?.run ?? "", /plan -- --stack "\$STACK" --markdown >> "\$GITHUB_STEP_SUMMARY"/);
    });
});
