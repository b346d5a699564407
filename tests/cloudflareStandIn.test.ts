/**
 * The Cloudflare stand-in behaves as Cloudflare does where users get bitten,
 * serves every operation of the OpenAPI subset schema-true (through plain
 * fetch and through Cloudflare's SDK), misbehaves on demand, and catches
 * what does not conform.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import Cloudflare from "cloudflare";
import { CLOUDFLARE_RATE_LIMIT, RateLimiter } from "./support/cloudflare/rateLimit";
import { CloudflareStandIn } from "./support/cloudflare/standIn";
import { operations } from "./support/cloudflare/schema";
import type { Json } from "./support/cloudflare/store";
import { stopStandInsAfterEach } from "./support/liveFixture";

const TOKEN = "standIn-test-token-0123456789abcdefghijklmn";
const ZONE_NAME = "cq-route.com";
const HEX32 = /^[0-9a-f]{32}$/;

const started = stopStandInsAfterEach();

interface Reply {
    status: number;
    headers: Headers;
    body: { success: boolean; errors: Array<{ code: number; message: string }>; result: Json & Json[]; result_info?: Json } & Json;
}

async function standInWithZone() {
    const standIn = new CloudflareStandIn();
    const account = standIn.state.addAccount();
    const zone = standIn.state.addZone(account.id, ZONE_NAME);
    await standIn.start();
    started.push({ standIn });
    const api = async (method: string, path: string, body?: unknown, headers: Record<string, string> = { authorization: `Bearer ${TOKEN}` }): Promise<Reply> => {
        const response = await fetch(`${standIn.baseUrl}${path}`, {
            method,
            headers: { ...headers, ...(body === undefined ? {} : { "content-type": "application/json" }) },
            body: body === undefined ? undefined : JSON.stringify(body),
        });
        const text = await response.text();
        return { status: response.status, headers: response.headers, body: text === "" ? ({} as Reply["body"]) : (JSON.parse(text) as Reply["body"]) };
    };
    const sdk = new Cloudflare({ apiToken: TOKEN, apiKey: null, apiEmail: null, userServiceKey: null, baseURL: standIn.baseUrl, maxRetries: 0 });
    const paths = { account: `/accounts/${account.id}`, zone: `/zones/${zone.id}` };
    return { standIn, account, zone, api, sdk, paths };
}

type Fixture = Awaited<ReturnType<typeof standInWithZone>>;

/** A monitor and a pool using it, as the program creates them. */
async function monitorAndPool(fixture: Fixture, name = "cequence_www.cq-route.com__test") {
    const monitor = await fixture.api("POST", `${fixture.paths.account}/load_balancers/monitors`, { type: "https", expected_codes: "200", path: "/health" });
    const pool = await fixture.api("POST", `${fixture.paths.account}/load_balancers/pools`, {
        name,
        monitor: monitor.body.result.id,
        origins: [{ name: "cequence", address: "cq-route.example.cequence.ai", enabled: true, weight: 1 }],
    });
    return { monitorId: monitor.body.result.id as string, poolId: pool.body.result.id as string };
}

async function loadBalancer(fixture: Fixture, poolId: string, name = "origin-www-lb.cq-route.com") {
    return fixture.api("POST", `${fixture.paths.zone}/load_balancers`, { name, default_pools: [poolId], fallback_pool: poolId, proxied: true, steering_policy: "off" });
}

/** Drops the violations a test provoked on purpose, so that teardown checks only the rest. */
function takeViolations(standIn: CloudflareStandIn): string[] {
    return standIn.violations.splice(0);
}

describe("Cloudflare stand-in: names are stored as Cloudflare stores them", () => {
    it("a DNS record's name is lower-cased and fully qualified, and a CNAME's trailing dot is dropped", async () => {
        const f = await standInWithZone();
        const created = await f.api("POST", `${f.paths.zone}/dns_records`, { type: "CNAME", name: "WWW.CQ-Route.com.", content: "origin-www-lb.cq-route.com.", proxied: true, ttl: 1 });
        assert.equal(created.status, 200);
        assert.equal(created.body.result.name, "www.cq-route.com");
        assert.equal(created.body.result.content, "origin-www-lb.cq-route.com");
        const relative = await f.api("POST", `${f.paths.zone}/dns_records`, { type: "A", name: "api", content: "192.0.2.1" });
        assert.equal(relative.body.result.name, "api.cq-route.com");
        const apex = await f.api("POST", `${f.paths.zone}/dns_records`, { type: "A", name: "@", content: "192.0.2.2" });
        assert.equal(apex.body.result.name, ZONE_NAME);
    });

    it("a load balancer's name is lower-cased without its trailing dot, and one name holds one load balancer", async () => {
        const f = await standInWithZone();
        const { poolId } = await monitorAndPool(f);
        const created = await loadBalancer(f, poolId, "Origin-WWW-LB.cq-route.com.");
        assert.equal(created.body.result.name, "origin-www-lb.cq-route.com");
        const again = await loadBalancer(f, poolId, "origin-www-lb.cq-route.com");
        assert.equal(again.status, 400);
    });
});

