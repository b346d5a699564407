/**
 * The aliases, proven with the real engine: in stacks deployed by the program
 * before ProtectedHostname grouped each hostname's resources under one
 * component, today's program changes no Cloudflare resource. Its first
 * preview shows one change per hostname, the creation of the new
 * ProtectedHostname component itself (a component is a resource of the
 * state with nothing in Cloudflare, and no earlier resource to alias); its
 * first `up` moves every resource to its new URN without a request that
 * writes to Cloudflare, and the preview after it shows no changes.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { EngineEvent } from "@pulumi/pulumi/automation";
import type { CloudflareStandIn } from "../support/cloudflare/standIn";
import { URN_CONFIGS } from "../support/urnConfigs";
import { stateResources } from "./support/engine";
import { objectIds } from "./support/held";
import { programAtCommit } from "./support/programAtCommit";
import { currentProgram, useProgram } from "./support/pulumiProject";
import { inWorld } from "./support/world";

/**
 * The commit that pinned the URNs in tests/fixtures, before ProtectedHostname (3022c40): every
 * resource a direct child of a per-role component. (The commits between it and 3022c40 do not
 * build: their index.ts imports a config/naming.ts that had moved to components/.)
 */
const BEFORE_PROTECTED_HOSTNAME = "cb8ee2d496699145b1babc35241529f85705d6d7";
const PROTECTED_HOSTNAME = "cloudflare-cequence:index:ProtectedHostname";

/** Requests that change something in Cloudflare, of all the stand-in served. */
function writes(standIn: CloudflareStandIn): number {
    return standIn.served.filter((request) => request.method !== "GET").length;
}

describe("stacks deployed before ProtectedHostname, run by today's program", () => {
    const before = programAtCommit(BEFORE_PROTECTED_HOSTNAME);

    for (const [label, config] of Object.entries(URN_CONFIGS)) {
        it(`${label}: no Cloudflare resource changes, up moves URNs only, then no changes at all`, async () => {
            await inWorld(
                "prod",
                config,
                async ({ standIn, account, zone, run, stack }) => {
                    await stack.up();
                    const deployed = objectIds(account, zone);
                    assert.equal((await stateResources(stack)).some((r) => r.type === PROTECTED_HOSTNAME), false, "deployed by the old program");

                    useProgram(run.project, currentProgram());
                    const planned: Array<{ op: string; type: string }> = [];
                    const onEvent = (event: EngineEvent) => {
                        const step = event.resourcePreEvent?.metadata;
                        if (step && step.op !== "same") planned.push({ op: step.op, type: step.type });
                    };
                    await stack.preview({ onEvent });
                    assert.ok(planned.length > 0);
                    assert.deepEqual(planned.filter((step) => !(step.op === "create" && step.type === PROTECTED_HOSTNAME)), [], "only the new components are created");
                    const writesBefore = writes(standIn);
                    await stack.up();
                    assert.equal(writes(standIn), writesBefore, "the move writes nothing to Cloudflare");
                    assert.deepEqual(objectIds(account, zone), deployed, "nothing created, replaced or deleted in Cloudflare");
                    assert.ok((await stateResources(stack)).some((r) => r.type === PROTECTED_HOSTNAME), "the state now holds the new URNs");
                    await stack.preview({ expectNoChanges: true });
                },
                undefined,
                before,
            );
        });
    }
});
