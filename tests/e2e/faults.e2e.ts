/**
 * `pulumi up` while Cloudflare misbehaves: rate limits and server errors
 * are retried or fail cleanly, a killed update (even one killed while it
 * wrote its checkpoint) is recovered as docs/recover.md says, and in every case a later `up`
 * converges to one of each object.
 */
import assert from "node:assert/strict";
import { copyFileSync, truncateSync } from "node:fs";
import * as path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { describe, it } from "node:test";
import type { Account, Zone } from "../support/cloudflare/store";
import { preflight } from "../../tools/live/preflight";
import { runCli, runInProcess } from "../support/liveFixture";
import { E2E_TOKEN, killProcessTree, pulumiCli, pulumiProcess } from "./support/engine";
import { bundledStackConfig } from "./support/held";
import { HOST, inWorld, type World } from "./support/world";

/** The project's name (Pulumi.yaml): the file backend keeps its stacks under .pulumi/stacks/<project>/. */
const PROJECT = "cloudflare-cequence";

/** The guide's stack, exactly once: 2 monitors, 2 pools, 1 load balancer, 1 record. */
function assertGuideObjectsOnce(account: Account, zone: Zone): void {
    assert.deepEqual(
        { monitors: account.monitors.length, pools: account.pools.length, loadBalancers: zone.loadBalancers.length, records: zone.records.length },
        { monitors: 2, pools: 2, loadBalancers: 1, records: 1 },
    );
}

/** How long a killed update may take to reach its first write, at most. */
const FIRST_WRITE_TIMEOUT_MS = 120_000;

describe("pulumi up under faults", () => {
    it("429 bursts and 5xx: the update succeeds through retries or fails cleanly, and a second up converges without duplicates", async () => {
        await inWorld("prod", bundledStackConfig("prod"), async ({ standIn, account, zone, stack }) => {
            standIn.faults.inject({ fault: { kind: "rate-limit", retryAfterSeconds: 1 }, times: 3 });
            standIn.faults.inject({ fault: { kind: "server-error", status: 502 }, times: 2, operationId: "account-load-balancer-pools-create-pool" });
            await stack.up().catch(() => undefined);
            standIn.faults.clear();
            await stack.up();
            assertGuideObjectsOnce(account, zone);
            await stack.preview({ expectNoChanges: true });
        });
    });

    it("after SIGKILL mid-update, recover (importing what the update made) and up converge with nothing lost or duplicated", async () => {
        await inWorld("prod", bundledStackConfig("prod"), async (world) => {
            const madeByKilledUpdate = await killWithTwoPoolsMade(world);
            // The runbook (docs/recover.md): release the lock the killed update left in the file backend,
            // adopt what it made (`npm run recover`), then update.
            await pulumiCli(world.run, ["cancel", "--yes"]);
            await recoverAndUp(world, madeByKilledUpdate);
        });
    });

    it("killed while Pulumi wrote its checkpoint: cancel still works, recover restores the file backend's .bak, then recover and up converge", async () => {
        await inWorld("prod", bundledStackConfig("prod"), async (world) => {
            const madeByKilledUpdate = await killWithTwoPoolsMade(world);
            // The kill lands in the next checkpoint write, on purpose: the file backend copies <stack>.json to
            // <stack>.json.bak, then writes <stack>.json (pulumi pkg/backend/diy/state.go, saveCheckpoint), and
            // the write is cut short, leaving it empty.
            const file = path.join(world.run.project.backendDir, ".pulumi", "stacks", PROJECT, `${world.run.stack.name}.json`);
            copyFileSync(file, `${file}.bak`);
            truncateSync(file, 0);
            // The runbook's first step only deletes the lock files (pulumi/pulumi pkg/backend/diy/backend.go,
            // CancelCurrentUpdate), so it still works; the state itself cannot be read.
            await pulumiCli(world.run, ["cancel", "--yes"]);
            await assert.rejects(pulumiCli(world.run, ["stack", "export"]), /failed to load checkpoint/);
            const restored = await recoverCli(world);
            assert.equal(restored.code, 0, `${restored.stdout}\n${restored.stderr}`);
            assert.match(restored.stdout, /holds 2 pending creates\.\nRestored it to /);
            await recoverAndUp(world, madeByKilledUpdate);
        });
    });

    it("a hand-made record at the hostname, and the update killed while its record create was in flight: recover leaves the record alone, and up still meets 81053", async () => {
        const RECORD_CREATE = "dns-records-for-a-zone-create-dns-record";
        await inWorld(
            "prod",
            bundledStackConfig("prod"),
            async ({ standIn, zone, run }) => {
                const handMade = structuredClone(zone.records[0]!);
                // Know when Pulumi sent the record's create: Cloudflare refuses it (81053), and the answer comes late.
                standIn.faults.inject({ fault: { kind: "answer-late", ms: FIRST_WRITE_TIMEOUT_MS }, operationId: RECORD_CREATE });
                let sent = false;
                const take = standIn.faults.take.bind(standIn.faults);
                standIn.faults.take = (operationId) => ((sent ||= operationId === RECORD_CREATE), take(operationId));
                const update = pulumiProcess(run, ["up", "--yes", "--skip-preview"]);
                const exited = new Promise((resolve) => update.on("close", resolve));
                const deadline = Date.now() + FIRST_WRITE_TIMEOUT_MS;
                while (!sent && Date.now() < deadline) await sleep(50);
                assert.ok(sent, "the update sent the record's create");
                killProcessTree(update.pid!);
                await exited;
                standIn.faults.clear();
                await pulumiCli(run, ["cancel", "--yes"]);
                const recovered = await runCli("recover", ["--stack", run.stack.name, "--dir", run.project.workDir, "--yes", "--json"], {
                    ...run.env,
                    CLOUDFLARE_API_TOKEN: E2E_TOKEN,
                    CLOUDFLARE_BASE_URL: standIn.baseUrl,
                });
                assert.equal(recovered.code, 0, `${recovered.stdout}\n${recovered.stderr}`);
                const { decisions } = JSON.parse(recovered.stdout) as { decisions: Array<{ type: string; action: string; reason?: string }> };
                const record = decisions.find((d) => d.type === "cloudflare:index/dnsRecord:DnsRecord");
                assert.equal(record?.action, "clear", recovered.stdout);
                assert.match(record!.reason!, /was made before the update began .*81053/);
                // Not imported, so `pulumi up` does not take the hostname over: it stops at 81053, and the record is as it was.
                await assert.rejects(pulumiCli(run, ["up", "--yes", "--skip-preview"]), /81053/);
                assert.deepEqual(zone.records, [handMade]);
            },
            ({ standIn, zone }) => {
                standIn.invoke(RECORD_CREATE, { zone_id: zone.id }, { name: HOST, type: "CNAME", content: "legacy.example.net", proxied: true, ttl: 1 });
                // Made by hand long before any update of the stack.
                zone.records[0]!.created_on = "2020-01-01T00:00:00.000Z";
            },
        );
    });

    it("an account without Load Balancing: preflight warns first; up is refused at its first monitor with 1002 and makes nothing; once enabled, up converges", async () => {
        await inWorld(
            "prod",
            bundledStackConfig("prod"),
            async ({ standIn, account, zone, run, stack }) => {
                const checked = await runInProcess(preflight, ["--stack", run.stack.name, "--dir", run.project.workDir, "--json", "--poll", "0.01"], {
                    CLOUDFLARE_API_TOKEN: E2E_TOKEN,
                    CLOUDFLARE_BASE_URL: standIn.baseUrl,
                });
                assert.equal(checked.code, 2, checked.stderr);
                const { account: verdict } = JSON.parse(checked.stdout) as { account: { loadBalancing: { enabled: boolean | null; summary: string } } };
                assert.equal(verdict.loadBalancing.enabled, null);
                assert.match(verdict.loadBalancing.summary, /may not have Load Balancing/);
                await assert.rejects(stack.up(), /interval is not in range \[0, 0\]/);
                assert.deepEqual({ monitors: account.monitors.length, pools: account.pools.length, loadBalancers: zone.loadBalancers.length, records: zone.records.length }, { monitors: 0, pools: 0, loadBalancers: 0, records: 0 });
                account.loadBalancing = true;
                await stack.up();
                assertGuideObjectsOnce(account, zone);
                await stack.preview({ expectNoChanges: true });
            },
            ({ account }) => (account.loadBalancing = false),
        );
    });
});

