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
import { guide, inWorld } from "./support/world";

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
