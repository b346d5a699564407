/**
 * CnameCutover built directly, as a library user would: the record it owns,
 * and what it leaves alone on a record it adopts.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { runComponent, runComponentSource } from "./support/componentProgram";
import { configWith, named, RECORD_ID, runStack, ZONE_ID } from "./support/stack";

const cutover = (args: Record<string, unknown>) => runComponent("CnameCutover", "www", args);

describe("CnameCutover", () => {
    it("owns a proxied CNAME at the hostname, protected and retained on delete", async () => {
        const record = named(await cutover({ zoneId: ZONE_ID, hostname: "www.cq-route.com", target: "origin-www-lb.cq-route.com" }), "www-record");
        assert.deepEqual(
            { name: record.inputs.name, type: record.inputs.type, content: record.inputs.content, proxied: record.inputs.proxied },
            { name: "www.cq-route.com", type: "CNAME", content: "origin-www-lb.cq-route.com", proxied: true },
        );
        assert.equal(record.protect, true);
        assert.equal(record.retainOnDelete, true);
        assert.equal(record.importId, "");
    });

    // Pulumi imports, then updates what differs from the inputs: an unset comment would be cleared.
    it("keeps an adopted record's comment and tags, which belong to the people who wrote them", async () => {
        const record = named(
            await cutover({ zoneId: ZONE_ID, hostname: "www.cq-route.com", target: "origin-www.cq-route.com", existingRecordId: RECORD_ID }),
            "www-record",
        );
        assert.equal(record.importId, `${ZONE_ID}/${RECORD_ID}`);
        assert.equal(record.inputs.comment, undefined);
        assert.deepEqual([...record.ignoreChanges].sort(), ["comment", "tags"]);
    });

    it("normalises the hostname and the target as the stack's config does (lower case, no trailing dot), given now or as outputs", async () => {
        for (const run of [
            await cutover({ zoneId: ZONE_ID, hostname: "WWW.cq-route.com.", target: "Origin-WWW-lb.cq-route.com." }),
            await runComponentSource(
                "CnameCutover",
                "www",
                `{ zoneId: ${JSON.stringify(ZONE_ID)}, hostname: pulumi.output("WWW.cq-route.com."), target: pulumi.output("Origin-WWW-lb.cq-route.com.") }`,
                ["target"],
            ),
        ]) {
            assert.equal(run.error, undefined);
            const record = named(run, "www-record");
            assert.deepEqual({ name: record.inputs.name, content: record.inputs.content }, { name: "www.cq-route.com", content: "origin-www-lb.cq-route.com" });
        }
    });

    it("refuses its arguments itself, every problem at once, naming each, and registers nothing", async () => {
        const dnsProblem = (given: string) =>
            `must be a DNS hostname such as origin-www.example.com (letters, digits and hyphens in dot-separated labels; no scheme, port, path or IP address), got ${JSON.stringify(given)}`;
        const run = await cutover({ zoneId: "not-a-zone", hostname: "https://www.cq-route.com", target: "origin www", existingRecordId: "42" });
        assert.equal(
            run.error?.message,
            [
                "Invalid arguments for CnameCutover www (4 problems):",
                '  zoneId: must be 32 lower-case hex characters, got "not-a-zone"',
                `  hostname: ${dnsProblem("https://www.cq-route.com")}`,
                '  existingRecordId: must be 32 lower-case hex characters, got "42"',
                `  target: ${dnsProblem("origin www")}`,
            ].join("\n"),
        );
        assert.deepEqual(run.resources.filter((r) => r.custom), []);
        const loop = await cutover({ zoneId: ZONE_ID, hostname: "www.cq-route.com", target: "WWW.cq-route.com." });
        assert.equal(
            loop.error?.message,
            "Invalid arguments for CnameCutover www (1 problem):\n  target: must not be the hostname itself (www.cq-route.com): the record would point at itself",
        );
        assert.deepEqual(loop.resources.filter((r) => r.custom), []);
    });

    it("refuses a target that is its own hostname when both resolve later, before the record is registered", async () => {
        const run = await runComponentSource(
            "CnameCutover",
            "www",
            `{ zoneId: ${JSON.stringify(ZONE_ID)}, hostname: "www.cq-route.com", target: pulumi.output("WWW.cq-route.com.") }`,
        );
        assert.match(String(run.error?.message), /Invalid arguments for CnameCutover www \(1 problem\):\n {2}target: must not be the hostname itself/);
        assert.deepEqual(run.resources.filter((r) => r.custom), []);
    });
});

describe("the public record changes last", () => {
    it("depends explicitly on what it points at and on every zone-wide object: load balancer, both pools (so their monitors), edge authentication, True-Client-IP", async () => {
        const run = await runStack(configWith({ edgeAuth: {}, trueClientIp: true }));
        const record = named(run, "www.cq-route.com-cutover-record");
        const urnOf = (name: string) => named(run, name).urn;
        const before = [
            "www.cq-route.com-failover-lb",
            "www.cq-route.com-cequence-pool",
            "www.cq-route.com-origin-pool",
            "edge-auth-ruleset",
            "true-client-ip-transforms",
        ];
        for (const name of before) assert.ok(record.dependencies.includes(urnOf(name)), `the record waits for ${name}`);
    });

    it("with a shared Cequence pool, depends on that pool too", async () => {
        const run = await runStack(configWith({}, { sharedPool: true, monitor: { host: "www.cq-route.com" } }));
        const record = named(run, "www.cq-route.com-cutover-record");
        assert.ok(record.dependencies.includes(named(run, "cequence-shared-pool").urn));
    });

    it("pointing at the origin or at Cequence, waits for edge authentication and True-Client-IP all the same", async () => {
        for (const routing of ["origin", "cequence"]) {
            const run = await runStack(configWith({ edgeAuth: {}, trueClientIp: true, apps: [{ hostname: "www.cq-route.com", origin: "origin-www.cq-route.com", routing }] }));
            const record = named(run, "www.cq-route.com-cutover-record");
            for (const name of ["edge-auth-ruleset", "true-client-ip-transforms"]) assert.ok(record.dependencies.includes(named(run, name).urn), `${routing}: ${name}`);
        }
    });
});