describe("Cloudflare stand-in: a load balancer's rules are held as Cloudflare holds them", () => {
    const rule = (name: string, extra: Json = {}) => ({ name, condition: `http.request.uri.path eq "/${name}"`, ...extra });

    it("each rule gets a priority from the array's order when no rule has one, and keeps its own otherwise", async () => {
        const f = await standInWithZone();
        const { poolId } = await monitorAndPool(f);
        const body = { name: "origin-www-lb.cq-route.com", default_pools: [poolId], fallback_pool: poolId };
        const unordered = (await f.api("POST", `${f.paths.zone}/load_balancers`, { ...body, rules: [rule("a"), rule("b"), rule("c")] })).body.result;
        assert.deepEqual((unordered.rules as Json[]).map((r) => [r.name, r.priority, r.disabled, "terminates" in r]), [["a", 0, false, false], ["b", 1, false, false], ["c", 2, false, false]]);
        const one = `${f.paths.zone}/load_balancers/${unordered.id as string}`;
        const ordered = (await f.api("PUT", one, { ...body, rules: [rule("a", { priority: 10 }), rule("b")] })).body.result;
        assert.deepEqual((ordered.rules as Json[]).map((r) => r.priority), [10, 0]);
    });

    it("a fixed response terminates, a rule that does not has no terminates; overrides come back as sent, with none of the schema's defaults filled in", async () => {
        const f = await standInWithZone();
        const { poolId } = await monitorAndPool(f);
        const overrides = { default_pools: [poolId], fallback_pool: poolId };
        const lb = (
            await f.api("POST", `${f.paths.zone}/load_balancers`, {
                name: "origin-www-lb.cq-route.com",
                default_pools: [poolId],
                fallback_pool: poolId,
                rules: [rule("to-pool", { overrides }), rule("teapot", { fixed_response: { status_code: 418 } })],
            })
        ).body.result;
        const [toPool, teapot] = lb.rules as Json[];
        assert.deepEqual(toPool!.overrides, overrides, "an override present is applied: a default filled in (steering_policy \"\") would change the rule");
        assert.equal("terminates" in toPool!, false);
        assert.equal(teapot!.terminates, true);
        assert.equal("overrides" in teapot!, false);
    });

    it("a load balancer without rules has no rules key; a PATCH without rules keeps them; a PUT without rules, or with none, drops them", async () => {
        const f = await standInWithZone();
        const { poolId } = await monitorAndPool(f);
        const body = { name: "origin-www-lb.cq-route.com", default_pools: [poolId], fallback_pool: poolId };
        const rules = [rule("a", { overrides: { default_pools: [poolId] } })];
        const created = (await f.api("POST", `${f.paths.zone}/load_balancers`, { ...body, rules })).body.result;
        const one = `${f.paths.zone}/load_balancers/${created.id as string}`;
        assert.deepEqual((await f.api("PATCH", one, { description: "patched" })).body.result.rules, created.rules);
        assert.equal("rules" in (await f.api("PUT", one, body)).body.result, false);
        await f.api("PUT", one, { ...body, rules });
        assert.equal("rules" in (await f.api("PUT", one, { ...body, rules: [] })).body.result, false);
        assert.equal("rules" in (await f.api("GET", one)).body.result, false);
    });
});

describe("Cloudflare stand-in: a pool's origins come back sorted by name", () => {
    it("whatever order they were sent in, on create, update and read", async () => {
        const f = await standInWithZone();
        const origins = ["zulu", "alpha", "mike"].map((name) => ({ name, address: `${name}.example.com` }));
        const created = await f.api("POST", `${f.paths.account}/load_balancers/pools`, { name: "pool", origins });
        const names = (reply: Reply) => (reply.body.result.origins as Array<{ name: string }>).map((o) => o.name);
        assert.deepEqual(names(created), ["alpha", "mike", "zulu"]);
        const id = created.body.result.id as string;
        const updated = await f.api("PUT", `${f.paths.account}/load_balancers/pools/${id}`, { name: "pool", origins: [...origins, { name: "bravo", address: "b.example.com" }] });
        assert.deepEqual(names(updated), ["alpha", "bravo", "mike", "zulu"]);
        assert.deepEqual(names(await f.api("GET", `${f.paths.account}/load_balancers/pools/${id}`)), ["alpha", "bravo", "mike", "zulu"]);
    });
});

describe("Cloudflare stand-in: a name holds one CNAME and nothing else of A, AAAA or CNAME (81053)", () => {
    for (const [first, second] of [
        ["CNAME", "A"],
        ["A", "CNAME"],
        ["CNAME", "CNAME"],
        ["AAAA", "CNAME"],
    ] as const) {
        it(`${second} where a ${first} is`, async () => {
            const f = await standInWithZone();
            const content = { A: "192.0.2.1", AAAA: "2001:db8::1", CNAME: "origin-www.cq-route.com" };
            assert.equal((await f.api("POST", `${f.paths.zone}/dns_records`, { type: first, name: "www.cq-route.com", content: content[first] })).status, 200);
            const refused = await f.api("POST", `${f.paths.zone}/dns_records`, { type: second, name: "WWW.cq-route.com", content: `${second === "CNAME" ? "other." : ""}${content[second]}` });
            assert.equal(refused.status, 400);
            assert.deepEqual(refused.body.errors.map((e) => e.code), [81053]);
            assert.equal(f.zone.records.length, 1);
        });
    }

    it("two A records at one name are allowed, as round-robin DNS needs", async () => {
        const f = await standInWithZone();
        for (const content of ["192.0.2.1", "192.0.2.2"]) {
            assert.equal((await f.api("POST", `${f.paths.zone}/dns_records`, { type: "A", name: "www.cq-route.com", content })).status, 200);
        }
    });
});

describe("Cloudflare stand-in: what is still referenced cannot be deleted", () => {
    it("a monitor a pool uses, until the pool lets go of it", async () => {
        const f = await standInWithZone();
        const { monitorId, poolId } = await monitorAndPool(f);
        const refused = await f.api("DELETE", `${f.paths.account}/load_balancers/monitors/${monitorId}`);
        assert.equal(refused.status, 400);
        assert.match(refused.body.errors[0]!.message, /referenced by pools: cequence_www/);
        // PUT replaces the pool: sent without `monitor`, it has none.
        const detached = await f.api("PUT", `${f.paths.account}/load_balancers/pools/${poolId}`, { name: "p", origins: [] });
        assert.equal(detached.body.result.monitor, undefined);
        const deleted = await f.api("DELETE", `${f.paths.account}/load_balancers/monitors/${monitorId}`);
        assert.equal(deleted.status, 200);
        assert.deepEqual(deleted.body.result, { id: monitorId });
    });

    it("a pool a load balancer uses, as default or fallback", async () => {
        const f = await standInWithZone();
        const { poolId } = await monitorAndPool(f);
        const lb = await loadBalancer(f, poolId);
        assert.equal((await f.api("DELETE", `${f.paths.account}/load_balancers/pools/${poolId}`)).status, 400);
        assert.equal((await f.api("DELETE", `${f.paths.zone}/load_balancers/${lb.body.result.id as string}`)).status, 200);
        assert.equal((await f.api("DELETE", `${f.paths.account}/load_balancers/pools/${poolId}`)).status, 200);
    });
});

