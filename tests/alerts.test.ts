/**
 * The notification policies that tell people Cequence failed open or was
 * taken out of line (appendices B and C).
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { guideConfig, named, ofType, runStack, configWith, rejection } from "./support/stack";
import { RESOURCE_TYPES } from "../policy/resourceTypes";

describe("alerts", () => {
    const alerts = { emails: ["oncall@example.com"], webhookIds: ["14cc1190-5d2b-4b98-a696-c424cb2ad05f"] };

    it("creates a health and an enablement policy filtered to every Cequence pool", async () => {
        const config = configWith({ alerts });
        (config.apps as unknown[]).push(
            { hostname: "api.cq-route.com", origin: "origin-api.cq-route.com" },
            { hostname: "direct.cq-route.com", origin: "origin-direct.cq-route.com", routing: "cequence" },
        );
        const run = await runStack(config);
        const cequencePools = [named(run, "www.cq-route.com-cequence-pool").id, named(run, "api.cq-route.com-cequence-pool").id];
        const policies = ofType(run, RESOURCE_TYPES.notificationPolicy);
        assert.deepEqual(policies.map((p) => p.inputs.alertType).sort(), ["load_balancing_health_alert", "load_balancing_pool_enablement_alert"]);
        for (const policy of policies) {
            assert.deepEqual((policy.inputs.filters as { poolIds: string[] }).poolIds, cequencePools);
            assert.deepEqual(policy.inputs.mechanisms, {
                emails: [{ id: "oncall@example.com" }],
                webhooks: [{ id: "14cc1190-5d2b-4b98-a696-c424cb2ad05f" }],
            });
            assert.equal(policy.inputs.enabled, true);
        }
        const health = policies.find((p) => p.inputs.alertType === "load_balancing_health_alert")!;
        assert.deepEqual(health.inputs.filters, { poolIds: cequencePools, newHealths: ["Unhealthy", "Healthy"], eventSources: ["pool"] });
        const enablement = policies.find((p) => p.inputs.alertType === "load_balancing_pool_enablement_alert")!;
        assert.deepEqual(enablement.inputs.filters, { poolIds: cequencePools, enableds: ["true", "false"] });
    });

    it("creates nothing when absent or when every list is empty", async () => {
        assert.equal(ofType(await runStack(guideConfig()), RESOURCE_TYPES.notificationPolicy).length, 0);
        const empty = await runStack(configWith({ alerts: { emails: [], webhookIds: [], pagerdutyIds: [] } }));
        assert.equal(ofType(empty, RESOURCE_TYPES.notificationPolicy).length, 0);
    });

    it("rejects an invalid email address by its index", async () => {
        const message = await rejection(configWith({ alerts: { emails: ["oncall@example.com", "not-an-email"] } }));
        assert.match(message, /alerts\.emails\[1\]: must be an email address/);
    });

    it("rejects an unknown key with a hint", async () => {
        assert.match(await rejection(configWith({ alerts: { email: ["a@example.com"] } })), /alerts\.email: unknown key \(did you mean "emails"\?\)/);
    });
});
