/**
 * What the offline tools (plan, status, preflight) cannot read in a stack
 * file, encrypted (`secure:`) values and ESC environments (`environment:`),
 * they name by key with what to do; with --from-pulumi they read the config
 * through the Pulumi CLI (`pulumi config --show-secrets --json`), which
 * decrypts and opens both. A stand-in `pulumi` on PATH answers as the CLI does.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { chmodSync, mkdtempSync as makeTempDir, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { after, describe, it } from "node:test";
import { stringify } from "yaml";
import { parseStackConfig } from "../config/parse";
import { readConfigThroughCli } from "../config/pulumiCli";
import { CONFIG_NAMESPACE } from "../config/rawConfig";
import { readStackFile } from "../config/stackFile";
import { status } from "../tools/live/status";
import { PROJECT_ROOT } from "../tools/plan/mockEngine";
import { envFor, runInProcess, STACK, startLive, stopStandInsAfterEach } from "./support/liveFixture";
import { guideConfig, type ConfigObject } from "./support/stack";

const scratch: string[] = [];
after(() => scratch.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

/** A temporary directory, removed after the tests. */
function mkdtempSync(prefix: string): string {
    const dir = makeTempDir(prefix);
    scratch.push(dir);
    return dir;
}

const ENCRYPTED = { secure: "v1:c2FsdHNhbHQ=:ZW5jcnlwdGVkLWFjY291bnQtaWQ=" };

/** The project's keys qualified, as a stack file holds them, with other keys and top-level entries added. */
function stackFileText(config: ConfigObject, extraConfig: Record<string, unknown> = {}, top: Record<string, unknown> = {}): string {
    const qualified = Object.fromEntries(Object.entries(config).map(([key, value]) => [`${CONFIG_NAMESPACE}:${key}`, value]));
    return stringify({ ...top, config: { ...qualified, ...extraConfig } });
}

/** The guide's config without its accountId, which a test then writes encrypted. */
function withoutAccountId(): ConfigObject {
    const config = guideConfig();
    delete config.accountId;
    return config;
}

function stackDir(text: string): string {
    const dir = mkdtempSync(path.join(tmpdir(), "stack-secrets-"));
    writeFileSync(path.join(dir, `Pulumi.${STACK}.yaml`), text);
    return dir;
}

function parsedFile(text: string) {
    return parseStackConfig(readStackFile(path.join(stackDir(text), `Pulumi.${STACK}.yaml`)));
}

/**
 * A `pulumi` on PATH that records its arguments and working directory and
 * prints `answer` (what `pulumi config --show-secrets --json` prints), or,
 * given `failure`, prints that on stderr and exits 255.
 */
function fakeCli(answer: unknown, failure?: string) {
    const bin = mkdtempSync(path.join(tmpdir(), "fake-pulumi-"));
    const calls = path.join(bin, "calls.log");
    const answerFile = path.join(bin, "answer");
    const failing = failure !== undefined;
    writeFileSync(answerFile, failure ?? JSON.stringify(answer));
    writeFileSync(
        path.join(bin, "pulumi"),
        `#!/bin/sh\necho "$PWD $*" >> '${calls}'\n${failing ? `cat '${answerFile}' >&2\nexit 255` : `cat '${answerFile}'`}\n`,
    );
    chmodSync(path.join(bin, "pulumi"), 0o755);
    return { PATH: `${bin}${path.delimiter}${process.env.PATH ?? ""}`, calls: () => readFileSync(calls, "utf8").trim().split("\n") };
}

/** The guide's config as `pulumi config --json --show-secrets` prints it, accountId decrypted, the API token a secret. */
function cliAnswer(config: ConfigObject = guideConfig()) {
    const entries = Object.entries(config).map(([key, value]) => [
        `${CONFIG_NAMESPACE}:${key}`,
        typeof value === "string"
            ? { value, secret: key === "accountId" }
            : { value: JSON.stringify(value), objectValue: value, secret: false },
    ]);
    return { ...Object.fromEntries(entries), "cloudflare:apiToken": { value: "token-from-the-cli", secret: true } };
}

describe("offline, an encrypted value is named by its key, with what to do", () => {
    it("a top-level key: encrypted, not 'must be a 32-character … ID'", () => {
        const parsed = parsedFile(stackFileText(withoutAccountId(), { [`${CONFIG_NAMESPACE}:accountId`]: ENCRYPTED }));
        assert.ok(!parsed.ok);
        assert.deepEqual(parsed.issues.map((i) => i.path), ["accountId"]);
        assert.match(parsed.issues[0]!.message, /^is encrypted \(secure:\), which only the Pulumi CLI can decrypt: set it in plain text .*, or add --from-pulumi/);
    });

    it("a key inside an object (pulumi config set --path --secret)", () => {
        const config = guideConfig();
        (config.cequence as Record<string, unknown>).hostname = ENCRYPTED;
        (config.apps as Array<Record<string, unknown>>)[0]!.origin = ENCRYPTED;
        const parsed = parsedFile(stackFileText(config));
        assert.ok(!parsed.ok);
        assert.deepEqual(parsed.issues.map((i) => i.path), ["cequence.hostname", "apps[0].origin"]);
        assert.ok(parsed.issues.every((i) => i.message.startsWith("is encrypted (secure:)")));
    });

    it("the API token, encrypted as it should be, is no problem", () => {
        assert.equal(parsedFile(stackFileText(guideConfig(), { "cloudflare:apiToken": ENCRYPTED })).ok, true);
    });
});

