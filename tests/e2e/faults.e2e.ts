/**
 * `pulumi up` while Cloudflare misbehaves: rate limits and server errors
 * are retried or fail cleanly, a killed update is recovered the way Pulumi
 * documents, and in every case a later `up` converges to one of each object.
 */
import assert from "node:assert/strict";
import { setTimeout as sleep } from "node:timers/promises";
import { describe, it } from "node:test";
import type { Account, Zone } from "../support/cloudflare/store";
import { pulumiCli, pulumiProcess } from "./support/engine";
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

    it("after SIGKILL mid-update, refresh (clearing pending creates) and up converge with nothing lost or duplicated", async () => {
        await inWorld("prod", bundledStackConfig("prod"), async ({ standIn, account, zone, run, stack }) => {
            const update = pulumiProcess(run, ["up", "--yes", "--skip-preview"]);
            const exited = new Promise((resolve) => update.on("close", resolve));
            const deadline = Date.now() + FIRST_WRITE_TIMEOUT_MS;
            while (!standIn.served.some((s) => s.operationId === "account-load-balancer-pools-create-pool") && Date.now() < deadline) await sleep(50);
            // The whole group: the CLI, its language host and its plugins, as when a CI runner is killed.
            process.kill(-update.pid!, "SIGKILL");
            await exited;
            // Pulumi's documented recovery for an interrupted update: release the lock the killed update
            // left in the file backend, then reconcile the state with the cloud.
            await pulumiCli(run, ["cancel", "--yes"]);
            await pulumiCli(run, ["refresh", "--yes", "--clear-pending-creates"]);
            await stack.up();
            assertGuideObjectsOnce(account, zone);
            await stack.preview({ expectNoChanges: true });
        });
    });
});
