/**
 * The objects a zone has one of and other teams use too: the
 * late-transform ruleset (edge authentication) and the managed transforms
 * (True-Client-IP). The stack adopts them, changes only its own part, and
 * leaves them in place on destroy.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { edgeAuthRuleRef } from "../../components/naming";
import type { CloudflareStandIn } from "../support/cloudflare/standIn";
import type { Rule, Zone } from "../support/cloudflare/store";
import { engineStack } from "./support/engine";
import { bundledStackConfig } from "./support/held";
import { guide, HOST, inWorld } from "./support/world";

const PHASE = "http_request_late_transform";

const OTHER_TEAMS_RULE = {
    ref: "web_team_site_header",
    description: "Add a header for the marketing site",
    expression: '(http.host eq "blog.cq-route.com")',
    action: "rewrite",
    action_parameters: { headers: { "X-Site": { operation: "set", value: "blog" } } },
    enabled: true,
};

/** The rule as the other team wrote it, without what the server sets. */
function asWritten(rule: Rule | undefined) {
    if (!rule) return undefined;
    const { id: _id, version: _version, last_updated: _updated, ...written } = rule;
    return written;
}

describe("edge authentication in the zone's shared ruleset", () => {
    it("adopts a ruleset with another team's rule and its own name, without replacing it, and keeps that rule through a rotation", async () => {
        let rulesetId = "";
        const seed = ({ standIn, zone }: { standIn: CloudflareStandIn; zone: Zone }) => {
            const ruleset = standIn.invoke(
                "updateZoneEntrypointRuleset",
                { zone_id: zone.id, ruleset_phase: PHASE },
                { name: "Web team transforms", description: "Owned by the web team", rules: [OTHER_TEAMS_RULE] },
            ) as { id: string };
            rulesetId = ruleset.id;
        };
        const edgeAuth = (extra: Record<string, unknown>) => JSON.stringify({ existingRulesetId: rulesetId, ...extra });
        await inWorld(
            "prod",
            guide(),
            async ({ zone, stack }) => {
                const otherRule = () => asWritten(zone.rulesets.find((r) => r.id === rulesetId)?.rules.find((rule) => rule.ref === OTHER_TEAMS_RULE.ref));
                const before = otherRule();
                const steps = [edgeAuth({}), edgeAuth({ rotation: { a: 0, b: 1 } }), edgeAuth({ rotation: { a: 0, b: 1 }, active: "b" })];
                for (const step of steps) {
                    await stack.setConfig("cloudflare-cequence:edgeAuth", { value: step });
                    await stack.up();
                    const rulesets = zone.rulesets.filter((r) => r.phase === PHASE);
                    assert.deepEqual(rulesets.map((r) => r.id), [rulesetId], "adopted, never replaced");
                    assert.equal(rulesets[0]!.name, "Web team transforms");
                    assert.deepEqual(otherRule(), before, `the other team's rule is unchanged after ${step}`);
                    assert.ok(rulesets[0]!.rules.some((rule) => rule.ref === edgeAuthRuleRef("prod")));
                    await stack.preview({ expectNoChanges: true });
                }
            },
            seed,
        );
    });
});

describe("edge authentication in a ruleset this stack made and others share", () => {
    it("stack A creates the ruleset, stack B adopts it and adds its rule, a team adds one by hand; A rotates and both rules stay, every field as it was", async () => {
        // A header rule with every field a request-header rule takes, as a team would write it in the dashboard.
        const teamsRule = {
            ref: "web_team_headers",
            description: "Headers for the marketing site",
            expression: '(http.host eq "blog.cq-route.com")',
            action: "rewrite",
            action_parameters: {
                headers: {
                    "X-Site": { operation: "set", value: "blog" },
                    "X-Visitor-Country": { operation: "set", expression: "ip.src.country" },
                    "X-Debug": { operation: "remove" },
                },
            },
            enabled: false,
        };
        await inWorld("prod", guide({ extra: { edgeAuth: {} } }), async ({ standIn, zone, stack }) => {
            const entrypoint = () => zone.rulesets.filter((r) => r.phase === PHASE);
            const ruleOf = (ref: string) => {
                const rule = entrypoint()[0]?.rules.find((r) => r.ref === ref);
                if (!rule) return undefined;
                const { version: _version, last_updated: _updated, ...held } = rule;
                return held;
            };
            await stack.up();
            assert.equal(entrypoint().length, 1, "stack A created the zone's ruleset");
            const rulesetId = entrypoint()[0]!.id;

            const staging = bundledStackConfig("staging");
            const b = await engineStack("staging", { ...staging, edgeAuth: { existingRulesetId: rulesetId } }, standIn);
            try {
                await b.stack.up();
                const rulesB = ruleOf(edgeAuthRuleRef("staging"));
                assert.ok(rulesB, "stack B added its rule");
                const current = entrypoint()[0]!;
                standIn.invoke("updateZoneEntrypointRuleset", { zone_id: zone.id, ruleset_phase: PHASE }, { rules: [...current.rules, teamsRule] });
                const teams = ruleOf(teamsRule.ref);
                assert.ok(teams);

                await stack.setConfig("cloudflare-cequence:edgeAuth", { value: JSON.stringify({ rotation: { a: 1 } }) });
                const secretBefore = ruleOf(edgeAuthRuleRef("prod"))!.action_parameters;
                await stack.up();
                assert.notDeepEqual(ruleOf(edgeAuthRuleRef("prod"))!.action_parameters, secretBefore, "stack A rotated its secret");
                assert.deepEqual(entrypoint().map((r) => r.id), [rulesetId], "one ruleset, never replaced");
                assert.deepEqual(ruleOf(edgeAuthRuleRef("staging")), rulesB, "stack B's rule is there, every field as B wrote it");
                assert.deepEqual(ruleOf(teamsRule.ref), teams, "the team's rule is there, every field as the team wrote it");
                assert.deepEqual(
                    entrypoint()[0]!.rules.map((r) => r.ref),
                    [edgeAuthRuleRef("prod"), edgeAuthRuleRef("staging"), teamsRule.ref],
                    "nobody's rule moved",
                );
                // B's next run keeps A's rotated rule as A wrote it.
                const rotatedA = ruleOf(edgeAuthRuleRef("prod"));
                await b.stack.up();
                assert.deepEqual(ruleOf(edgeAuthRuleRef("prod")), rotatedA);
                assert.deepEqual(ruleOf(teamsRule.ref), teams);
            } finally {
                b.project.remove();
            }
        });
    });
});

