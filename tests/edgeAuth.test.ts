/**
 * The secret edge-authentication header, its rotation, the adopted
 * ruleset, and that no secret is ever shown in plain text.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { describe, it } from "node:test";
import { stringify } from "yaml";
import fc from "fast-check";
import { edgeAuthRuleRef, legacyEdgeAuthRuleRef } from "../components/naming";
import { PROJECT_ROOT, runProgram, type ProgramRun } from "../tools/plan/mockEngine";
import { OFFLINE_CALLS } from "../tools/plan/offlineCalls";
import { guideConfig, named, ofType, runStack, toRaw, ZONE_ID, type ConfigObject } from "./support/stack";
import { RESOURCE_TYPES } from "../policy/resourceTypes";

const RULESET_ID = "abcdefabcdefabcdefabcdefabcdef12";
const OWN_REF = edgeAuthRuleRef("prod");

function withEdgeAuth(edgeAuth: Record<string, unknown>): ConfigObject {
    const config = guideConfig();
    config.edgeAuth = edgeAuth;
    (config.apps as unknown[]).push(
        { hostname: "api.cq-route.com", origin: "origin-api.cq-route.com", routing: "origin" },
        { hostname: "direct.cq-route.com", origin: "origin-direct.cq-route.com", routing: "cequence" },
    );
    return config;
}

function secrets(run: ProgramRun): { a: string; b: string } {
    const [a, b] = ["edge-auth-secret-a", "edge-auth-secret-b"].map((name) => named(run, name));
    const result = (resource: typeof a) => String(resource!.computed.result);
    assert.ok(a && b);
    return { a: result(a), b: result(b) };
}

/** The secret values as the stack's outputs and resources carry them. */
async function secretValues(run: ProgramRun): Promise<string[]> {
    const rule = ((named(run, "edge-auth-ruleset").unmaskedInputs.rules as Array<{ actionParameters: { headers: Record<string, { value: string }> } }>))[0]!;
    return Object.values(rule.actionParameters.headers).map((h) => h.value);
}

describe("edge authentication", async () => {
    const run = await runStack(withEdgeAuth({}));

    it("creates two header-safe random secrets of at least 32 characters, kept until their rotation changes", () => {
        const passwords = ofType(run, RESOURCE_TYPES.randomPassword);
        assert.deepEqual(passwords.map((p) => p.name).sort(), ["edge-auth-secret-a", "edge-auth-secret-b"]);
        for (const password of passwords) {
            assert.ok((password.inputs.length as number) >= 32);
            assert.equal(password.inputs.special, false);
            assert.deepEqual(password.inputs.keepers, { rotation: "0" });
        }
    });

    it("names its rule per stack, so stacks sharing a zone keep each other's rule", () => {
        assert.equal(OWN_REF, "cloudflare_cequence_edge_auth_prod");
        assert.notEqual(edgeAuthRuleRef("staging"), OWN_REF);
    });

    it("gives every stack name a ref of its own (prod.eu, prod_eu and PROD-EU shared one)", () => {
        assert.equal(new Set(["prod.eu", "prod_eu", "PROD-EU", "prod-eu"].map(edgeAuthRuleRef)).size, 4);
        const stackName = fc.stringMatching(/^[A-Za-z0-9._-]{1,40}$/);
        fc.assert(fc.property(stackName, stackName, (a, b) => a === b || edgeAuthRuleRef(a) !== edgeAuthRuleRef(b)));
    });

    it("keeps the ref of a stack whose name has only lower-case letters, digits and _", () => {
        fc.assert(fc.property(fc.stringMatching(/^[a-z0-9_]{1,40}$/), (stack) => edgeAuthRuleRef(stack) === legacyEdgeAuthRuleRef(stack)));
    });

    it("sets the active secret on every public hostname, and on nothing else", async () => {
        const [ruleset] = ofType(run, RESOURCE_TYPES.ruleset);
        assert.ok(ruleset);
        assert.deepEqual(
            { kind: ruleset.inputs.kind, phase: ruleset.inputs.phase, zoneId: ruleset.inputs.zoneId },
            { kind: "zone", phase: "http_request_late_transform", zoneId: ZONE_ID },
        );
        const rules = ruleset.unmaskedInputs.rules as Array<Record<string, unknown>>;
        assert.equal(rules.length, 1);
        const [rule] = rules;
        assert.equal(rule!.ref, OWN_REF);
        assert.equal(rule!.action, "rewrite");
        assert.equal(rule!.expression, '(http.host in {"api.cq-route.com" "direct.cq-route.com" "www.cq-route.com"})');
        for (const notPublic of ["origin-www.cq-route.com", "origin-www-lb.cq-route.com", "cq-route.example.cequence.ai"]) {
            assert.ok(!String(rule!.expression).includes(notPublic));
        }
        assert.deepEqual(rule!.actionParameters, { headers: { "X-Edge-Auth": { operation: "set", value: secrets(run).a } } });
        assert.equal(ruleset.retainOnDelete, true);
        assert.equal(ruleset.importId, "");
    });

    it("has both monitors of each load-balanced app send the same header", () => {
        const { a } = secrets(run);
        for (const monitor of ofType(run, RESOURCE_TYPES.monitor)) {
            const header = monitor.unmaskedInputs.header as Record<string, string[]>;
            assert.deepEqual(header["X-Edge-Auth"], [a]);
            assert.equal(header.Host!.length, 1);
        }
        assert.equal(ofType(run, RESOURCE_TYPES.monitor).length, 4);
    });

    it("outputs the header name and active slot in plain text, and the secrets only as secrets", async () => {
        assert.deepEqual(run.outputs.edgeAuth, { headerName: "X-Edge-Auth", active: "a" });
        assert.deepEqual(run.secretOutputs, ["edgeAuthSecrets"]);
        const shown = JSON.stringify({ outputs: run.outputs, inputs: run.resources.map((r) => r.inputs), warnings: run.warnings });
        for (const value of [...(await secretValues(run)), secrets(run).a, secrets(run).b]) {
            assert.ok(!shown.includes(value), "a secret value appears in plain text");
        }
    });
});