describe("Cloudflare stand-in: managed transforms", () => {
    it("lists the transforms already on, which is why the provider refuses to create its resource then", async () => {
        const f = await standInWithZone();
        f.zone.managedTransforms.request.find((t) => t.id === "add_visitor_location_headers")!.enabled = true;
        const listed = await f.api("GET", `${f.paths.zone}/managed_headers`);
        const on = (listed.body.result.managed_request_headers as Array<{ id: string; enabled: boolean }>).filter((t) => t.enabled).map((t) => t.id);
        assert.deepEqual(on, ["add_visitor_location_headers"]);
    });

    it("PATCH changes only the transforms it names, so an update must send enabled: false for each one it drops", async () => {
        const f = await standInWithZone();
        const patch = (body: Json) => f.api("PATCH", `${f.paths.zone}/managed_headers`, { managed_request_headers: [], managed_response_headers: [], ...body });
        await patch({ managed_request_headers: [{ id: "add_true_client_ip_headers", enabled: true }, { id: "add_visitor_location_headers", enabled: true }] });
        const kept = await patch({ managed_request_headers: [{ id: "add_true_client_ip_headers", enabled: true }] });
        const on = (reply: Reply) => (reply.body.result.managed_request_headers as Array<{ id: string; enabled: boolean }>).filter((t) => t.enabled).map((t) => t.id);
        assert.deepEqual(on(kept), ["add_visitor_location_headers", "add_true_client_ip_headers"]);
        const dropped = await patch({ managed_request_headers: [{ id: "add_visitor_location_headers", enabled: false }] });
        assert.deepEqual(on(dropped), ["add_true_client_ip_headers"]);
    });

    it("refuses a transform that does not exist", async () => {
        const f = await standInWithZone();
        const refused = await f.api("PATCH", `${f.paths.zone}/managed_headers`, { managed_request_headers: [{ id: "add_nonsense", enabled: true }], managed_response_headers: [] });
        assert.equal(refused.status, 400);
    });
});

describe("Cloudflare stand-in: a zone's URL normalization, served outside the OpenAPI subset", () => {
    it("answers the zone's setting to the SDK as Cloudflare's API reference shapes it", async () => {
        const { sdk, zone, standIn } = await standInWithZone();
        assert.deepEqual(await sdk.urlNormalization.get({ zone_id: zone.id }), { scope: "incoming", type: "cloudflare" });
        zone.urlNormalization = { scope: "none", type: "rfc3986" };
        assert.deepEqual(await sdk.urlNormalization.get({ zone_id: zone.id }), { scope: "none", type: "rfc3986" });
        assert.deepEqual(standIn.violations, []);
    });

    it("records an answer its own schema refuses, as for the operations of the subset", async () => {
        const { api, paths, zone, standIn } = await standInWithZone();
        (zone.urlNormalization as { scope: string }).scope = "off";
        await api("GET", `${paths.zone}/url_normalization`);
        assert.equal(standIn.violations.length, 1);
        assert.match(standIn.violations[0]!, /^GET \/zones\/\{zone_id\}\/url_normalization response 200 \(schema outside the subset\): .*scope/);
        standIn.violations.length = 0;
    });
});

describe("Cloudflare stand-in: a zone has one entrypoint ruleset per phase", () => {
    const PHASE = "http_request_late_transform";
    const otherTeamsRule = { ref: "other-team", expression: "true", action: "rewrite", action_parameters: { headers: { "X-Other": { operation: "set", value: "1" } } } };

    it("creating a second zone ruleset in a phase is refused; the entrypoint is the one to PUT", async () => {
        const f = await standInWithZone();
        const first = await f.api("POST", `${f.paths.zone}/rulesets`, { name: "default", kind: "zone", phase: PHASE, rules: [otherTeamsRule] });
        assert.equal(first.status, 200);
        const second = await f.api("POST", `${f.paths.zone}/rulesets`, { name: "ours", kind: "zone", phase: PHASE, rules: [] });
        assert.equal(second.status, 400);
        assert.match(second.body.errors[0]!.message, /use the PUT method/);
        const entrypoint = await f.api("GET", `${f.paths.zone}/rulesets/phases/${PHASE}/entrypoint`);
        assert.equal(entrypoint.body.result.id, first.body.result.id);
    });

    it("PUT replaces the rules: another team's rule survives only if sent back, and keeps its ID by ref", async () => {
        const f = await standInWithZone();
        const seeded = (await f.api("PUT", `${f.paths.zone}/rulesets/phases/${PHASE}/entrypoint`, { rules: [otherTeamsRule] })).body.result;
        const theirs = (seeded.rules as Array<{ id: string }>)[0]!.id;
        const ours = { ref: "ours", expression: 'http.host eq "www.cq-route.com"', action: "rewrite", action_parameters: { headers: { "X-Edge-Auth": { operation: "set", value: "s" } } } };
        const both = (await f.api("PUT", `${f.paths.zone}/rulesets/phases/${PHASE}/entrypoint`, { rules: [otherTeamsRule, ours] })).body.result;
        assert.deepEqual((both.rules as Array<{ id: string; ref: string; version: string }>).map((r) => [r.ref, r.id === theirs, r.version]), [
            ["other-team", true, "1"],
            ["ours", false, "1"],
        ]);
        assert.equal(both.version, "2");
        const onlyOurs = (await f.api("PUT", `${f.paths.zone}/rulesets/phases/${PHASE}/entrypoint`, { rules: [ours] })).body.result;
        assert.deepEqual((onlyOurs.rules as Array<{ ref: string }>).map((r) => r.ref), ["ours"]);
    });

    it("an absent entrypoint is a 404, and a deleted ruleset is gone", async () => {
        const f = await standInWithZone();
        assert.equal((await f.api("GET", `${f.paths.zone}/rulesets/phases/${PHASE}/entrypoint`)).status, 404);
        const created = await f.api("POST", `${f.paths.zone}/rulesets`, { name: "default", kind: "zone", phase: PHASE, rules: [] });
        const id = created.body.result.id as string;
        assert.equal((await f.api("DELETE", `${f.paths.zone}/rulesets/${id}`)).status, 204);
        assert.equal((await f.api("GET", `${f.paths.zone}/rulesets/${id}`)).status, 404);
    });
});

