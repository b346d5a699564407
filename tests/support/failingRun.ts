/**
 * Runs the program in a scenario that must fail, in a process of its own:
 * the SDK leaves such failures as unhandled rejections, which node:test
 * would pin on whichever test runs next. Prints the run's error, then a line
 * `registered: <names>` of the resources (not components) it registered;
 * exits 1 if the run failed, 0 if it did not.
 */
import { runProgram, type CallHandlers } from "../../tools/plan/mockEngine";
import { OFFLINE_CALLS } from "../../tools/plan/offlineCalls";
import { guideConfig, toRaw, ZONE_ID } from "./stack";

/** A ruleset the zone has, that another stack or team made. */
const OTHER_TEAMS_RULESET_ID = "0000aaaa0000aaaa0000aaaa0000aaaa";

/** The zone's rulesets as Cloudflare lists them: its request-header transform entrypoint, made by someone else. */
const zoneWithOthersRuleset: CallHandlers = {
    ...OFFLINE_CALLS,
    "cloudflare:index/getRulesets:getRulesets": () => ({
        id: ZONE_ID,
        rulesets: [{ id: OTHER_TEAMS_RULESET_ID, kind: "zone", phase: "http_request_late_transform", name: "Web team", description: "", version: "3", lastUpdated: "" }],
    }),
    "cloudflare:index/getRuleset:getRuleset": (inputs) => ({
        ...OFFLINE_CALLS["cloudflare:index/getRuleset:getRuleset"]!(inputs),
        name: "Web team",
        rules: [{ id: "1".repeat(32), ref: "web_team_site_header", expression: "true", action: "rewrite", enabled: true, description: "", actionParameters: {} }],
    }),
};

/** The zone already has the transform Cloudflare refuses alongside True-Client-IP. */
const zoneWithConflictingTransform: CallHandlers = {
    ...OFFLINE_CALLS,
    "cloudflare:index/getManagedTransforms:getManagedTransforms": () => ({
        id: ZONE_ID,
        managedRequestHeaders: [{ id: "remove_visitor_ip_headers", enabled: true }],
        managedResponseHeaders: [],
    }),
};

/** The guide's stack with edge authentication (and True-Client-IP when asked), load-balanced. */
const withEdgeAuth = (extra: Record<string, unknown> = {}) => ({ ...guideConfig(), edgeAuth: {}, ...extra });

const SCENARIOS: Record<string, { config: Record<string, unknown>; calls: CallHandlers }> = {
    /** The mocks answer no provider function at all. */
    "unknown-call": { config: guideConfig(), calls: {} },
    /** The zone already has the transform Cloudflare refuses alongside True-Client-IP. */
    "conflicting-transform": {
        config: { ...guideConfig(), trueClientIp: true },
        calls: zoneWithConflictingTransform,
    },
    /** The zone has a request-header transform ruleset that another stack made, and the stack sets no existingRulesetId. */
    "others-ruleset": { config: withEdgeAuth(), calls: zoneWithOthersRuleset },
    /** The adopted ruleset cannot be read (the token lacks the permission, or the ID is wrong). */
    "unreadable-ruleset": {
        config: withEdgeAuth({ edgeAuth: { existingRulesetId: OTHER_TEAMS_RULESET_ID } }),
        calls: {
            ...OFFLINE_CALLS,
            "cloudflare:index/getRuleset:getRuleset": () => {
                throw new Error("Authentication error (10000)");
            },
        },
    },
    /** existingRulesetId names a ruleset of another phase. */
    "wrong-phase-ruleset": {
        config: withEdgeAuth({ edgeAuth: { existingRulesetId: OTHER_TEAMS_RULESET_ID } }),
        calls: {
            ...OFFLINE_CALLS,
            "cloudflare:index/getRuleset:getRuleset": (inputs) => ({ ...OFFLINE_CALLS["cloudflare:index/getRuleset:getRuleset"]!(inputs), phase: "http_request_firewall_custom" }),
        },
    },
    /** Edge authentication fine, True-Client-IP in conflict: the edge-authentication rule must not be written either. */
    "conflicting-transform-with-edge-auth": {
        config: withEdgeAuth({ trueClientIp: true }),
        calls: zoneWithConflictingTransform,
    },
};

const scenario = SCENARIOS[process.argv[2] ?? ""];
if (!scenario) throw new Error(`unknown scenario; one of: ${Object.keys(SCENARIOS).join(", ")}`);
void runProgram({ stack: "prod", config: toRaw(scenario.config), calls: scenario.calls }).then((run) => {
    process.stdout.write(`${run.error?.message ?? "no error"}\n`);
    process.stdout.write(`registered: ${run.resources.filter((r) => r.custom).map((r) => r.name).join(", ")}\n`);
    process.exitCode = run.error ? 1 : 0;
});
