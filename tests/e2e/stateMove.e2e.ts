/**
 * Past one stack (docs/scale.md): one app moved between two stacks of the
 * project with `pulumi state move`, as a user splits a large stack. The move
 * rewrites the two stacks' state only: Cloudflare sees no write, and after
 * each stack's config is changed as docs/scale.md says (the app leaves the
 * source's `apps`, and joins the destination's with `poolStack: <source>`, so
 * its pools keep their names), neither stack has a change to make.
 *
 * `pulumi state move` moves a top-level resource with its children
 * (https://www.pulumi.com/docs/iac/operations/stack-management/moving-resources-between-stacks/),
 * so the app's ProtectedHostname URN is all it is given.
 */
import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { describe, it } from "node:test";
import { parse, stringify } from "yaml";
import { poolName } from "../../components/naming";
import { CONFIG_NAMESPACE } from "../../config/rawConfig";
import { engineStackIn, pulumiCli, qualifiedConfig, stateResources, type EngineRun } from "./support/engine";
import { guide, inWorld, manyApps } from "./support/world";

const SOURCE = "fleet-a";
const DEST = "fleet-b";
const [STAYS, MOVES, ALREADY_THERE] = manyApps(3);

/** What Cloudflare holds of the zone and account, the servers' timestamps left out: unchanged by a move. */
function cloudflareObjects(world: { account: { pools: unknown[]; monitors: unknown[] }; zone: { records: unknown[]; loadBalancers: unknown[] } }) {
    return JSON.stringify([world.account.monitors, world.account.pools, world.zone.loadBalancers, world.zone.records]);
}

describe("moving an app between stacks with pulumi state move", () => {
    it("sends Cloudflare no write, and leaves both stacks with no changes once their config follows the app", async () => {
        const sourceApps = [STAYS!, MOVES!];
        await inWorld(SOURCE, guide({ extra: { apps: sourceApps } }), async (world) => {
            const { standIn, run: source } = world;
            const dest = await engineStackIn(source.project, DEST, qualifiedConfig(guide({ extra: { apps: [ALREADY_THERE!] } })), standIn);
            await source.stack.up();
            await dest.stack.up();

            const moving = (await stateResources(source.stack)).find(
                (r) => r.type === "cloudflare-cequence:index:ProtectedHostname" && r.urn.endsWith(`::${MOVES!.hostname}`),
            );
            assert.ok(moving, `the source stack has ${MOVES!.hostname}'s ProtectedHostname`);
            const movingChildren = (await stateResources(source.stack)).filter((r) => r.urn.includes(MOVES!.hostname)).length;
            const held = cloudflareObjects(world);
            const before = standIn.served.length;

            await pulumiCli(source, ["state", "move", "--source", SOURCE, "--dest", DEST, "--yes", moving.urn], { forStack: false });

            // The user's side of the move: the app leaves the source's config and joins the destination's,
            // keeping the pool names it had in the source.
            setApps(source, [STAYS]);
            setApps(dest, [ALREADY_THERE, { ...MOVES, poolStack: SOURCE }]);
            for (const stack of [source.stack, dest.stack]) await stack.preview({ expectNoChanges: true });
            // An up of each (their stack outputs follow the app) still changes nothing in Cloudflare.
            for (const stack of [source.stack, dest.stack]) {
                const result = await stack.up();
                assert.deepEqual(Object.keys(result.summary.resourceChanges ?? {}), ["same"], `${stack.name}: every resource the same after the move`);
            }

            const writes = standIn.served.slice(before).filter((request) => request.method !== "GET");
            assert.deepEqual(writes.map((w) => `${w.method} ${w.path}`), [], "the move and the runs after it write nothing to Cloudflare");
            assert.equal(cloudflareObjects(world), held, "Cloudflare holds exactly what it held before the move");

            const inSource = (await stateResources(source.stack)).filter((r) => r.urn.includes(MOVES!.hostname));
            const inDest = (await stateResources(dest.stack)).filter((r) => r.urn.includes(MOVES!.hostname));
            assert.deepEqual(inSource, [], "the app left the source stack's state");
            assert.equal(inDest.length, movingChildren, "the app and all its children are in the destination's state");
            assert.ok(inDest.every((r) => r.urn.startsWith(`urn:pulumi:${DEST}::`)));
            assert.ok(
                world.account.pools.some((pool) => pool.name === poolName("cequence", SOURCE, MOVES!.hostname)),
                "the moved app's pools kept their names",
            );
            const routing = (await dest.stack.outputs()).routing?.value as Record<string, string>;
            assert.deepEqual(Object.keys(routing).sort(), [ALREADY_THERE!.hostname, MOVES!.hostname].sort(), "the destination's outputs list the app");
        });
    });
});

/** The stack file's `apps`, edited as a user edits Pulumi.<stack>.yaml (the project's typed config takes no JSON string for a list). */
function setApps(run: EngineRun, apps: unknown[]): void {
    const file = path.join(run.project.workDir, `Pulumi.${run.stack.name}.yaml`);
    const stackFile = parse(readFileSync(file, "utf8")) as { config: Record<string, unknown> };
    stackFile.config[`${CONFIG_NAMESPACE}:apps`] = apps;
    writeFileSync(file, stringify(stackFile));
}