describe("Cloudflare stand-in: IDs and timestamps are the server's", () => {
    it("every object gets a 32-hex ID and created_on/modified_on, whatever the client sent", async () => {
        const f = await standInWithZone();
        const sent = { id: "chosen-by-client", created_on: "2000-01-01T00:00:00Z" };
        const monitor = await f.api("POST", `${f.paths.account}/load_balancers/monitors`, { ...sent, expected_codes: "200" });
        const record = await f.api("POST", `${f.paths.zone}/dns_records`, { ...sent, type: "A", name: "www", content: "192.0.2.1" });
        for (const reply of [monitor, record]) {
            assert.match(reply.body.result.id as string, HEX32);
            assert.notEqual(reply.body.result.created_on, sent.created_on);
            assert.ok(!Number.isNaN(Date.parse(reply.body.result.modified_on as string)));
        }
        takeViolations(f.standIn); // read-only fields in a request body, on purpose
    });

    it("an update keeps created_on and moves modified_on", async () => {
        const f = await standInWithZone();
        const { poolId } = await monitorAndPool(f);
        const before = f.account.pools[0]!;
        before.modified_on = "2000-01-01T00:00:00.000Z";
        const after = (await f.api("PATCH", `${f.paths.account}/load_balancers/pools/${poolId}`, { enabled: false })).body.result;
        assert.equal(after.created_on, before.created_on);
        assert.notEqual(after.modified_on, "2000-01-01T00:00:00.000Z");
    });
});

describe("Cloudflare stand-in: defaults are the schema's", () => {
    it("a pool, its origins and a load balancer are filled in as Cloudflare answers them", async () => {
        const f = await standInWithZone();
        const pool = (await f.api("POST", `${f.paths.account}/load_balancers/pools`, { name: "p", origins: [{ name: "o", address: "o.example.com" }] })).body.result;
        assert.equal(pool.enabled, true);
        assert.equal(pool.minimum_origins, 1);
        assert.deepEqual(pool.origins, [{ name: "o", address: "o.example.com", enabled: true, weight: 1 }]);
        assert.deepEqual(pool.origin_steering, { policy: "random" });
        const lb = (await f.api("POST", `${f.paths.zone}/load_balancers`, { name: "lb.cq-route.com", default_pools: [pool.id], fallback_pool: pool.id })).body.result;
        assert.deepEqual([lb.proxied, lb.enabled, lb.steering_policy, lb.session_affinity, lb.ttl], [false, true, "", "none", 30]);
        assert.deepEqual(lb.adaptive_routing, { failover_across_pools: false });
        const monitor = (await f.api("POST", `${f.paths.account}/load_balancers/monitors`, { expected_codes: "200" })).body.result;
        assert.deepEqual([monitor.type, monitor.method, monitor.path, monitor.interval, monitor.timeout, monitor.retries], ["http", "GET", "/", 60, 5, 2]);
    });

    it("a proxied record's TTL is automatic (1)", async () => {
        const f = await standInWithZone();
        const record = await f.api("POST", `${f.paths.zone}/dns_records`, { type: "CNAME", name: "www", content: "o.example.com", proxied: true, ttl: 300 });
        assert.equal(record.body.result.ttl, 1);
    });
});

describe("Cloudflare stand-in: create, read, list, update, patch and delete, through fetch", () => {
    const kinds = [
        {
            kind: "monitor",
            collection: (f: Fixture) => `${f.paths.account}/load_balancers/monitors`,
            create: { expected_codes: "200", type: "https", description: "first" },
            put: { expected_codes: "2xx", type: "https" },
            patch: { description: "patched" },
            notFound: 1001,
        },
        {
            kind: "pool",
            collection: (f: Fixture) => `${f.paths.account}/load_balancers/pools`,
            create: { name: "p", description: "first", origins: [{ name: "o", address: "o.example.com" }] },
            put: { name: "p2", origins: [{ name: "o", address: "o.example.com" }] },
            patch: { description: "patched" },
            notFound: 1002,
        },
        {
            kind: "DNS record",
            collection: (f: Fixture) => `${f.paths.zone}/dns_records`,
            create: { type: "A", name: "www", content: "192.0.2.1", comment: "first" },
            put: { type: "A", name: "www", content: "192.0.2.9" },
            patch: { comment: "patched" },
            notFound: 81044,
        },
    ];
    for (const { kind, collection, create, put, patch, notFound } of kinds) {
        it(`${kind}: PATCH merges, PUT replaces, DELETE answers the ID, then GET is Cloudflare's 404`, async () => {
            const f = await standInWithZone();
            const created = (await f.api("POST", collection(f), create)).body.result;
            const one = `${collection(f)}/${created.id as string}`;
            assert.deepEqual((await f.api("GET", one)).body.result, created);
            const listed = await f.api("GET", collection(f));
            assert.deepEqual(listed.body.result, [created]);
            assert.deepEqual(
                [listed.body.result_info!.count, listed.body.result_info!.total_count, listed.body.result_info!.page],
                [1, 1, 1],
            );
            const patched = (await f.api("PATCH", one, patch)).body.result;
            assert.equal(patched.description ?? patched.comment, "patched");
            assert.ok(Object.keys(create).every((key) => key in patched), "PATCH kept what it did not send");
            const replaced = (await f.api("PUT", one, put)).body.result;
            assert.equal(replaced.description ?? replaced.comment, undefined, "PUT dropped what it did not send");
            assert.equal(replaced.id, created.id);
            const deleted = await f.api("DELETE", one);
            assert.deepEqual(deleted.body.result, { id: created.id });
            const gone = await f.api("GET", one);
            assert.equal(gone.status, 404);
            assert.deepEqual(gone.body.errors.map((e) => e.code), [notFound]);
            assert.equal(gone.body.success, false);
        });
    }

    it("load balancer: the same life cycle", async () => {
        const f = await standInWithZone();
        const { poolId } = await monitorAndPool(f);
        const created = (await loadBalancer(f, poolId)).body.result;
        const one = `${f.paths.zone}/load_balancers/${created.id as string}`;
        assert.deepEqual((await f.api("GET", `${f.paths.zone}/load_balancers`)).body.result, [created]);
        assert.equal((await f.api("PATCH", one, { description: "patched" })).body.result.steering_policy, "off");
        const replaced = (await f.api("PUT", one, { name: "origin-www-lb.cq-route.com", default_pools: [poolId], fallback_pool: poolId })).body.result;
        assert.deepEqual([replaced.steering_policy, replaced.description, replaced.proxied], ["", undefined, false]);
        assert.deepEqual((await f.api("DELETE", one)).body.result, { id: created.id });
        assert.equal((await f.api("GET", one)).status, 404);
    });

    it("notification policy: create and update answer the ID; the policy reads back whole", async () => {
        const f = await standInWithZone();
        const policy = { name: "fail-open", alert_type: "load_balancing_health_alert", enabled: true, mechanisms: { email: [{ id: "oncall@example.com" }] }, filters: { pool_id: ["0123456789abcdef0123456789abcdef"] } };
        const created = (await f.api("POST", `${f.paths.account}/alerting/v3/policies`, policy)).body.result;
        assert.deepEqual(Object.keys(created), ["id"]);
        const one = `${f.paths.account}/alerting/v3/policies/${created.id as string}`;
        assert.equal((await f.api("GET", one)).body.result.name, "fail-open");
        await f.api("PUT", one, { ...policy, name: "renamed" });
        assert.deepEqual((await f.api("GET", `${f.paths.account}/alerting/v3/policies`)).body.result.map((p: Json) => p.name), ["renamed"]);
        assert.equal((await f.api("DELETE", one)).status, 200);
        assert.equal((await f.api("GET", one)).status, 404);
    });

    it("zones, token verification, IP ranges and alert types answer", async () => {
        const f = await standInWithZone();
        assert.deepEqual((await f.api("GET", `/zones?name=${ZONE_NAME}`)).body.result.map((z: Json) => z.id), [f.zone.id]);
        assert.equal((await f.api("GET", f.paths.zone)).body.result.name, ZONE_NAME);
        f.zone.plan = "pro";
        assert.deepEqual(await f.sdk.zones.get({ zone_id: f.zone.id }).then((zone) => [zone.plan.legacy_id, zone.plan.name]), ["pro", "Pro Website"]);
        assert.equal((await f.api("GET", "/user/tokens/verify")).body.result.status, "active");
        assert.ok(((await f.api("GET", "/ips", undefined, {})).body.result.ipv4_cidrs as string[]).length > 0, "IP ranges need no token");
        assert.ok("Load Balancing" in (await f.api("GET", `${f.paths.account}/alerting/v3/available_alerts`)).body.result);
    });

    it("every operation of the subset is routed to a handler", async () => {
        const f = await standInWithZone();
        const unknown = "00000000000000000000000000000000";
        for (const { method, template } of operations()) {
            const path = template.replace(/\{[a-z_]+\}/g, unknown);
            const reply = await f.api(method.toUpperCase(), path, method === "get" || method === "delete" ? undefined : {});
            assert.ok(!reply.body.errors?.some((e) => e.code === 7000), `${method.toUpperCase()} ${template} is not routed`);
        }
        assert.equal(operations().length, 47);
        assert.ok(!f.standIn.violations.some((v) => v.includes("the stand-in failed") || v.includes("not an operation")), f.standIn.violations.join("\n"));
        takeViolations(f.standIn); // empty bodies, on purpose
    });
});