describe("rotation", () => {
    it("active: b sends slot b's secret", async () => {
        const run = await runStack(withEdgeAuth({ active: "b" }));
        assert.deepEqual(await secretValues(run), [secrets(run).b]);
        assert.deepEqual(run.outputs.edgeAuth, { headerName: "X-Edge-Auth", active: "b" });
    });

    it("bumping a slot's rotation changes only that slot's keepers and secret", async () => {
        const before = await runStack(withEdgeAuth({}));
        const after = await runStack(withEdgeAuth({ rotation: { b: 1 } }));
        assert.deepEqual(named(after, "edge-auth-secret-a").inputs.keepers, { rotation: "0" });
        assert.deepEqual(named(after, "edge-auth-secret-b").inputs.keepers, { rotation: "1" });
        assert.equal(secrets(after).a, secrets(before).a);
        assert.notEqual(secrets(after).b, secrets(before).b);
    });
});

describe("adopting an existing ruleset", () => {
    const otherTeamsRule = {
        id: "2c0fc9fa937b11eaa1b71c4d701ab86e",
        ref: "2c0fc9fa937b11eaa1b71c4d701ab86e",
        description: "Add a header for the marketing site",
        expression: '(http.host eq "blog.cq-route.com")',
        action: "rewrite",
        actionParameters: { headers: { "X-Site": { operation: "set", value: "blog", expression: "", cloudflareOnly: false } } },
        enabled: true,
    };
    const liveRuleset = (rules: unknown[]) => ({
        "cloudflare:index/getRuleset:getRuleset": (inputs: Record<string, unknown>) => ({
            ...OFFLINE_CALLS["cloudflare:index/getRuleset:getRuleset"]!(inputs),
            rules,
        }),
    });

    it("imports it and keeps every rule the stack did not create, replacing only its own", async () => {
        const staleOwnRule = { ...otherTeamsRule, id: "x", ref: OWN_REF, expression: "(stale)" };
        const stagingRule = { ...otherTeamsRule, id: "y", ref: edgeAuthRuleRef("staging"), expression: '(http.host in {"staging.cq-route.com"})' };
        const run = await runStack(withEdgeAuth({ existingRulesetId: RULESET_ID }), "prod", liveRuleset([otherTeamsRule, stagingRule, staleOwnRule]));
        const ruleset = named(run, "edge-auth-ruleset");
        assert.equal(ruleset.importId, `zones/${ZONE_ID}/${RULESET_ID}`);
        assert.equal(ruleset.retainOnDelete, true);
        const rules = ruleset.unmaskedInputs.rules as Array<Record<string, unknown>>;
        assert.deepEqual(rules.map((r) => r.ref), [otherTeamsRule.ref, stagingRule.ref, OWN_REF]);
        assert.deepEqual(rules[0], {
            ref: otherTeamsRule.ref,
            description: otherTeamsRule.description,
            expression: otherTeamsRule.expression,
            action: "rewrite",
            actionParameters: { headers: otherTeamsRule.actionParameters.headers },
            enabled: true,
        });
        assert.ok(!String(rules[2]!.expression).includes("stale"));
        assert.equal(ruleset.inputs.rules, "[secret]", "other teams' header values stay secret in this stack");
        // `id`, not the deprecated `rulesetId`, which the provider refuses with "Attribute Deprecated: Configure id instead".
        assert.deepEqual(run.calls.find((c) => c.token.endsWith("getRuleset"))?.inputs, { zoneId: ZONE_ID, id: RULESET_ID });
    });

    // `name` forces replacement in the provider, and the engine refuses to replace an imported resource.
    it("takes the ruleset's name and description from the ruleset it reads, so adoption never replaces it", async () => {
        const teamsRuleset = {
            "cloudflare:index/getRuleset:getRuleset": (inputs: Record<string, unknown>) => ({
                ...OFFLINE_CALLS["cloudflare:index/getRuleset:getRuleset"]!(inputs),
                name: "Web team transforms",
                description: "Owned by the web team; ask #web before editing",
                rules: [otherTeamsRule],
            }),
        };
        const ruleset = named(await runStack(withEdgeAuth({ existingRulesetId: RULESET_ID }), "prod", teamsRuleset), "edge-auth-ruleset");
        assert.deepEqual(
            { name: ruleset.inputs.name, description: ruleset.inputs.description, kind: ruleset.inputs.kind, phase: ruleset.inputs.phase },
            { name: "Web team transforms", description: "Owned by the web team; ask #web before editing", kind: "zone", phase: "http_request_late_transform" },
        );
    });
});

