/**
 * The guide's stack through its whole life with the real engine and
 * provider: create, no perpetual diff, adopt, cut over, roll back, force
 * Cequence out of line, roll out, drift, decommission. Every assertion is on
 * what the Cloudflare stand-in holds. These need every resource plugin; where
 * `npm run engine` could not provide one they are skipped, loudly.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { defaultLbHostname } from "../../components/naming";
import type { CloudflareStandIn } from "../support/cloudflare/standIn";
import type { Zone } from "../support/cloudflare/store";
import type { ConfigObject } from "../support/stack";
import { CONFIG_NAMESPACE } from "../../config/rawConfig";
import { configSetPath, pulumiCli, stateResources } from "./support/engine";
import { bundledStackConfig, heldApp, objectIds } from "./support/held";
import { guide, HOST, inWorld, LB, manyApps, ORIGIN, statusJson, upWithNoPerpetualDiff } from "./support/world";

describe("the guide's stack, deployed by the real engine", () => {
    it("creates exactly the guide's objects: monitors attached, pools [Cequence, origin], fallback origin, steering off, proxied CNAME to the LB", async () => {
        await inWorld("prod", bundledStackConfig("prod"), async ({ account, zone, stack }) => {
            await stack.up();
            const app = heldApp(account, zone, "prod", { hostname: HOST, lbHostname: LB });
            assert.equal(account.monitors.length, 2);
            assert.equal(account.pools.length, 2);
            assert.ok(app.monitorOf(app.cequencePool) && app.monitorOf(app.originPool), "each pool has its own monitor attached");
            assert.notEqual(app.cequencePool!.monitor, app.originPool!.monitor);
            assert.deepEqual(app.cequencePool!.origins.map((o) => o.address), ["cq-route.example.cequence.ai"]);
            assert.deepEqual(app.originPool!.origins.map((o) => o.address), [ORIGIN]);
            const lb = app.loadBalancer!;
            assert.deepEqual(lb.default_pools, [app.cequencePool!.id, app.originPool!.id]);
            assert.equal(lb.fallback_pool, app.originPool!.id);
            assert.equal(lb.steering_policy, "off");
            assert.equal(lb.proxied, true);
            assert.deepEqual({ type: app.record!.type, content: app.record!.content, proxied: app.record!.proxied }, { type: "CNAME", content: LB, proxied: true });
            assert.equal(zone.records.length, 1);
        });
    });
});

describe("no perpetual diff: after `up`, preview and refresh + preview show no changes", () => {
    const cases: Array<[string, string, ConfigObject]> = [
        ["the bundled prod stack", "prod", bundledStackConfig("prod")],
        ["the bundled staging stack", "staging", bundledStackConfig("staging")],
        ["a rollout (trafficPercent 25)", "rollout", guide({ cequence: { trafficPercent: 25 } })],
        ["alerts", "alerts", guide({ extra: { alerts: { emails: ["secops@cq-route.com"] } } })],
        ["True-Client-IP with other transforms", "tcip", guide({ extra: { trueClientIp: true, managedTransforms: { request: ["add_visitor_location_headers"], response: ["add_security_headers"] } } })],
        ["edge authentication", "edge", guide({ extra: { edgeAuth: {} } })],
        ["a shared Cequence pool on a Bridge's port", "bridge", guide({ cequence: { sharedPool: true, port: 9443 } })],
        [
            "mixed routing",
            "mixed",
            guide({
                extra: {
                    apps: [
                        { hostname: HOST, origin: ORIGIN, routing: "loadBalancer" },
                        { hostname: "api.cq-route.com", origin: "origin-api.cq-route.com", routing: "origin" },
                        { hostname: "direct.cq-route.com", origin: "origin-direct.cq-route.com", routing: "cequence" },
                    ],
                },
            }),
        ],
        ["40 apps", "forty", { ...bundledStackConfig("prod"), apps: manyApps(40) }],
    ];
    for (const [label, stackName, config] of cases) {
        it(label, async () => {
            await inWorld(stackName, config, ({ stack }) => upWithNoPerpetualDiff(stack));
        });
    }
});

describe("adopt, cut over, roll back", () => {
    it("adopts www with routing: origin without changing it, then repoints it to the LB and back", async () => {
        let recordId = "";
        const seed = ({ standIn, zone }: { standIn: CloudflareStandIn; zone: Zone }) => {
            const record = standIn.invoke("dns-records-for-a-zone-create-dns-record", { zone_id: zone.id }, {
                type: "CNAME",
                name: HOST,
                content: ORIGIN,
                proxied: true,
                ttl: 1,
                comment: "owned by the web team",
                tags: ["team:web"],
            }) as { id: string };
            recordId = record.id;
        };
        await inWorld("prod", guide(), async ({ standIn, zone, run }) => {
            const stack = run.stack;
            // As the runbook tells users: `pulumi config set --path`, the ID typed as a string.
            await configSetPath(run, "apps[0].routing", "origin");
            await configSetPath(run, "apps[0].existingRecordId", recordId, "string");
            await stack.up();
            const adopted = zone.records.find((r) => r.id === recordId)!;
            assert.equal(adopted.content, ORIGIN, "adoption must not repoint the record");
            assert.equal(adopted.comment, "owned by the web team");
            assert.deepEqual(adopted.tags, ["team:web"]);
            assert.equal(zone.records.length, 1);
            await stack.preview({ expectNoChanges: true });

            await configSetPath(run, "apps[0].routing", "loadBalancer");
            await stack.up();
            assert.equal(zone.records.find((r) => r.id === recordId)!.content, LB);

            await configSetPath(run, "apps[0].routing", "origin");
            await stack.up();
            assert.equal(zone.records.find((r) => r.id === recordId)!.content, ORIGIN);
            assert.equal(zone.records.find((r) => r.id === recordId)!.comment, "owned by the web team");
            assert.ok(standIn.served.every((s) => s.operationId !== "dns-records-for-a-zone-create-dns-record" || s.status >= 400), "no second record");
        }, seed);
    });
});

describe("operating the stack", () => {
    it("cequence.enabled: false disables the Cequence pool, and status reports it forced out of line", async () => {
        await inWorld("prod", guide({ cequence: { enabled: false } }), async (world) => {
            await world.stack.up();
            const app = heldApp(world.account, world.zone, "prod", { hostname: HOST, lbHostname: LB });
            assert.equal(app.cequencePool!.enabled, false);
            assert.equal(app.originPool!.enabled, true);
            const { json } = await statusJson(world, "prod");
            assert.equal(json.apps[0]!.traffic, "forced-out-of-line");
        });
    });

    it("a rollout 5 → 25 → 100 changes weights and steering in place, replacing nothing", async () => {
        await inWorld("prod", guide({ cequence: { trafficPercent: 5 } }), async ({ account, zone, run, stack }) => {
            await stack.up();
            const ids = objectIds(account, zone);
            for (const percent of [25, 100]) {
                await configSetPath(run, "cequence.trafficPercent", String(percent));
                await stack.up();
                assert.deepEqual(objectIds(account, zone), ids, `trafficPercent ${percent} must replace nothing`);
                const app = heldApp(account, zone, "prod", { hostname: HOST, lbHostname: LB });
                const lb = app.loadBalancer as unknown as { steering_policy: string; random_steering?: { pool_weights?: Record<string, number> } };
                if (percent === 100) {
                    assert.equal(lb.steering_policy, "off");
                } else {
                    assert.equal(lb.steering_policy, "random");
                    assert.equal(lb.random_steering?.pool_weights?.[app.cequencePool!.id], percent / 100);
                }
            }
        });
    });

    it("an out-of-band change shows in `preview --refresh` and in status", async () => {
        await inWorld("prod", bundledStackConfig("prod"), async (world) => {
            await world.stack.up();
            heldApp(world.account, world.zone, "prod", { hostname: HOST, lbHostname: LB }).cequencePool!.enabled = false;
            const preview = await world.stack.preview({ refresh: true });
            assert.ok((preview.changeSummary.update ?? 0) >= 1, "the disabled pool must show as a change");
            const { code, json } = await statusJson(world, "prod");
            assert.equal(code, 2);
            assert.ok(json.apps[0]!.drift.some((d) => d.kind === "cequence-pool-enabled"));
        });
    });
});

describe("decommission by the runbook (docs/runbooks.md)", () => {
    const api = { hostname: "api.cq-route.com", origin: "origin-api.cq-route.com" };

    it("a plain destroy fails while the record is protected; the runbook deletes www's LB, pools and monitors and keeps its record", async () => {
        await inWorld("prod", guide({ extra: { apps: [{ hostname: HOST, origin: ORIGIN }, api] } }), async (world) => {
            const { account, zone, stack } = world;
            await stack.up();
            const before = objectIds(account, zone);
            await assert.rejects(stack.destroy(), /protect/);
            assert.deepEqual(objectIds(account, zone), before, "a refused destroy deletes nothing");

            // The runbook, with the commands docs/runbooks.md gives: routing: origin, unprotect the record, remove the app.
            await configSetPath(world.run, "apps[0].routing", "origin");
            await stack.up();
            const record = (await stateResources(stack)).find((r) => r.type === "cloudflare:index/dnsRecord:DnsRecord" && r.urn.includes(HOST))!;
            await pulumiCli(world.run, ["state", "unprotect", record.urn, "--yes"]);
            await pulumiCli(world.run, ["config", "rm", "--path", `${CONFIG_NAMESPACE}:apps[0]`]);
            await stack.up();

            assert.equal(zone.records.find((r) => r.name === HOST)?.content, ORIGIN, "www is retained, pointing at the origin");
            assert.equal(zone.loadBalancers.some((lb) => lb.name === LB), false);
            assert.equal(account.pools.some((p) => p.name.includes("www")), false);
            assert.equal(account.monitors.length, 2, "only api's two monitors are left");
            const apiApp = heldApp(account, zone, "prod", { hostname: api.hostname, lbHostname: defaultLbHostname(api.hostname, "cq-route.com") });
            assert.ok(apiApp.loadBalancer && apiApp.record?.content === apiApp.loadBalancer.name, "api is untouched");
        });
    });
});