describe("Cloudflare stand-in: lists paginate as the SDK expects", () => {
    it("DNS records: page and per_page (up to 5,000), and the SDK's for-await reads every page", async () => {
        const f = await standInWithZone();
        for (let i = 0; i < 7; i++) await f.api("POST", `${f.paths.zone}/dns_records`, { type: "A", name: `h${i}`, content: `192.0.2.${i}` });
        const second = await f.api("GET", `${f.paths.zone}/dns_records?per_page=3&page=2`);
        assert.deepEqual(second.body.result_info, { page: 2, per_page: 3, count: 3, total_count: 7, total_pages: 3 });
        assert.deepEqual(second.body.result.map((r: Json) => r.name), ["h3.cq-route.com", "h4.cq-route.com", "h5.cq-route.com"]);
        assert.deepEqual((await f.api("GET", `${f.paths.zone}/dns_records?per_page=3&page=4`)).body.result, []);
        assert.equal((await f.api("GET", `${f.paths.zone}/dns_records?per_page=9000`)).body.result_info!.per_page, 5000);
        const names: string[] = [];
        for await (const record of f.sdk.dns.records.list({ zone_id: f.zone.id, per_page: 3 })) names.push(record.name);
        assert.equal(names.length, 7);
        assert.equal(f.standIn.counts()["dns-records-for-a-zone-list-dns-records"], 3 + 4, "three pages and the empty one that ends the iteration");
    });

    it("DNS records filter by name (exact or partial), type and content, and order", async () => {
        const f = await standInWithZone();
        await f.api("POST", `${f.paths.zone}/dns_records`, { type: "CNAME", name: "www", content: "origin-www.cq-route.com" });
        await f.api("POST", `${f.paths.zone}/dns_records`, { type: "A", name: "api", content: "192.0.2.1" });
        await f.api("POST", `${f.paths.zone}/dns_records`, { type: "TXT", name: "api", content: "v=spf1 -all" });
        const names = async (query: string) => (await f.api("GET", `${f.paths.zone}/dns_records?${query}`)).body.result.map((r: Json) => `${r.type as string} ${r.name as string}`);
        assert.deepEqual(await names("name=WWW.cq-route.com"), ["CNAME www.cq-route.com"]);
        assert.deepEqual(await names("name.exact=api.cq-route.com&type=TXT"), ["TXT api.cq-route.com"]);
        assert.deepEqual(await names("name.startswith=api"), ["A api.cq-route.com", "TXT api.cq-route.com"]);
        assert.deepEqual(await names("content=192.0.2.1"), ["A api.cq-route.com"]);
        assert.deepEqual(await names("order=type&direction=desc"), ["TXT api.cq-route.com", "CNAME www.cq-route.com", "A api.cq-route.com"]);
        const sdk = await f.sdk.dns.records.list({ zone_id: f.zone.id, name: { exact: "www.cq-route.com" } });
        assert.deepEqual(sdk.result.map((r) => r.content), ["origin-www.cq-route.com"]);
    });

    it("zones: the SDK's for-await reads every page", async () => {
        const f = await standInWithZone();
        for (let i = 0; i < 24; i++) f.standIn.state.addZone(f.account.id, `zone${i}.example`);
        const ids: string[] = [];
        for await (const zone of f.sdk.zones.list()) ids.push(zone.id);
        assert.equal(ids.length, 25);
    });
});