describe("the zone's ruleset, made by this stack and shared since", () => {
    const RULESET = { id: "0123abcd0123abcd0123abcd0123abcd", kind: "zone", phase: "http_request_late_transform", name: "default", description: "Request header transform rules" };
    /** Another team's rule with every field a request-header rule has, as the provider reads it back. */
    const teamsRule = {
        id: "2c0fc9fa937b11eaa1b71c4d701ab86e",
        ref: "web_team_headers",
        description: "Headers for the marketing site",
        expression: '(http.host eq "blog.cq-route.com")',
        action: "rewrite",
        actionParameters: {
            headers: {
                "X-Site": { operation: "set", value: "blog" },
                "X-Visitor-Country": { operation: "set", expression: "ip.src.country" },
                "X-Debug": { operation: "remove" },
            },
        },
        enabled: false,
        logging: { enabled: true },
        categories: null,
        exposedCredentialCheck: null,
        ratelimit: null,
    };
    const liveZone = (rules: unknown[]) => ({
        "cloudflare:index/getRulesets:getRulesets": () => ({ id: ZONE_ID, rulesets: [{ ...RULESET, version: "4", lastUpdated: "" }] }),
        "cloudflare:index/getRuleset:getRuleset": (inputs: Record<string, unknown>) => ({ ...RULESET, id: inputs.id, zoneId: ZONE_ID, version: "4", lastUpdated: "", rules }),
    });
    const ownLive = { ...teamsRule, id: "3".repeat(32), ref: OWN_REF, expression: "(stale)", logging: null, enabled: true };

    it("carries every other rule over on every run, with every field, in its place, and its own rule in its own place", async () => {
        const stagingRule = { ...teamsRule, id: "4".repeat(32), ref: edgeAuthRuleRef("staging"), expression: '(http.host in {"staging.cq-route.com"})', logging: null };
        const run = await runStack(withEdgeAuth({}), "prod", liveZone([teamsRule, ownLive, stagingRule]));
        const ruleset = named(run, "edge-auth-ruleset");
        assert.equal(ruleset.importId, "", "the stack's own ruleset is not imported");
        const rules = ruleset.unmaskedInputs.rules as Array<Record<string, unknown>>;
        assert.deepEqual(rules.map((r) => r.ref), [teamsRule.ref, OWN_REF, stagingRule.ref], "nobody's rule moves");
        assert.deepEqual(rules[0], {
            ref: teamsRule.ref,
            description: teamsRule.description,
            expression: teamsRule.expression,
            action: "rewrite",
            actionParameters: teamsRule.actionParameters,
            enabled: false,
            logging: { enabled: true },
        });
        assert.equal(rules[1]!.expression, '(http.host in {"api.cq-route.com" "direct.cq-route.com" "www.cq-route.com"})');
        assert.equal(rules.filter((r) => r.ref === OWN_REF).length, 1);
        assert.equal(ruleset.inputs.rules, "[secret]", "other teams' header values stay secret in this stack");
        assert.deepEqual(
            run.calls.filter((c) => c.token.includes("getRuleset")).map((c) => c.inputs),
            [{ zoneId: ZONE_ID }, { zoneId: ZONE_ID, id: RULESET.id }, { zoneId: ZONE_ID }, { zoneId: ZONE_ID, id: RULESET.id }],
            "read to check before anything is registered, then again for what it writes",
        );
    });

    it("creates the zone's ruleset, with its rule alone, when the zone has none", async () => {
        const ruleset = named(await runStack(withEdgeAuth({})), "edge-auth-ruleset");
        assert.deepEqual((ruleset.unmaskedInputs.rules as Array<Record<string, unknown>>).map((r) => r.ref), [OWN_REF]);
        assert.deepEqual({ name: ruleset.inputs.name, description: ruleset.inputs.description }, { name: "default", description: "Request header transform rules" });
    });

    it("takes the rule of its former ref as its own only when it covers exactly its hostnames", async () => {
        const stack = "prod-eu";
        const ownExpression = '(http.host in {"api.cq-route.com" "direct.cq-route.com" "www.cq-route.com"})';
        const formerOwn = { ...teamsRule, id: "5".repeat(32), ref: legacyEdgeAuthRuleRef(stack), expression: ownExpression, logging: null };
        const othersOfFormerRef = { ...formerOwn, id: "6".repeat(32), expression: '(http.host in {"eu.cq-route.com"})' };
        const run = await runStack(withEdgeAuth({}), stack, liveZone([formerOwn, othersOfFormerRef]));
        const rules = named(run, "edge-auth-ruleset").unmaskedInputs.rules as Array<Record<string, unknown>>;
        assert.deepEqual(
            rules.map((r) => [r.ref, r.expression]),
            [
                [edgeAuthRuleRef(stack), ownExpression],
                [legacyEdgeAuthRuleRef(stack), othersOfFormerRef.expression],
            ],
        );
    });
});