describe("an update that stops on a check against the live zone has changed nothing", () => {
    it("trueClientIp on a zone with remove_visitor_ip_headers on: up fails naming the key, creates nothing, and leaves the public record as it was", async () => {
        let recordId = "";
        const seed = ({ standIn, zone }: { standIn: CloudflareStandIn; zone: Zone }) => {
            zone.managedTransforms.request.find((m) => m.id === "remove_visitor_ip_headers")!.enabled = true;
            const record = standIn.invoke(
                "dns-records-for-a-zone-create-dns-record",
                { zone_id: zone.id },
                { type: "CNAME", name: HOST, content: "origin-www.cq-route.com", proxied: true, ttl: 1 },
            ) as { id: string };
            recordId = record.id;
        };
        await inWorld(
            "prod",
            guide({ extra: { trueClientIp: true, edgeAuth: {} } }),
            async ({ account, zone, stack }) => {
                const recordBefore = JSON.stringify(zone.records);
                await stack.setConfig("cloudflare-cequence:apps[0].existingRecordId", { value: recordId }, true);
                await assert.rejects(stack.up(), /trueClientIp: zone \w+ has the managed transform remove_visitor_ip_headers on[\s\S]*set trueClientIp: false/);
                assert.equal(JSON.stringify(zone.records), recordBefore, "the public record is untouched");
                assert.deepEqual(
                    { monitors: account.monitors.length, pools: account.pools.length, loadBalancers: zone.loadBalancers.length, rulesets: zone.rulesets.length },
                    { monitors: 0, pools: 0, loadBalancers: 0, rulesets: 0 },
                    "nothing was created, not even the edge-authentication rule",
                );
                assert.ok(!zone.managedTransforms.request.find((m) => m.id === "add_true_client_ip_headers")!.enabled);
            },
            seed,
        );
    });
});

describe("True-Client-IP in the zone's managed transforms", () => {
    it("keeps the transforms already on after up and after destroy", async () => {
        const alreadyOn = { request: "add_visitor_location_headers", response: "add_security_headers" };
        const seed = ({ zone }: { zone: Zone }) => {
            zone.managedTransforms.request.find((m) => m.id === alreadyOn.request)!.enabled = true;
            zone.managedTransforms.response.find((m) => m.id === alreadyOn.response)!.enabled = true;
        };
        await inWorld(
            "prod",
            guide({ extra: { trueClientIp: true }, app: { routing: "origin" } }),
            async ({ zone, stack }) => {
                const on = () => ({
                    request: zone.managedTransforms.request.filter((m) => m.enabled).map((m) => m.id).sort(),
                    response: zone.managedTransforms.response.filter((m) => m.enabled).map((m) => m.id),
                });
                await stack.up();
                assert.deepEqual(on(), { request: ["add_true_client_ip_headers", alreadyOn.request].sort(), response: [alreadyOn.response] });
                await stack.preview({ expectNoChanges: true });
                // Destroy stops at the protected record; what it did delete must not include the zone's transforms.
                await stack.destroy().catch(() => undefined);
                assert.deepEqual(on().response, [alreadyOn.response]);
                assert.ok(on().request.includes(alreadyOn.request));
            },
            seed,
        );
    });
});
