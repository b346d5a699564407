/**
 * The policy pack run by the real engine (`pulumi preview --policy-pack
 * policy`): it passes the bundled stack and stops a consumer's program that
 * breaks one of the guide's invariants, naming the rule.
 */
import assert from "node:assert/strict";
import * as path from "node:path";
import { describe, it } from "node:test";
import * as cloudflare from "@pulumi/cloudflare";
import { LocalWorkspace, PulumiCommand } from "@pulumi/pulumi/automation";
import { E2E_TOKEN, engine } from "./support/engine";
import { bundledStackConfig } from "./support/held";
import { REPO_ROOT } from "./support/pulumiProject";
import { guide, inWorld } from "./support/world";

const POLICY_PACK = path.join(REPO_ROOT, "policy");

describe("the policy pack, run by the real engine", () => {
    it("passes the bundled prod stack", async () => {
        await inWorld("prod", bundledStackConfig("prod"), async ({ stack }) => {
            await stack.preview({ policyPacks: [POLICY_PACK] });
        });
    });

    it("passes a stack with paths, whose load balancer rule sends the rest to the origin, before and after up", async () => {
        await inWorld("prod", guide({ app: { paths: ["/login", "/api/*"] } }), async ({ stack }) => {
            await stack.preview({ policyPacks: [POLICY_PACK] });
            await stack.up();
            await stack.preview({ policyPacks: [POLICY_PACK] });
        });
    });

    it("fails a consumer program whose load balancer is not proxied, naming the rule", async () => {
        const config = bundledStackConfig("prod");
        await inWorld("consumer", config, async ({ run, standIn }) => {
            // An inline program in this process: a consumer composing Cloudflare resources by hand.
            const consumer = await LocalWorkspace.createStack(
                {
                    stackName: "consumer",
                    projectName: "consumer",
                    program: async () => {
                        new cloudflare.LoadBalancer("lb", {
                            zoneId: String(config.zoneId),
                            name: "origin-www-lb.cq-route.com",
                            defaultPools: ["0123456789abcdef0123456789abcdef"],
                            fallbackPool: "0123456789abcdef0123456789abcdef",
                            steeringPolicy: "off",
                            proxied: false,
                        });
                    },
                },
                { envVars: run.env, pulumiHome: engine().env.PULUMI_HOME, pulumiCommand: await PulumiCommand.get({ root: path.dirname(engine().binDir) }) },
            );
            await consumer.setConfig("cloudflare:apiToken", { value: E2E_TOKEN, secret: true });
            await consumer.setConfig("cloudflare:baseUrl", { value: standIn.baseUrl });
            await assert.rejects(consumer.preview({ policyPacks: [POLICY_PACK] }), /load-balancer-proxied/);
        });
    });
});
