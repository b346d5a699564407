/**
 * The real engine runs the compiled program with a stack's config: an
 * invalid config stops it before anything is registered or sent to
 * Cloudflare, with every problem named by its key. Needs the Pulumi CLI and
 * language host only, so it runs wherever `npm run engine` succeeded.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { CloudflareStandIn } from "../support/cloudflare/standIn";
import { ACCOUNT_ID, guideConfig, ZONE_ID } from "../support/stack";
import { engineStack, stateResources, type EngineRun } from "./support/engine";

describe("the real engine with an invalid config", () => {
    const standIn = new CloudflareStandIn();
    let run: EngineRun;

    before(async () => {
        await standIn.start();
        const account = standIn.state.addAccount(ACCOUNT_ID);
        standIn.state.addZone(account.id, "cq-route.com", ZONE_ID);
        const config = guideConfig();
        const [app] = config.apps as Array<Record<string, unknown>>;
        app!.origin = "https://origin-www.cq-route.com/";
        (config.cequence as Record<string, unknown>).trafficPercent = 0;
        run = await engineStack("invalid", config, standIn);
    });
    after(async () => {
        run?.project.remove();
        await standIn.stop();
    });

    it("fails `pulumi up`, naming every bad key, and registers nothing", async () => {
        await assert.rejects(run.stack.up({ onOutput: (text) => run.output.push(text) }), (error: Error) => {
            assert.match(error.message, /apps\[0\]\.origin/);
            assert.match(error.message, /cequence\.trafficPercent/);
            return true;
        });
        assert.deepEqual(await stateResources(run.stack), []);
        assert.deepEqual(standIn.served, [], "nothing may reach Cloudflare");
        assert.deepEqual(standIn.violations, []);
    });
});
