/**
 * Runs the program in a scenario that must fail, in a process of its own:
 * the SDK leaves such failures as unhandled rejections, which node:test
 * would pin on whichever test runs next. Prints the run's error; exits 1 if
 * the run failed, 0 if it did not.
 */
import { runProgram, type CallHandlers } from "../../tools/plan/mockEngine";
import { OFFLINE_CALLS } from "../../tools/plan/offlineCalls";
import { guideConfig, toRaw, ZONE_ID } from "./stack";

const SCENARIOS: Record<string, { config: Record<string, unknown>; calls: CallHandlers }> = {
    /** The mocks answer no provider function at all. */
    "unknown-call": { config: guideConfig(), calls: {} },
    /** The zone already has the transform Cloudflare refuses alongside True-Client-IP. */
    "conflicting-transform": {
        config: { ...guideConfig(), trueClientIp: true },
        calls: {
            ...OFFLINE_CALLS,
            "cloudflare:index/getManagedTransforms:getManagedTransforms": () => ({
                id: ZONE_ID,
                managedRequestHeaders: [{ id: "remove_visitor_ip_headers", enabled: true }],
                managedResponseHeaders: [],
            }),
        },
    },
};

const scenario = SCENARIOS[process.argv[2] ?? ""];
if (!scenario) throw new Error(`unknown scenario; one of: ${Object.keys(SCENARIOS).join(", ")}`);
void runProgram({ stack: "prod", config: toRaw(scenario.config), calls: scenario.calls }).then((run) => {
    process.stdout.write(`${run.error?.message ?? "no error"}\n`);
    process.exitCode = run.error ? 1 : 0;
});
