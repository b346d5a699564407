/**
 * `pulumi up` while Cloudflare misbehaves: rate limits and server errors
 * are retried or fail cleanly, a killed update is
 * recovered as docs/runbooks.md says, and in every case a later `up`
 * converges to one of each object.
 */
import assert from "node:assert/strict";
import { setTimeout as sleep } from "node:timers/promises";
import { describe, it } from "node:test";
import type { Account, Zone } from "../support/cloudflare/store";
import { runCli } from "../support/liveFixture";
import { E2E_TOKEN, killProcessTree, pulumiCli, pulumiProcess } from "./support/engine";
import { bundledStackConfig } from "./support/held";
import { inWorld } from "./support/world";

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
        await inWorld("prod", bundledStackConfig("prod"), async ({ standIn, account, zone, run, stack }) => {
            // Cloudflare makes both pools at once and answers neither before the kill: the update dies
            // with two creates in flight and, with nothing else to record, never mid-way through
            // writing its checkpoint (a kill during that write leaves an empty state file, which is a
            // different failure: "failed to load checkpoint: EOF").
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
            const madeByKilledUpdate = account.pools.map((pool) => pool.id);
            assert.equal(madeByKilledUpdate.length, 2, "the kill landed after Cloudflare made both pools");
            // docs/runbooks.md: release the lock the killed update left in the file backend,
            // adopt what it made (`npm run recover`), then update.
            await pulumiCli(run, ["cancel", "--yes"]);
            const recovered = await runCli("recover", ["--stack", run.stack.name, "--dir", run.project.workDir, "--yes"], {
                ...run.env,
                CLOUDFLARE_API_TOKEN: E2E_TOKEN,
                CLOUDFLARE_BASE_URL: standIn.baseUrl,
            });
            assert.equal(recovered.code, 0, `${recovered.stdout}\n${recovered.stderr}`);
            await stack.up();
            assertGuideObjectsOnce(account, zone);
            assert.deepEqual(account.pools.map((pool) => pool.id).filter((id) => madeByKilledUpdate.includes(id)), madeByKilledUpdate, "the pools the killed update made are the stack's");
            await stack.preview({ expectNoChanges: true });
        });
    });
});
