import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { RequestBudget } from "../tools/live/requestBudget";
import { status } from "../tools/live/status";
import { envFor, poolOf, runInProcess, setHealth, STACK, startLive, stopStandInsAfterEach, type Live } from "./support/liveFixture";
import { guideConfig, type ConfigObject } from "./support/stack";

const started = stopStandInsAfterEach();

function appsConfig(count: number, cequence: Record<string, unknown> = {}): ConfigObject {
    const config = guideConfig();
    return {
        ...config,
        cequence: { ...(config.cequence as object), ...cequence },
        apps: Array.from({ length: count }, (_, i) => ({ hostname: `app${i}.cq-route.com`, origin: `origin-app${i}.cq-route.com` })),
    };
}

async function live(config: ConfigObject): Promise<Live> {
    const fixture = await startLive(config);
    started.push(fixture);
    return fixture;
}

/** Runs `status --json` in process within a budget of its own, so the test can read what it sent. */
async function read(fixture: Live, extraArgs: string[] = []) {
    const budget = new RequestBudget(() => {});
    const servedBefore = fixture.standIn.served.length;
    const { code, stdout, stderr } = await runInProcess(status, ["--stack", STACK, "--dir", fixture.dir, "--json", ...extraArgs], envFor(fixture.standIn), {
        requestBudget: budget,
    });
    const served = fixture.standIn.served.slice(servedBefore);
    const byOperation: Record<string, number> = {};
    for (const { operationId } of served) byOperation[operationId] = (byOperation[operationId] ?? 0) + 1;
    return { code, stderr, apps: (JSON.parse(stdout) as { apps: Array<{ traffic: string }> }).apps, budget, byOperation, served: served.length };
}

const HEALTH = "account-load-balancer-pools-pool-health-details";
const LIST_RECORDS = "dns-records-for-a-zone-list-dns-records";
const CREATE_RECORD = "dns-records-for-a-zone-create-dns-record";

describe("status within Cloudflare's API budget", () => {
    it("N healthy apps cost N + 8 requests: the zone, three record lists, the pools, the monitors, the load balancers, each Cequence pool's health", async () => {
        const fixture = await live(appsConfig(100));
        fixture.standIn.latencyMs = 2;
        const result = await read(fixture);
        assert.equal(result.code, 0, result.stderr);
        assert.ok(result.apps.every((app) => app.traffic === "through-cequence"));
        assert.deepEqual(result.byOperation, {
            "zones-0-get": 1,
            // CNAME: one page and the empty page that ends the SDK's auto-pagination; A and AAAA: one empty page each.
            [LIST_RECORDS]: 4,
            "account-load-balancer-pools-list-pools": 1,
            "account-load-balancer-monitors-list-monitors": 1,
            "load-balancers-list-load-balancers": 1,
            [HEALTH]: 100,
        });
        assert.equal(result.budget.totals.requests, result.served);
        assert.ok(result.served <= 100 + 100);
    });

    it("never more than 32 requests in flight", async () => {
        const fixture = await live(appsConfig(100));
        fixture.standIn.latencyMs = 5;
        fixture.standIn.maxInFlight = 0;
        const result = await read(fixture);
        assert.equal(result.budget.totals.maxInFlight, 32);
        assert.ok(fixture.standIn.maxInFlight <= 32, `${fixture.standIn.maxInFlight} in flight`);
    });

    it("reads an origin pool's health only when it decides the verdict", async () => {
        const fixture = await live(appsConfig(10));
        setHealth(fixture, poolOf(fixture, "cequence", "app3.cq-route.com"), false);
        const result = await read(fixture);
        assert.equal(result.apps[3]!.traffic, "failed-open");
        assert.equal(result.byOperation[HEALTH], 10 + 1);
        const all = await read(fixture, ["--origin-health"]);
        assert.equal(all.byOperation[HEALTH], 20);
    });

    it("a shared Cequence pool's health is read once for every app", async () => {
        const fixture = await live(appsConfig(50, { sharedPool: true }));
        const result = await read(fixture);
        assert.equal(result.code, 0, result.stderr);
        assert.equal(result.byOperation[HEALTH], 1);
    });

    it("follows every page of the zone's records", async () => {
        const fixture = await live(appsConfig(1));
        // 5,000 records before the app's own, so its record is on the second page of 5,000.
        const records = fixture.zone.records.splice(0);
        for (let i = 0; i < 5000; i++) {
            fixture.standIn.invoke(CREATE_RECORD, { zone_id: fixture.zone.id }, {
                name: `filler${i}.cq-route.com`,
                type: "CNAME",
                content: "elsewhere.example.net",
                proxied: true,
                ttl: 1,
            });
        }
        fixture.zone.records.push(...records);
        const result = await read(fixture);
        assert.equal(result.code, 0, result.stderr);
        assert.equal(result.apps[0]!.traffic, "through-cequence");
        assert.equal(result.byOperation[LIST_RECORDS], 3 + 1 + 1);
    });
});
