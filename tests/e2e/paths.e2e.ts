/**
 * `apps[].paths` through the real engine and provider: `up` with paths, no
 * perpetual diff, the paths changed in place, the paths removed, and
 * `status` after the rule is disabled in the "dashboard". Every assertion is
 * on what the Cloudflare stand-in holds, or on what `status` reads from it.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { PATH_RULE, pathRuleCondition, protectedPathsExpression } from "../../components/paths";
import { CONFIG_NAMESPACE } from "../../config/rawConfig";
import { configSetPath, pulumiCli } from "./support/engine";
import { heldApp, objectIds } from "./support/held";
import { guide, HOST, inWorld, LB, statusJson, upWithNoPerpetualDiff, type World } from "./support/world";

const PATHS = ["/login", "/api/*"];

/** The guide's app, with paths. */
const withPaths = (paths: string[] = PATHS) => guide({ app: { paths } });

function held(world: World) {
    const app = heldApp(world.account, world.zone, "prod", { hostname: HOST, lbHostname: LB });
    assert.ok(app.loadBalancer && app.cequencePool && app.originPool, "the load balancer and both pools exist");
    return { lb: app.loadBalancer, cequence: app.cequencePool, origin: app.originPool };
}

/** The one rule the stand-in must hold for `paths`: every other path to the origin pool, first and final. */
function expectedRule(paths: string[], originPoolId: string) {
    return {
        name: PATH_RULE.name,
        condition: pathRuleCondition(paths),
        disabled: false,
        priority: 0,
        terminates: true,
        overrides: { default_pools: [originPoolId], fallback_pool: originPoolId },
    };
}

describe("apps[].paths, deployed by the real engine", () => {
    it("up keeps the pools [Cequence, origin] and adds one rule sending every other path to the origin pool; no perpetual diff; status says through-cequence-for-paths", async () => {
        await inWorld("prod", withPaths(), async (world) => {
            await upWithNoPerpetualDiff(world.stack);
            const { lb, cequence, origin } = held(world);
            assert.deepEqual(lb.default_pools, [cequence.id, origin.id]);
            assert.equal(lb.fallback_pool, origin.id);
            assert.equal(lb.steering_policy, "off");
            assert.deepEqual(lb.rules, [expectedRule(PATHS, origin.id)]);
            const outputs = await world.stack.outputs();
            assert.deepEqual(outputs.protectedPaths?.value, { [HOST]: protectedPathsExpression(PATHS) });
            const { code, json } = await statusJson(world, "prod");
            assert.deepEqual([json.apps[0]!.traffic, json.apps[0]!.paths, json.apps[0]!.drift], ["through-cequence-for-paths", ["/login", "/api/*"], []]);
            assert.equal(code, 0);
        });
    });

    it("a rollout with paths: random steering within the paths, the rule for the rest, no perpetual diff", async () => {
        await inWorld("prod", guide({ app: { paths: PATHS }, cequence: { trafficPercent: 25 } }), async (world) => {
            await upWithNoPerpetualDiff(world.stack);
            const { lb, cequence, origin } = held(world);
            assert.equal(lb.steering_policy, "random");
            assert.equal((lb.random_steering as { pool_weights?: Record<string, number> }).pool_weights?.[cequence.id], 0.25);
            assert.deepEqual(lb.rules, [expectedRule(PATHS, origin.id)]);
            const { code, json } = await statusJson(world, "prod");
            assert.equal(json.apps[0]!.traffic, "partly-through-cequence");
            assert.equal(code, 0);
        });
    });

    it("changing the paths updates the rule in place, replacing nothing; then preview shows no changes", async () => {
        await inWorld("prod", withPaths(["/login"]), async (world) => {
            await world.stack.up();
            const before = objectIds(world.account, world.zone);
            // As docs/configuration.md tells users: one entry at a time, with `pulumi config set --path`.
            await configSetPath(world.run, "apps[0].paths[1]", "/api/*");
            await world.stack.up();
            assert.deepEqual(objectIds(world.account, world.zone), before, "nothing replaced");
            const { lb, origin } = held(world);
            assert.deepEqual(lb.rules, [expectedRule(PATHS, origin.id)]);
            await world.stack.preview({ expectNoChanges: true });
        });
    });

    it("removing paths removes the rule, replacing nothing; then the stack is the guide's again, with no change on the next preview", async () => {
        await inWorld("prod", withPaths(), async (world) => {
            await world.stack.up();
            const before = objectIds(world.account, world.zone);
            await pulumiCli(world.run, ["config", "rm", "--path", `${CONFIG_NAMESPACE}:apps[0].paths`]);
            await world.stack.up();
            assert.deepEqual(objectIds(world.account, world.zone), before, "nothing replaced");
            const { lb } = held(world);
            assert.equal(lb.rules, undefined, "Cloudflare holds no rule");
            await world.stack.preview({ expectNoChanges: true });
            await world.stack.refresh();
            await world.stack.preview({ expectNoChanges: true });
            const { code, json } = await statusJson(world, "prod");
            assert.deepEqual([json.apps[0]!.traffic, json.apps[0]!.drift], ["through-cequence", []]);
            assert.equal(code, 0);
        });
    });

    it("a rule disabled in the dashboard: refresh cannot see it, status can (through-cequence, drift, exit 2); the documented fix puts it back", async () => {
        await inWorld("prod", withPaths(), async (world) => {
            await world.stack.up();
            held(world).lb.rules![0]!.disabled = true;
            // The provider's read copies rules from its state: a refresh sees nothing to change.
            const preview = await world.stack.preview({ refresh: true });
            assert.equal(preview.changeSummary.update ?? 0, 0, "pulumi does not see the disabled rule");
            const disabled = await statusJson(world, "prod");
            assert.equal(disabled.json.apps[0]!.traffic, "through-cequence");
            assert.deepEqual(disabled.json.apps[0]!.drift.map((d) => d.kind), ["path-rule-disabled"]);
            assert.equal(disabled.code, 2);

            // docs/configuration.md, "Protect only some paths": take the paths out and put them back, one `pulumi up` each; in between, every request goes through Cequence.
            await pulumiCli(world.run, ["config", "rm", "--path", `${CONFIG_NAMESPACE}:apps[0].paths`]);
            await world.stack.up();
            assert.equal(held(world).lb.rules, undefined);
            await configSetPath(world.run, "apps[0].paths[0]", "/login");
            await configSetPath(world.run, "apps[0].paths[1]", "/api/*");
            await world.stack.up();
            assert.deepEqual(held(world).lb.rules, [expectedRule(PATHS, held(world).origin.id)]);
            const restored = await statusJson(world, "prod");
            assert.deepEqual([restored.json.apps[0]!.traffic, restored.json.apps[0]!.drift], ["through-cequence-for-paths", []]);
            assert.equal(restored.code, 0);
        });
    });
});
