/**
 * True-Client-IP (appendix D): the zone's managed transforms, adopted and
 * kept as they are apart from the one this stack turns on.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { guideConfig, ofType, runStack, ZONE_ID, configWith, rejection } from "./support/stack";
import { RESOURCE_TYPES } from "../policy/resourceTypes";

describe("trueClientIp (appendix D)", () => {
    it("adopts the zone's managed transforms, keeps the listed ones and adds True-Client-IP", async () => {
        const run = await runStack(configWith({ trueClientIp: true, managedTransforms: { request: ["add_visitor_location_headers"], response: ["add_security_headers"] } }));
        const [transforms] = ofType(run, RESOURCE_TYPES.managedTransforms);
        assert.ok(transforms);
        assert.equal(transforms.importId, ZONE_ID);
        assert.equal(transforms.retainOnDelete, true);
        assert.deepEqual(transforms.inputs.managedRequestHeaders, [
            { id: "add_true_client_ip_headers", enabled: true },
            { id: "add_visitor_location_headers", enabled: true },
        ]);
        assert.deepEqual(transforms.inputs.managedResponseHeaders, [{ id: "add_security_headers", enabled: true }]);
    });

    it("never turns off a transform that is on in the zone at deploy time", async () => {
        const live = {
            "cloudflare:index/getManagedTransforms:getManagedTransforms": () => ({
                id: ZONE_ID,
                managedRequestHeaders: [
                    { id: "add_client_certificate_headers", enabled: true },
                    { id: "add_visitor_location_headers", enabled: false },
                ],
                managedResponseHeaders: [{ id: "remove_x-powered-by_header", enabled: true }],
            }),
        };
        const run = await runStack(configWith({ trueClientIp: true }), "prod", live);
        const [transforms] = ofType(run, RESOURCE_TYPES.managedTransforms);
        assert.deepEqual(transforms!.inputs.managedRequestHeaders, [
            { id: "add_client_certificate_headers", enabled: true },
            { id: "add_true_client_ip_headers", enabled: true },
        ]);
        assert.deepEqual(transforms!.inputs.managedResponseHeaders, [{ id: "remove_x-powered-by_header", enabled: true }]);
    });

    it("is off by default: the zone's managed transforms are not touched", async () => {
        assert.equal(ofType(await runStack(guideConfig()), RESOURCE_TYPES.managedTransforms).length, 0);
    });

    it("rejects remove_visitor_ip_headers alongside it", async () => {
        const message = await rejection(configWith({ trueClientIp: true, managedTransforms: { request: ["remove_visitor_ip_headers"] } }));
        assert.match(message, /managedTransforms\.request\[0\]: remove_visitor_ip_headers cannot be on together/);
    });

    it("rejects managedTransforms without trueClientIp", async () => {
        assert.match(await rejection(configWith({ managedTransforms: { request: ["add_visitor_location_headers"] } })), /managedTransforms: only applies with trueClientIp: true/);
    });
});
