/**
 * CnameCutover built directly, as a library user would: the record it owns,
 * and what it leaves alone on a record it adopts.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { runComponent } from "./support/componentProgram";
import { named, RECORD_ID, ZONE_ID } from "./support/stack";

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
});