describe("Cloudflare stand-in: what status and preflight read, through the SDK", () => {
    it("pools, load balancers, pool health and previews", async () => {
        const f = await standInWithZone();
        const { poolId } = await monitorAndPool(f);
        await loadBalancer(f, poolId);
        const pools = [];
        for await (const pool of f.sdk.loadBalancers.pools.list({ account_id: f.account.id })) pools.push(pool);
        assert.deepEqual(pools.map((p) => p.id), [poolId]);
        const lbs = await f.sdk.loadBalancers.list({ zone_id: f.zone.id });
        assert.deepEqual(lbs.result.map((lb) => lb.default_pools), [[poolId]]);
        f.standIn.state.regionsOf(f.account, poolId)["Ashburn, VA"] = false;
        const health = (await f.sdk.loadBalancers.pools.health.get(poolId, { account_id: f.account.id })) as unknown as { pop_health: Record<string, { healthy: boolean }> };
        assert.deepEqual(Object.entries(health.pop_health).map(([region, v]) => [region, v.healthy]), [
            ["Amsterdam, NL", true],
            ["Ashburn, VA", false],
        ]);
        f.account.probes["cq-route.example.cequence.ai"] = { healthy: false, failureReason: "Response code mismatch error", responseCode: 503, rtt: "40ms" };
        f.standIn.state.previewPendingPolls = 1;
        const preview = await f.sdk.loadBalancers.pools.health.create(poolId, { account_id: f.account.id, expected_codes: "200" });
        assert.deepEqual(await f.sdk.loadBalancers.previews.get(preview.preview_id!, { account_id: f.account.id }), {}, "still pending");
        const result = (await f.sdk.loadBalancers.previews.get(preview.preview_id!, { account_id: f.account.id })) as unknown as Record<string, { healthy: boolean; origins: Array<Record<string, { response_code: number }>> }>;
        assert.equal(result[poolId]!.healthy, false);
        assert.deepEqual(result[poolId]!.origins, [{ "cq-route.example.cequence.ai.": { healthy: false, failure_reason: "Response code mismatch error", response_code: 503, rtt: "40ms" } }]);
    });

    it("pools, load balancers and DNS records: create, get, update, edit and delete", async () => {
        const f = await standInWithZone();
        const account = { account_id: f.account.id };
        const zone = { zone_id: f.zone.id };
        const origins = [{ name: "o", address: "o.example.com" }];
        const pool = await f.sdk.loadBalancers.pools.create({ ...account, name: "p", origins });
        assert.ok(pool.id !== undefined);
        assert.equal((await f.sdk.loadBalancers.pools.get(pool.id, account)).name, "p");
        assert.equal((await f.sdk.loadBalancers.pools.edit(pool.id, { ...account, description: "d" })).name, "p");
        assert.equal((await f.sdk.loadBalancers.pools.update(pool.id, { ...account, name: "q", origins })).description, undefined);

        const lb = await f.sdk.loadBalancers.create({ ...zone, name: "lb.cq-route.com", default_pools: [pool.id], fallback_pool: pool.id });
        assert.ok(lb.id !== undefined);
        assert.deepEqual((await f.sdk.loadBalancers.get(lb.id, zone)).default_pools, [pool.id]);
        assert.equal((await f.sdk.loadBalancers.edit(lb.id, { ...zone, steering_policy: "random" })).steering_policy, "random");
        assert.equal((await f.sdk.loadBalancers.update(lb.id, { ...zone, name: "lb.cq-route.com", default_pools: [pool.id], fallback_pool: pool.id })).steering_policy, "");
        assert.deepEqual(await f.sdk.loadBalancers.delete(lb.id, zone), { id: lb.id });
        assert.deepEqual(await f.sdk.loadBalancers.pools.delete(pool.id, account), { id: pool.id });

        const record = await f.sdk.dns.records.create({ ...zone, type: "CNAME", name: "www", content: "o.example.com.", ttl: 1, proxied: true });
        assert.equal((await f.sdk.dns.records.get(record.id, zone)).content, "o.example.com");
        assert.equal((await f.sdk.dns.records.edit(record.id, { ...zone, comment: "c" } as never)).comment, "c");
        assert.equal((await f.sdk.dns.records.update(record.id, { ...zone, type: "CNAME", name: "www", content: "p.example.com", ttl: 1 })).comment, undefined);
        assert.deepEqual(await f.sdk.dns.records.delete(record.id, zone), { id: record.id });
        await assert.rejects(f.sdk.dns.records.get(record.id, zone), (error: Error & { status?: number }) => error.status === 404);
    });

    it("a zone's status and paused flag, as Cloudflare reports them, and the zone list filtered by status", async () => {
        const f = await standInWithZone();
        const zone = await f.sdk.zones.get({ zone_id: f.zone.id });
        assert.deepEqual([zone.status, zone.paused, zone.type], ["active", false, "full"], "a new zone of the stand-in is an active full zone");
        f.zone.paused = true;
        f.zone.status = "moved";
        const changed = await f.sdk.zones.get({ zone_id: f.zone.id });
        assert.deepEqual([changed.status, changed.paused], ["moved", true]);
        const other = f.standIn.state.addZone(f.account.id, "other.example");
        const listed = async (status: "active" | "moved") => {
            const ids: string[] = [];
            for await (const z of f.sdk.zones.list({ status })) ids.push(z.id);
            return ids;
        };
        assert.deepEqual(await listed("moved"), [f.zone.id]);
        assert.deepEqual(await listed("active"), [other.id]);
    });

    it("a monitor's preview covers the pools that use it", async () => {
        const f = await standInWithZone();
        const { monitorId, poolId } = await monitorAndPool(f);
        const preview = await f.sdk.loadBalancers.monitors.previews.create(monitorId, { account_id: f.account.id, expected_codes: "200" });
        assert.deepEqual(preview.pools, { [poolId]: "cequence_www.cq-route.com__test" });
    });
});

