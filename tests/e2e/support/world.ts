/**
 * One end-to-end scenario's world: a fresh stand-in holding the config's
 * account and zone, and a new stack of the project run by the real engine.
 */
import assert from "node:assert/strict";
import type { Stack } from "@pulumi/pulumi/automation";
import { CloudflareStandIn } from "../../support/cloudflare/standIn";
import type { Account, Zone } from "../../support/cloudflare/store";
import type { ConfigObject } from "../../support/stack";
import { runInProcess } from "../../support/liveFixture";
import { status } from "../../../tools/live/status";
import { E2E_TOKEN, engineStack, requireResourcePlugins, type EngineRun } from "./engine";
import { bundledStackConfig, seedAccountAndZone } from "./held";

/** The guide's use case, as Pulumi.prod.yaml has it. */
export const HOST = "www.cq-route.com";
export const LB = "origin-www-lb.cq-route.com";
export const ORIGIN = "origin-www.cq-route.com";

export interface World {
    standIn: CloudflareStandIn;
    account: Account;
    zone: Zone;
    run: EngineRun;
    stack: Stack;
}

/**
 * Runs `body` with a fresh stand-in holding the config's empty account and
 * zone (changed by `seed`), and a new engine stack for the config; cleans up
 * after, and fails the test if the stand-in served anything off-schema.
 */
export async function inWorld(
    stackName: string,
    config: ConfigObject,
    body: (world: World) => Promise<void>,
    seed?: (world: Omit<World, "run" | "stack">) => void,
    /** The compiled program to start with (absolute path); this checkout's dist/ by default. */
    main?: string,
) {
    requireResourcePlugins();
    const standIn = new CloudflareStandIn();
    await standIn.start();
    const { account, zone } = seedAccountAndZone(standIn, config);
    seed?.({ standIn, account, zone });
    const run = await engineStack(stackName, config, standIn, main);
    try {
        await body({ standIn, account, zone, run, stack: run.stack });
        assert.deepEqual(standIn.violations, [], "the provider and the stand-in must both keep to Cloudflare's schema");
    } finally {
        run.project.remove();
        await standIn.stop();
    }
}

/** `pulumi up`, then the two checks of no perpetual diff: preview, and refresh then preview. */
export async function upWithNoPerpetualDiff(stack: Stack): Promise<void> {
    await stack.up();
    await stack.preview({ expectNoChanges: true });
    await stack.refresh();
    await stack.preview({ expectNoChanges: true });
}

/** `npm run status -- --json` on the world's stack, against its stand-in: the exit status and the document. */
export async function statusJson(world: World, stackName: string) {
    const result = await runInProcess(status, ["--stack", stackName, "--dir", world.run.project.workDir, "--json"], {
        CLOUDFLARE_API_TOKEN: E2E_TOKEN,
        CLOUDFLARE_BASE_URL: world.standIn.baseUrl,
    });
    return {
        code: result.code,
        json: JSON.parse(result.stdout) as { apps: Array<{ traffic: string; paths: string[] | null; drift: Array<{ kind: string; expected: string; actual: string }> }> },
    };
}

export function guide(changes: { cequence?: Record<string, unknown>; app?: Record<string, unknown>; extra?: ConfigObject } = {}): ConfigObject {
    const config = bundledStackConfig("prod");
    const [app] = config.apps as Array<Record<string, unknown>>;
    // `extra` last: a whole key given there (even `apps`) is what the stack gets.
    return {
        ...config,
        cequence: { ...(config.cequence as object), ...changes.cequence },
        apps: [{ ...app, ...changes.app }],
        ...changes.extra,
    };
}


/** `count` apps of the guide's shape, `app<i>.cq-route.com` behind `origin-app<i>.cq-route.com`. */
export function manyApps(count: number): Array<{ hostname: string; origin: string }> {
    return Array.from({ length: count }, (_, i) => ({ hostname: `app${i}.cq-route.com`, origin: `origin-app${i}.cq-route.com` }));
}