describe("offline, keys an ESC environment may set are named with the environment", () => {
    const escFile = (config: ConfigObject) => stackFileText(config, {}, { environment: ["cloudflare-cequence/staging"] });

    it("a required key the stack file leaves to the environment", () => {
        const config = guideConfig();
        delete config.accountId;
        delete config.zoneId;
        const parsed = parsedFile(escFile(config));
        assert.ok(!parsed.ok);
        assert.deepEqual(parsed.issues.map((i) => i.path), ["accountId", "zoneId"]);
        for (const issue of parsed.issues) {
            assert.match(issue.message, /^is required; the stack file imports the ESC environment cloudflare-cequence\/staging, which may set it and only the Pulumi CLI can open: add --from-pulumi, or set it in the stack file$/);
        }
    });

    it("a valid config: plan warns that the environment's keys are not read", () => {
        const dir = stackDir(escFile(guideConfig()));
        const tsx = path.join(PROJECT_ROOT, "node_modules", "tsx", "dist", "cli.mjs");
        const result = spawnSync(process.execPath, [tsx, path.join(PROJECT_ROOT, "tools/plan/plan.ts"), "--stack", STACK, "--dir", dir, "--json"], { encoding: "utf8" });
        assert.equal(result.status, 0, result.stderr);
        const plan = JSON.parse(result.stdout) as { warnings: string[] };
        assert.ok(
            plan.warnings.some((w) => /imports the ESC environment cloudflare-cequence\/staging, which the offline tools cannot open.*--from-pulumi/.test(w)),
            plan.warnings.join("\n"),
        );
    });
});

describe("--from-pulumi: the config as the Pulumi CLI resolves it", () => {
    it("runs `pulumi config --show-secrets --json` for the stack in the project directory, and keeps the project's keys only in clear", () => {
        const cli = fakeCli(cliAnswer());
        const dir = stackDir(stackFileText(guideConfig()));
        const raw = readConfigThroughCli(dir, STACK, { PATH: cli.PATH });
        assert.deepEqual(cli.calls(), [`${dir} config --show-secrets --json --stack ${STACK} --non-interactive`]);
        assert.equal(raw.values[`${CONFIG_NAMESPACE}:accountId`], guideConfig().accountId);
        assert.deepEqual(JSON.parse(raw.values[`${CONFIG_NAMESPACE}:apps`]!), guideConfig().apps);
        assert.deepEqual([...raw.secretKeys].sort(), ["cloudflare-cequence:accountId", "cloudflare:apiToken"]);
        assert.ok(!Object.values(raw.values).includes("token-from-the-cli"), "secrets outside the project's keys are not kept");
        assert.equal(parseStackConfig(raw).ok, true);
    });

    it("says when the CLI is not on PATH", () => {
        assert.throws(() => readConfigThroughCli(PROJECT_ROOT, STACK, { PATH: mkdtempSync(path.join(tmpdir(), "empty-path-")) }), /--from-pulumi needs the Pulumi CLI \(pulumi\) on PATH/);
    });

    it("passes the CLI's own error on", () => {
        const cli = fakeCli(undefined, "error: passphrase must be set with PULUMI_CONFIG_PASSPHRASE or PULUMI_CONFIG_PASSPHRASE_FILE environment variables");
        assert.throws(
            () => readConfigThroughCli(PROJECT_ROOT, STACK, { PATH: cli.PATH }),
            /`pulumi config --show-secrets --json --stack test` failed \(exit status 255\): error: passphrase must be set with PULUMI_CONFIG_PASSPHRASE/,
        );
    });

    it("plan: a stack file with an encrypted accountId plans with the CLI's value", () => {
        const dir = stackDir(stackFileText(withoutAccountId(), { [`${CONFIG_NAMESPACE}:accountId`]: ENCRYPTED }));
        const cli = fakeCli(cliAnswer());
        const tsx = path.join(PROJECT_ROOT, "node_modules", "tsx", "dist", "cli.mjs");
        const run = (args: string[]) =>
            spawnSync(process.execPath, [tsx, path.join(PROJECT_ROOT, "tools/plan/plan.ts"), "--stack", STACK, "--dir", dir, "--json", ...args], {
                encoding: "utf8",
                env: { ...process.env, PATH: cli.PATH },
            });
        const offline = run([]);
        assert.equal(offline.status, 1);
        assert.match(offline.stderr, /accountId: is encrypted \(secure:\)/);
        const resolved = run(["--from-pulumi"]);
        assert.equal(resolved.status, 0, resolved.stderr);
        const plan = JSON.parse(resolved.stdout) as { apps: Array<{ resources: Array<{ type: string; inputs: { accountId?: string } }> }> };
        const pool = plan.apps[0]!.resources.find((r) => r.type === "cloudflare:index/loadBalancerPool:LoadBalancerPool")!;
        assert.equal(pool.inputs.accountId, guideConfig().accountId);
    });
});

describe("--from-pulumi in status and preflight", () => {
    const started = stopStandInsAfterEach();

    it("status reads an encrypted accountId through the CLI", async () => {
        const fixture = await startLive(guideConfig());
        started.push(fixture);
        const dir = stackDir(stackFileText(withoutAccountId(), { [`${CONFIG_NAMESPACE}:accountId`]: ENCRYPTED }));
        const cli = fakeCli(cliAnswer());
        const offline = await runInProcess(status, ["--stack", STACK, "--dir", dir], envFor(fixture.standIn, { PATH: cli.PATH }));
        assert.equal(offline.code, 1);
        assert.match(offline.stderr, /accountId: is encrypted \(secure:\)/);
        const resolved = await runInProcess(status, ["--stack", STACK, "--dir", dir, "--from-pulumi", "--json"], envFor(fixture.standIn, { PATH: cli.PATH }));
        assert.equal(resolved.code, 0, resolved.stderr);
        assert.equal((JSON.parse(resolved.stdout) as { apps: Array<{ traffic: string }> }).apps[0]!.traffic, "through-cequence");
    });
});