describe("bad edgeAuth values register nothing and name the key", () => {
    const cases: Array<[string, Record<string, unknown>, RegExp]> = [
        ["a header name with a space", { headerName: "X Edge" }, /edgeAuth\.headerName: must be 1–64 letters, digits, - or _/],
        ["a cf- header name", { headerName: "cf-edge-auth" }, /edgeAuth\.headerName: must not start with cf- or x-cf-/],
        ["an x-cf- header name", { headerName: "X-CF-Auth" }, /edgeAuth\.headerName: must not start with cf- or x-cf-/],
        ["Host as the header name", { headerName: "host" }, /edgeAuth\.headerName: must not be host, x-forwarded-for, true-client-ip, x-real-ip/],
        ["a visitor-IP header name", { headerName: "X-Forwarded-For" }, /edgeAuth\.headerName: must not be host/],
        ["an unknown active slot", { active: "c" }, /edgeAuth\.active: must be "a" or "b"/],
        ["a negative rotation", { rotation: { a: -1 } }, /edgeAuth\.rotation\.a: must be at least 0/],
        ["a fractional rotation", { rotation: { b: 1.5 } }, /edgeAuth\.rotation\.b: must be a whole number/],
        ["an unknown rotation slot", { rotation: { c: 1 } }, /edgeAuth\.rotation\.c: unknown key/],
        ["an ill-formed existingRulesetId", { existingRulesetId: "ruleset-1" }, /edgeAuth\.existingRulesetId: must be a 32-character/],
    ];
    for (const [what, edgeAuth, expected] of cases) {
        it(what, async () => {
            const run = await runProgram({ stack: "prod", config: toRaw(withEdgeAuth(edgeAuth)), calls: OFFLINE_CALLS });
            assert.match(String(run.error?.message), expected);
            assert.deepEqual(run.resources, []);
        });
    }
});

describe("plan never shows a secret", () => {
    it("masks the header value in text and JSON", async () => {
        const config = withEdgeAuth({});
        const run = await runStack(config);
        const values = [secrets(run).a, secrets(run).b];
        const dir = mkdtempSync(path.join(tmpdir(), "edge-"));
        const stackConfig = Object.fromEntries(Object.entries(config).map(([k, v]) => [`cloudflare-cequence:${k}`, v]));
        writeFileSync(path.join(dir, "Pulumi.edge.yaml"), stringify({ config: stackConfig }));
        const tsx = path.join(PROJECT_ROOT, "node_modules", "tsx", "dist", "cli.mjs");
        for (const extra of [[], ["--json"]]) {
            const result = spawnSync(process.execPath, [tsx, path.join(PROJECT_ROOT, "tools/plan/plan.ts"), "--stack", "edge", "--dir", dir, ...extra], { encoding: "utf8" });
            assert.equal(result.status, 0, result.stderr);
            assert.match(result.stdout, /X-Edge-Auth/);
            for (const value of values) assert.ok(!result.stdout.includes(value) && !result.stderr.includes(value));
        }
    });
});