/**
 * Starts `pulumi up` with Cloudflare answering no pool create, and SIGKILLs
 * it once Cloudflare made both pools: the update dies with two creates in
 * flight, its checkpoint written (nothing else was left to record). Returns
 * the pools' IDs.
 */
async function killWithTwoPoolsMade({ standIn, account, run }: World): Promise<string[]> {
    standIn.faults.inject({ fault: { kind: "answer-late", ms: FIRST_WRITE_TIMEOUT_MS }, operationId: "account-load-balancer-pools-create-pool" });
    const update = pulumiProcess(run, ["up", "--yes", "--skip-preview"]);
    const exited = new Promise((resolve) => update.on("close", resolve));
    const deadline = Date.now() + FIRST_WRITE_TIMEOUT_MS;
    while (account.pools.length < 2 && Date.now() < deadline) await sleep(50);
    // The whole tree: the CLI, its language host and its plugins, as when a CI runner is killed.
    const killed = killProcessTree(update.pid!);
    assert.ok(killed.some((command) => command.includes("pulumi-resource-cloudflare")), `the Cloudflare plugin is among the killed:\n${killed.join("\n")}`);
    await exited;
    standIn.faults.clear();
    const made = account.pools.map((pool) => pool.id);
    assert.equal(made.length, 2, "the kill landed after Cloudflare made both pools");
    return made;
}

function recoverCli({ standIn, run }: World) {
    return runCli("recover", ["--stack", run.stack.name, "--dir", run.project.workDir, "--yes"], { ...run.env, CLOUDFLARE_API_TOKEN: E2E_TOKEN, CLOUDFLARE_BASE_URL: standIn.baseUrl });
}

/** `npm run recover -- --yes`, then `pulumi up`: one of each object, the killed update's pools among them, and no changes left. */
async function recoverAndUp(world: World, madeByKilledUpdate: string[]): Promise<void> {
    const { account, zone, stack } = world;
    const recovered = await recoverCli(world);
    assert.equal(recovered.code, 0, `${recovered.stdout}\n${recovered.stderr}`);
    await stack.up();
    assertGuideObjectsOnce(account, zone);
    assert.deepEqual(account.pools.map((pool) => pool.id).filter((id) => madeByKilledUpdate.includes(id)), madeByKilledUpdate, "the pools the killed update made are the stack's");
    await stack.preview({ expectNoChanges: true });
}
