/**
 * CequencePool and AppOriginPool built directly, as a library user would:
 * their hostnames are normalised as the stack's config normalises them (lower
 * case, no trailing dot) and refused, by argument, when they are no DNS name.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { RESOURCE_TYPES } from "../policy/resourceTypes";
import { runComponent, runComponentSource } from "./support/componentProgram";
import { ACCOUNT_ID } from "./support/stack";

const POOLS = [
    { component: "CequencePool", address: "cequenceHostname", given: "CQ-Route.Example.Cequence.ai.", normalised: "cq-route.example.cequence.ai" },
    { component: "AppOriginPool", address: "originHostname", given: "Origin-WWW.cq-route.com.", normalised: "origin-www.cq-route.com" },
] as const;

for (const pool of POOLS) {
    describe(`${pool.component}: hostnames as the stack's config takes them`, () => {
        it("normalises its origin's hostname and the Host its monitor sends, given now or as outputs", async () => {
            for (const run of [
                await runComponent(pool.component, "pool", { accountId: ACCOUNT_ID, poolName: "p", publicHostname: "WWW.cq-route.com.", [pool.address]: pool.given }),
                await runComponentSource(
                    pool.component,
                    "pool",
                    `{ accountId: ${JSON.stringify(ACCOUNT_ID)}, poolName: "p", publicHostname: pulumi.output("WWW.cq-route.com."), ${pool.address}: pulumi.output(${JSON.stringify(pool.given)}) }`,
                ),
            ]) {
                assert.equal(run.error, undefined, run.error?.message);
                const created = run.resources.find((r) => r.type === RESOURCE_TYPES.pool)!;
                const monitor = run.resources.find((r) => r.type === RESOURCE_TYPES.monitor)!;
                assert.deepEqual((created.inputs.origins as Array<{ address: string }>).map((o) => o.address), [pool.normalised]);
                assert.deepEqual((monitor.inputs.header as { Host: string[] }).Host, ["www.cq-route.com"]);
            }
        });

        it("refuses hostnames that are no DNS names, both at once, naming each argument, and registers nothing", async () => {
            const run = await runComponent(pool.component, "pool", { accountId: ACCOUNT_ID, poolName: "p", publicHostname: "https://www.cq-route.com", [pool.address]: "origin www" });
            const message = String(run.error?.message);
            assert.match(message, new RegExp(`^Invalid arguments for ${pool.component} pool \\(2 problems\\):\\n`));
            assert.match(message, new RegExp(`^ {2}${pool.address}: must be a DNS hostname .*, got "origin www"$`, "m"));
            assert.match(message, /^ {2}publicHostname: must be a DNS hostname .*, got "https:\/\/www\.cq-route\.com"$/m);
            assert.deepEqual(run.resources.filter((r) => r.custom), []);
        });

        it("refuses a hostname given as an output as it resolves, before the monitor or the pool is registered", async () => {
            const run = await runComponentSource(
                pool.component,
                "pool",
                `{ accountId: ${JSON.stringify(ACCOUNT_ID)}, poolName: "p", publicHostname: "www.cq-route.com", ${pool.address}: pulumi.output("origin www") }`,
            );
            assert.match(String(run.error?.message), new RegExp(`^ {2}${pool.address}: must be a DNS hostname .*, got "origin www"$`, "m"));
            assert.deepEqual(run.resources.filter((r) => r.custom), []);
        });
    });
}