describe("Cloudflare stand-in: seeding and out-of-band changes", () => {
    it("invoke creates objects through the operations, validated like requests", async () => {
        const f = await standInWithZone();
        const record = f.standIn.invoke("dns-records-for-a-zone-create-dns-record", { zone_id: f.zone.id }, { type: "CNAME", name: "www", content: "origin-www.cq-route.com." }) as Json;
        assert.equal(record.content, "origin-www.cq-route.com");
        assert.equal(f.standIn.served.length, 0, "no request was served");
        assert.throws(() => f.standIn.invoke("dns-records-for-a-zone-create-dns-record", { zone_id: f.zone.id }, { type: "A", name: "www", content: "192.0.2.1" }), /81053|A, AAAA, or CNAME/);
        f.standIn.invoke("load-balancers-create-load-balancer", { zone_id: f.zone.id }, { name: "lb.cq-route.com", defaultPools: [] });
        assert.ok(takeViolations(f.standIn).some((v) => v.includes("defaultPools")));
    });

    it("a change made to the state directly is what the API answers next", async () => {
        const f = await standInWithZone();
        const { poolId } = await monitorAndPool(f);
        f.account.pools[0]!.enabled = false;
        assert.equal((await f.api("GET", `${f.paths.account}/load_balancers/pools/${poolId}`)).body.result.enabled, false);
    });
});

describe("Cloudflare stand-in: faults on demand", () => {
    it("429 with Retry-After, a given number of times, for one operation", async () => {
        const f = await standInWithZone();
        f.standIn.faults.inject({ fault: { kind: "rate-limit", retryAfterSeconds: 7 }, times: 2, operationId: "account-load-balancer-pools-list-pools" });
        const statuses = [];
        for (let i = 0; i < 3; i++) {
            const reply = await f.api("GET", `${f.paths.account}/load_balancers/pools`);
            statuses.push([reply.status, reply.headers.get("retry-after")]);
        }
        assert.deepEqual(statuses, [
            [429, "7"],
            [429, "7"],
            [200, null],
        ]);
        assert.equal((await f.api("GET", `${f.paths.account}/load_balancers/monitors`)).status, 200, "other operations are served");
    });

    it("a 5xx with Cloudflare's failure envelope", async () => {
        const f = await standInWithZone();
        f.standIn.faults.inject({ fault: { kind: "server-error", status: 503 }, times: 1 });
        const reply = await f.api("GET", `${f.paths.zone}/load_balancers`);
        assert.equal(reply.status, 503);
        assert.equal(reply.body.success, false);
        assert.equal((await f.api("GET", `${f.paths.zone}/load_balancers`)).status, 200);
    });

    it("a refused token: 401 or 403", async () => {
        const f = await standInWithZone();
        f.standIn.faults.inject({ fault: { kind: "refuse", status: 403 }, times: 1 });
        f.standIn.faults.inject({ fault: { kind: "refuse", status: 401 }, times: 1 });
        assert.deepEqual([(await f.api("GET", "/zones")).status, (await f.api("GET", "/zones")).status], [403, 401]);
    });

    it("answer-late does what was asked at once and holds only the answer back", async () => {
        const f = await standInWithZone();
        f.standIn.faults.inject({ fault: { kind: "answer-late", ms: 60_000 }, times: 1, operationId: "account-load-balancer-monitors-create-monitor" });
        const controller = new AbortController();
        const answered = fetch(`${f.standIn.baseUrl}${f.paths.account}/load_balancers/monitors`, {
            method: "POST",
            headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/json" },
            body: JSON.stringify({ type: "https", expected_codes: "200", path: "/health" }),
            signal: controller.signal,
        }).catch((error: unknown) => error);
        const { account } = f;
        for (let i = 0; i < 200 && account.monitors.length === 0; i++) await new Promise((resolve) => setTimeout(resolve, 10));
        assert.equal(account.monitors.length, 1, "the monitor exists while its answer is held");
        controller.abort();
        assert.ok((await answered) instanceof Error, "the caller gave up without an answer");
    });

    it("a delay fault holds the answer back by its time", async () => {
        const f = await standInWithZone();
        f.standIn.faults.inject({ fault: { kind: "delay", ms: 150 }, times: 1 });
        assert.equal((await f.api("GET", "/zones")).status, 200);
        assert.equal(f.standIn.served[0]!.delayedMs, 150);
    });

    it("a dropped connection fails the request", async () => {
        const f = await standInWithZone();
        f.standIn.faults.inject({ fault: { kind: "drop" }, times: 1 });
        await assert.rejects(f.api("GET", "/zones"), /fetch failed/);
        assert.equal((await f.api("GET", "/zones")).status, 200);
    });

    it("headers then a stalled body: the status arrives, the body never does", async () => {
        const f = await standInWithZone();
        f.standIn.faults.inject({ fault: { kind: "stall-body" } });
        const abort = new AbortController();
        const response = await fetch(`${f.standIn.baseUrl}/zones`, { headers: { authorization: `Bearer ${TOKEN}` }, signal: abort.signal });
        assert.equal(response.status, 200);
        const body = response.text();
        abort.abort();
        await assert.rejects(body, { name: "AbortError" });
    });

    it("a hung request is never answered, and counts as in flight until its connection closes", async () => {
        const f = await standInWithZone();
        f.standIn.faults.inject({ fault: { kind: "hang" } });
        const abort = new AbortController();
        const requests = [1, 2, 3].map(() => fetch(`${f.standIn.baseUrl}/zones`, { headers: { authorization: `Bearer ${TOKEN}` }, signal: abort.signal }));
        for (let i = 0; i < 200 && f.standIn.served.length < 3; i++) await new Promise((resolve) => setImmediate(resolve));
        assert.equal(f.standIn.served.length, 3);
        assert.equal(f.standIn.maxInFlight, 3);
        abort.abort();
        for (const request of requests) await assert.rejects(request, { name: "AbortError" });
    });
});

