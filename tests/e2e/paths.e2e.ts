/**
 * `apps[].paths` through the real engine and provider: `up` with paths, no
 * perpetual diff, how the deployed rule routes the variants of a listed path,
 * the paths changed in place, a stack deployed with the earlier exact rule
 * updated in place, the paths removed, and `status` after the rule is
 * disabled in the "dashboard". Every assertion is on what the Cloudflare
 * stand-in holds, or on what `status` reads from it.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { EngineEvent } from "@pulumi/pulumi/automation";
import { PATH_RULE, pathRuleCondition, protectedPathsExpression } from "../../components/paths";
import { CONFIG_NAMESPACE } from "../../config/rawConfig";
import { evaluatePathExpression } from "../support/pathExpression";
import { configSetPath, pulumiCli } from "./support/engine";
import { heldApp, objectIds } from "./support/held";
import { programAtCommit } from "./support/programAtCommit";
import { currentProgram, useProgram } from "./support/pulumiProject";
import { guide, HOST, inWorld, LB, statusJson, upWithNoPerpetualDiff, type World } from "./support/world";

/** The last commit whose rule matched the listed paths exactly and case-sensitively. */
const BEFORE_PATH_VARIANTS = "6cb80658c79dfae75bd7629089944193c2c0bccd";

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

    it("the deployed rule sends every variant of a listed path through Cequence, and only those: /LOGIN, /login/, /api, /API/v1 stay on [Cequence, origin]; /loginx, /apix, /static/login.js go to the origin", async () => {
        await inWorld("prod", withPaths(), async (world) => {
            await world.stack.up();
            const { lb, origin } = held(world);
            const [rule] = lb.rules!;
            assert.deepEqual(rule!.overrides, { default_pools: [origin.id], fallback_pool: origin.id });
            // The rule's condition true: the request goes to the rule's pools, the origin alone; false: the load balancer's own, Cequence first.
            const toOrigin = (path: string) => evaluatePathExpression(rule!.condition!, path);
            for (const path of ["/login", "/LOGIN", "/Login", "/login/", "/LOGIN/", "/api", "/API", "/api/", "/API/v1", "/api/Users/7"]) {
                assert.equal(toOrigin(path), false, `${path} must go through Cequence`);
            }
            for (const path of ["/loginx", "/login//", "/apix", "/static/login.js", "/v2/login", "/"]) {
                assert.equal(toOrigin(path), true, `${path} must go straight to the origin`);
            }
        });
    });

    it("a stack deployed with the earlier exact, case-sensitive rule: the next up updates the load balancer's rule in place, nothing else changes or is replaced", async () => {
        await inWorld(
            "prod",
            withPaths(),
            async (world) => {
                await world.stack.up();
                const deployed = objectIds(world.account, world.zone);
                assert.equal(held(world).lb.rules![0]!.condition, 'not (http.request.uri.path in {"/login"} or http.request.uri.path matches "^/api/")', "deployed by the old program");

                useProgram(world.run.project, currentProgram());
                const planned: Array<{ op: string; type: string }> = [];
                const onEvent = (event: EngineEvent) => {
                    const step = event.resourcePreEvent?.metadata;
                    if (step && step.op !== "same") planned.push({ op: step.op, type: step.type });
                };
                await world.stack.preview({ onEvent });
                assert.deepEqual(planned, [{ op: "update", type: "cloudflare:index/loadBalancer:LoadBalancer" }]);
                await world.stack.up();
                assert.deepEqual(objectIds(world.account, world.zone), deployed, "nothing created, replaced or deleted");
                assert.deepEqual(held(world).lb.rules, [expectedRule(PATHS, held(world).origin.id)]);
                await world.stack.preview({ expectNoChanges: true });
            },
            undefined,
            programAtCommit(BEFORE_PATH_VARIANTS),
        );
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
