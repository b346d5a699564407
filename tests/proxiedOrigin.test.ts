import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { CloudflareSession } from "../tools/live/cloudflareSession";
import { DEFAULT_CONNECTION } from "../tools/live/connectionSettings";
import { findProxiedOrigins, originHostnames } from "../tools/live/proxiedOrigin";
import { CloudflareStandIn } from "./support/cloudflare/standIn";
import { parseConfig, TOKEN } from "./support/liveFixture";
import { guideConfig } from "./support/stack";

describe("an origin that is a proxied hostname of the zone, before anything is deployed", () => {
    it("findProxiedOrigins needs only the zone ID and the origins: it lists the zone's records itself", async () => {
        const config = parseConfig(guideConfig());
        const standIn = new CloudflareStandIn();
        const account = standIn.state.addAccount(config.accountId);
        const zone = standIn.state.addZone(account.id, config.zone, config.zoneId);
        const record = (name: string, proxied: boolean) =>
            standIn.invoke("dns-records-for-a-zone-create-dns-record", { zone_id: zone.id }, { name, type: "A", content: "192.0.2.10", ttl: 1, proxied }) as { id: string };
        const proxied = record("origin-www.cq-route.com", true);
        record("origin-api.cq-route.com", false);
        await standIn.start();
        try {
            const session = new CloudflareSession(
                { env: { CLOUDFLARE_API_TOKEN: TOKEN, CLOUDFLARE_BASE_URL: standIn.baseUrl }, stderr: { write: () => true }, signal: new AbortController().signal },
                DEFAULT_CONNECTION,
                { accountId: config.accountId, zoneId: config.zoneId, configFile: "Pulumi.test.yaml" },
                [],
            );
            const origins = [...originHostnames(config), { key: "apps[1].origin", hostname: "origin-api.cq-route.com" }, { key: "apps[2].origin", hostname: "backend.example.net" }];
            const problems = await session.read((read) => findProxiedOrigins(read, { zoneId: config.zoneId }, origins));
            assert.deepEqual(problems.map((p) => p.key), ["apps[0].origin"]);
            assert.match(problems[0]!.message, new RegExp(`origin-www\\.cq-route\\.com is a proxied A record of the zone \\(→ 192\\.0\\.2\\.10, ID ${proxied.id}\\)`));
            assert.deepEqual(standIn.violations, []);
            assert.equal(standIn.served.filter((s) => s.operationId.includes("load-balancer")).length, 0, "no pool or load balancer is needed");
        } finally {
            await standIn.stop();
        }
    });
});