describe("Cloudflare stand-in: Cloudflare's rate limit, on demand", () => {
    it("is Cloudflare's: 1,200 requests per user in five minutes", () => {
        assert.deepEqual({ ...CLOUDFLARE_RATE_LIMIT }, { limit: 1200, windowMs: 300_000 });
    });

    it("lets a user send their limit in a window, then blocks them for a whole window with retry-after rounded up", () => {
        const limiter = new RateLimiter({ limit: 3, windowMs: 10_000 });
        assert.deepEqual([0, 1, 2].map((t) => limiter.take("a", t)), [undefined, undefined, undefined]);
        assert.equal(limiter.take("a", 3), 10, "the fourth is refused: blocked for the next window");
        assert.equal(limiter.take("b", 4), undefined, "another user has a budget of their own");
        assert.equal(limiter.take("a", 8_500), 2, "still blocked: 1.5 s left, rounded up to whole seconds");
        assert.equal(limiter.take("a", 10_003), undefined, "after the block, a new window");
        assert.equal(limiter.refused, 2);
    });

    it("starts a new window when the last one has passed, without a block", () => {
        const limiter = new RateLimiter({ limit: 2, windowMs: 1_000 });
        assert.deepEqual([0, 500, 1_000, 1_500].map((t) => limiter.take("a", t)), [undefined, undefined, undefined, undefined]);
    });

    it("is refused when it could never let a request through", () => {
        assert.throws(() => new RateLimiter({ limit: 0, windowMs: 1_000 }), /limit ≥ 1/);
    });

    it("answers 429 with retry-after over HTTP once the user is over, on every token of that user; another user's token goes on", async () => {
        const f = await standInWithZone();
        f.standIn.limitRate({ limit: 2, windowMs: 60_000 });
        const statuses = [];
        for (let i = 0; i < 3; i++) {
            const reply = await f.api("GET", "/zones");
            statuses.push([reply.status, reply.headers.get("retry-after"), reply.body.errors?.[0]?.code ?? null]);
        }
        assert.deepEqual(statuses, [
            [200, null, null],
            [200, null, null],
            [429, "60", 10429],
        ]);
        const sameUser = await f.api("GET", "/zones", undefined, { authorization: `Bearer ${TOKEN.replace("standIn", "another")}` });
        assert.equal(sameUser.status, 429, "the limit is the user's, counted across all their tokens");
        const keyOfSameUser = await f.api("GET", "/zones", undefined, { "x-auth-email": "me@example.com", "x-auth-key": "k" });
        assert.equal(keyOfSameUser.status, 429, "and their global API key");
        const otherUsers = `Bearer ${TOKEN.replace("standIn", "someone")}`;
        f.standIn.credentialOwners.set(otherUsers, "someone-else");
        const other = await f.api("GET", "/zones", undefined, { authorization: otherUsers });
        assert.equal(other.status, 200);
        assert.deepEqual(takeViolations(f.standIn), []);
    });
});

describe("Cloudflare stand-in: credentials as the real API takes them", () => {
    it("a Bearer token alone (40 to 80 of [0-9A-Za-z_-]) or the e-mail and global key; nothing else", async () => {
        const f = await standInWithZone();
        assert.equal((await f.api("GET", "/zones", undefined, { authorization: `Bearer ${TOKEN}` })).status, 200);
        assert.equal((await f.api("GET", "/zones", undefined, { "x-auth-email": "me@example.com", "x-auth-key": "k" })).status, 200);
        const malformed = await f.api("GET", "/zones", undefined, { authorization: "Bearer short" });
        assert.deepEqual([malformed.status, malformed.body.errors[0]!.code], [400, 6003]);
        const missing = await f.api("GET", "/zones", undefined, {});
        assert.deepEqual([missing.status, missing.body.errors[0]!.code], [400, 9106]);
    });

    it("an unknown account or zone is Cloudflare's 7003", async () => {
        const f = await standInWithZone();
        const reply = await f.api("GET", "/zones/0123456789abcdef0123456789abcdef/load_balancers");
        assert.deepEqual([reply.status, reply.body.errors[0]!.code], [404, 7003]);
    });
});

describe("Cloudflare stand-in: what does not conform is recorded", () => {
    it("a camelCase field in a load balancer create (sessionAffinity) is a violation", async () => {
        const f = await standInWithZone();
        const { poolId } = await monitorAndPool(f);
        await f.api("POST", `${f.paths.zone}/load_balancers`, { name: "lb.cq-route.com", default_pools: [poolId], fallback_pool: poolId, sessionAffinity: "cookie" });
        const violations = takeViolations(f.standIn);
        assert.ok(
            violations.some((v) => /^POST \/zones\/\{zone_id\}\/load_balancers request: .*unevaluatedProperty.*sessionAffinity/.test(v)),
            violations.join("\n"),
        );
    });

    it("an unknown field in a nested object (a pool's origin) is a violation", async () => {
        const f = await standInWithZone();
        await f.api("POST", `${f.paths.account}/load_balancers/pools`, { name: "p", origins: [{ name: "o", address: "o.example.com", wieght: 1 }] });
        assert.match(takeViolations(f.standIn).join("\n"), /wieght/);
    });

    it("a field newer than the schema that the provider sends is accepted (origins[].port)", async () => {
        const f = await standInWithZone();
        await f.api("POST", `${f.paths.account}/load_balancers/pools`, { name: "p", origins: [{ name: "o", address: "o.example.com", port: 9443 }] });
        assert.deepEqual(f.standIn.violations, []);
    });

    it("state that Cloudflare could not hold is caught when it is served", async () => {
        const f = await standInWithZone();
        const { poolId } = await monitorAndPool(f);
        f.account.pools[0]!.invented = true;
        await f.api("GET", `${f.paths.account}/load_balancers/pools/${poolId}`);
        assert.match(takeViolations(f.standIn).join("\n"), /GET \/accounts\/\{account_id\}\/load_balancers\/pools\/\{pool_id\} response 200: .*invented/);
    });

    it("a path outside the subset is a violation", async () => {
        const f = await standInWithZone();
        assert.equal((await f.api("GET", `${f.paths.zone}/settings`)).status, 404);
        assert.match(takeViolations(f.standIn).join("\n"), /not an operation of the OpenAPI subset/);
    });
});

describe("Cloudflare stand-in: observability", () => {
    it("the request log, counts per operation, and a fixed answer delay", async () => {
        const f = await standInWithZone();
        f.standIn.latencyMs = 30;
        await Promise.all([f.api("GET", "/zones"), f.api("GET", "/zones"), f.api("GET", `${f.paths.zone}/dns_records`)]);
        assert.deepEqual(f.standIn.counts(), { "zones-get": 2, "dns-records-for-a-zone-list-dns-records": 1 });
        // The delay the stand-in applied, not the wall clock: timers may fire a fraction of a millisecond early.
        assert.ok(f.standIn.served.every((s) => s.delayedMs === 30 && s.status === 200 && s.authorization === `Bearer ${TOKEN}`));
        assert.deepEqual(f.standIn.served.map((s) => s.template).sort(), ["/zones", "/zones", "/zones/{zone_id}/dns_records"]);
    });
});
