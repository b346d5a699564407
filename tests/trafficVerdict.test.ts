import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { parseStackConfig } from "../config/parse";
import { CONFIG_NAMESPACE } from "../config/rawConfig";
import type { StackConfig } from "../config/schema";
import { PATH_RULE, pathRuleCondition } from "../components/paths";
import type { LiveApp, LiveLoadBalancer, LivePool, LiveRecord, LiveRule, LiveState, LiveZone, PoolHealth } from "../tools/live/deployment";
import { trafficVerdict, type TrafficPath, type TrafficVerdict } from "../tools/live/trafficVerdict";

const CEQUENCE = "cq-route.example.cequence.ai";
const HOST = "www.cq-route.com";
const LB = "origin-www-lb.cq-route.com";
const ORIGIN = "origin-www.cq-route.com";

function config(cequence: Record<string, unknown> = {}, app: Record<string, unknown> = {}): StackConfig {
    const raw = {
        accountId: "0123456789abcdef0123456789abcdef",
        zoneId: "fedcba9876543210fedcba9876543210",
        zone: "cq-route.com",
        cequence: JSON.stringify({ hostname: CEQUENCE, ...cequence }),
        apps: JSON.stringify([{ hostname: HOST, origin: ORIGIN, ...app }]),
    };
    const parsed = parseStackConfig({ values: Object.fromEntries(Object.entries(raw).map(([k, v]) => [`${CONFIG_NAMESPACE}:${k}`, v])), secretKeys: [] });
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.issues));
    return parsed.config;
}

/** The stack's path rule for /login and /api/*, sending every other path to the origin pool, as Cloudflare reports it. */
function pathRule(changes: Partial<LiveRule> = {}): LiveRule {
    return { name: PATH_RULE.name, condition: pathRuleCondition(["/login", "/api/*"]), disabled: false, terminates: true, pools: ["origin"], fallbackPool: "origin", fixedResponse: false, ...changes };
}

/** A rule someone added in the dashboard. */
const otherRule: LiveRule = { name: "staging", condition: 'http.request.uri.path contains "/beta"', disabled: false, terminates: false, pools: ["origin"], fallbackPool: undefined, fixedResponse: false };

function pool(id: string, address: string): LivePool {
    return { id, name: `${id}_pool`, enabled: true, monitor: `${id}-monitor`, origins: [{ address, enabled: true, weight: 1 }] };
}

/** What `pulumi up` leaves for the guide's app, every pool healthy, and a way to change any of it. */
class World {
    record: LiveRecord = { id: "r1", name: HOST, type: "CNAME", content: LB, proxied: true };
    lbRecord: LiveRecord | undefined = undefined;
    cequence = pool("cequence", CEQUENCE);
    origin = pool("origin", ORIGIN);
    extra: LivePool[] = [];
    lb: LiveLoadBalancer = {
        id: "lb",
        name: LB,
        enabled: true,
        proxied: true,
        defaultPools: ["cequence", "origin"],
        fallbackPool: "origin",
        steeringPolicy: "off",
        poolWeights: {},
        defaultWeight: 1,
        geoPools: [],
        rules: [],
        failoverAcrossPools: true,
    };
    health = new Map<string, PoolHealth>([
        ["cequence", { healthy: true, regions: [{ region: "Amsterdam, NL", healthy: true }] }],
        ["origin", { healthy: true, regions: [{ region: "Amsterdam, NL", healthy: true }] }],
    ]);
    zone: LiveZone = { name: "cq-route.com", status: "active", paused: false, plan: "enterprise" };
    /** A load balancer named as the public hostname (enabled), which Cloudflare answers with instead of the record. */
    shadowedBy: LiveLoadBalancer | undefined = undefined;
    noRecord = false;
    noLoadBalancer = false;

    get app(): LiveApp {
        return {
            record: this.noRecord ? undefined : this.record,
            lbRecord: this.lbRecord,
            loadBalancer: this.noLoadBalancer ? undefined : this.lb,
            shadowedBy: this.shadowedBy,
            cequencePool: { pool: this.cequence, expectedName: this.cequence.name },
            originPool: { pool: this.origin, expectedName: this.origin.name },
        };
    }

    state(read: "all" | "cequence" = "all"): Pick<LiveState, "pools" | "health" | "zone"> {
        const pools = new Map([this.cequence, this.origin, ...this.extra].map((p) => [p.id, p]));
        const health = read === "all" ? this.health : new Map([...this.health].filter(([id]) => id === "cequence"));
        return { pools, health, zone: this.zone };
    }

    setHealth(id: string, healthy: boolean): void {
        this.health.set(id, { healthy, regions: [{ region: "Amsterdam, NL", healthy }] });
    }
}

function verdictOf(world: World, stack: StackConfig = config()): TrafficVerdict {
    return trafficVerdict(stack.apps[0]!, stack, world.app, world.state());
}

describe("the traffic verdict follows the path as Cloudflare routes it", () => {
    const cases: Array<{ traffic: TrafficPath; state: string; change: (w: World) => void; stack?: StackConfig }> = [
        { traffic: "through-cequence", state: "the guide's deployment, Cequence healthy", change: () => {} },
        { traffic: "failed-open", state: "Cequence's pool unhealthy, the origin's healthy", change: (w) => w.setHealth("cequence", false) },
        { traffic: "forced-out-of-line", state: "Cequence's pool disabled", change: (w) => void (w.cequence.enabled = false) },
        { traffic: "down", state: "both pools unhealthy", change: (w) => ["cequence", "origin"].forEach((id) => w.setHealth(id, false)) },
        { traffic: "down", state: "Cequence disabled and the origin unhealthy", change: (w) => ((w.cequence.enabled = false), w.setHealth("origin", false)) },
        { traffic: "bypassed", state: "the record points at the origin", change: (w) => void (w.record.content = ORIGIN) },
        { traffic: "bypassed", state: "the record is an A record", change: (w) => void (w.record = { ...w.record, type: "A", content: "192.0.2.1" }) },
        { traffic: "bypassed", state: "the record is an AAAA record", change: (w) => void (w.record = { ...w.record, type: "AAAA", content: "2001:db8::1" }) },
        { traffic: "bypassed", state: "the record points anywhere else", change: (w) => void (w.record.content = "elsewhere.example.net") },
        { traffic: "bypassed", state: "the origin pool is first", change: (w) => void w.lb.defaultPools.reverse() },
        { traffic: "bypassed", state: "Cequence's pool is not among default_pools", change: (w) => void (w.lb.defaultPools = ["origin"]) },
        { traffic: "bypassed", state: "Cequence's pool points at the origin", change: (w) => void (w.cequence.origins = [{ address: ORIGIN, enabled: true, weight: 1 }]) },
        { traffic: "bypassed", state: "Cequence's pool's origin is disabled, another is not", change: (w) => void (w.cequence.origins = [{ address: CEQUENCE, enabled: false, weight: 1 }, { address: ORIGIN, enabled: true, weight: 1 }]) },
        { traffic: "bypassed", state: "the load balancer is disabled and a record holds its name", change: (w) => ((w.lb.enabled = false), (w.lbRecord = { id: "r2", name: LB, type: "CNAME", content: ORIGIN, proxied: true })) },
        { traffic: "down", state: "the load balancer is disabled and no record holds its name", change: (w) => void (w.lb.enabled = false) },
        { traffic: "cequence-direct", state: "the record points at Cequence", change: (w) => void (w.record.content = CEQUENCE) },
        { traffic: "not-proxied", state: "the record is DNS-only", change: (w) => void (w.record.proxied = false) },
        { traffic: "not-proxied", state: "the record points at Cequence, DNS-only", change: (w) => ((w.record.content = CEQUENCE), (w.record.proxied = false)) },
        { traffic: "not-proxied", state: "the load balancer is DNS-only", change: (w) => void (w.lb.proxied = false) },
        { traffic: "not-deployed", state: "no record", change: (w) => void (w.noRecord = true) },
        { traffic: "shadowed-by-load-balancer", state: "an enabled load balancer is named as the public hostname", change: (w) => void (w.shadowedBy = { ...w.lb, id: "theirs", name: HOST }) },
        { traffic: "shadowed-by-load-balancer", state: "… and the public hostname has no record at all", change: (w) => ((w.shadowedBy = { ...w.lb, id: "theirs", name: HOST }), (w.noRecord = true)) },
        { traffic: "not-deployed", state: "no load balancer", change: (w) => void (w.noLoadBalancer = true) },
        { traffic: "not-deployed", state: "default_pools names only pools that do not exist", change: (w) => void (w.lb.defaultPools = ["gone"]) },
        { traffic: "through-cequence", state: "a pool that does not exist is skipped", change: (w) => void w.lb.defaultPools.unshift("gone") },
        { traffic: "through-cequence", state: "a Cequence pool with no monitor (Cloudflare counts it healthy)", change: (w) => ((w.cequence.monitor = undefined), w.health.set("cequence", { healthy: true, regions: [] })) },
        { traffic: "partly-through-cequence", state: "random steering over both pools (a rollout)", change: (w) => void (w.lb.steeringPolicy = "random") },
        { traffic: "through-cequence", state: "random steering with the origin weighted 0", change: (w) => ((w.lb.steeringPolicy = "random"), (w.lb.poolWeights = { origin: 0 })) },
        { traffic: "bypassed", state: "random steering with Cequence weighted 0", change: (w) => ((w.lb.steeringPolicy = "random"), (w.lb.poolWeights = { cequence: 0 })) },
        { traffic: "through-cequence", state: "random steering, the origin unhealthy", change: (w) => ((w.lb.steeringPolicy = "random"), w.setHealth("origin", false)) },
        { traffic: "failed-open", state: "random steering, Cequence unhealthy", change: (w) => ((w.lb.steeringPolicy = "random"), w.setHealth("cequence", false)) },
        { traffic: "partly-through-cequence", state: "latency steering over both pools", change: (w) => void (w.lb.steeringPolicy = "dynamic_latency") },
        { traffic: "partly-through-cequence", state: "steering \"\" with region pools (Cloudflare's geo)", change: (w) => ((w.lb.steeringPolicy = ""), (w.lb.geoPools = ["origin"])) },
        { traffic: "through-cequence", state: "steering \"\" without region pools (Cloudflare's off)", change: (w) => void (w.lb.steeringPolicy = "") },
        { traffic: "partly-through-cequence", state: "an active load balancer rule", change: (w) => void (w.lb.rules = [otherRule]) },
        { traffic: "through-cequence", state: "a disabled load balancer rule", change: (w) => void (w.lb.rules = [{ ...otherRule, disabled: true }]) },
        { traffic: "through-cequence-for-paths", state: "the stack's path rule sends every other path to the origin pool", change: (w) => void (w.lb.rules = [pathRule()]) },
        { traffic: "through-cequence-for-paths", state: "a path rule in the stack's form, under another name", change: (w) => void (w.lb.rules = [pathRule({ name: "renamed" })]) },
        { traffic: "through-cequence", state: "the stack's path rule disabled: every request goes through Cequence", change: (w) => void (w.lb.rules = [pathRule({ disabled: true })]) },
        { traffic: "partly-through-cequence", state: "the path rule and another active rule", change: (w) => void (w.lb.rules = [pathRule(), otherRule]) },
        { traffic: "partly-through-cequence", state: "a path rule whose condition was edited", change: (w) => void (w.lb.rules = [pathRule({ condition: 'not (http.request.uri.path contains "/login")' })]) },
        { traffic: "partly-through-cequence", state: "a path rule sending the rest to the Cequence pool", change: (w) => void (w.lb.rules = [pathRule({ pools: ["cequence"] })]) },
        { traffic: "partly-through-cequence", state: "a path rule with Cequence as its fallback", change: (w) => void (w.lb.rules = [pathRule({ fallbackPool: "cequence" })]) },
        { traffic: "partly-through-cequence", state: "a path rule that overrides no pools", change: (w) => void (w.lb.rules = [pathRule({ pools: [], fallbackPool: undefined })]) },
        { traffic: "partly-through-cequence", state: "a path rule sending to a pool that does not exist", change: (w) => void (w.lb.rules = [pathRule({ pools: ["gone"] })]) },
        { traffic: "partly-through-cequence", state: "a path rule answering with a fixed response", change: (w) => void (w.lb.rules = [pathRule({ fixedResponse: true })]) },
        { traffic: "partly-through-cequence", state: "the path rule during a rollout", change: (w) => ((w.lb.rules = [pathRule()]), (w.lb.steeringPolicy = "random")) },
        { traffic: "failed-open", state: "the path rule, Cequence unhealthy", change: (w) => ((w.lb.rules = [pathRule()]), w.setHealth("cequence", false)) },
        { traffic: "forced-out-of-line", state: "the path rule, Cequence disabled", change: (w) => ((w.lb.rules = [pathRule()]), (w.cequence.enabled = false)) },
        { traffic: "partly-through-cequence", state: "Cequence's pool also holds the origin", change: (w) => void w.cequence.origins.push({ address: ORIGIN, enabled: true, weight: 1 }) },
        { traffic: "zone-paused", state: "the zone is paused: DNS only, nothing proxied", change: (w) => void (w.zone.paused = true) },
        { traffic: "zone-paused", state: "the zone is paused, the record points at the origin", change: (w) => ((w.zone.paused = true), (w.record.content = ORIGIN)) },
        { traffic: "zone-paused", state: "the zone is paused, routing: cequence", change: (w) => ((w.zone.paused = true), (w.record.content = CEQUENCE)), stack: config({}, { routing: "cequence" }) },
        { traffic: "zone-not-active", state: "the zone's nameservers moved away (status moved)", change: (w) => void (w.zone.status = "moved") },
        { traffic: "zone-not-active", state: "the zone awaits its nameservers (status pending)", change: (w) => void (w.zone.status = "pending") },
        { traffic: "zone-not-active", state: "the zone is being set up (status initializing)", change: (w) => void (w.zone.status = "initializing") },
        { traffic: "zone-not-active", state: "the zone is pending and paused", change: (w) => ((w.zone.status = "pending"), (w.zone.paused = true)) },
        {
            traffic: "through-cequence",
            state: "a third pool first, disabled",
            change: (w) => ((w.extra = [{ ...pool("third", ORIGIN), enabled: false }]), w.lb.defaultPools.unshift("third")),
        },
    ];
    for (const { traffic, state, change, stack } of cases) {
        it(`${traffic}: ${state}`, () => {
            const world = new World();
            change(world);
            assert.deepEqual(verdictOf(world, stack), { traffic });
        });
    }

    it("in a healthy state, decides from Cequence's health alone", () => {
        const world = new World();
        const stack = config();
        assert.deepEqual(trafficVerdict(stack.apps[0]!, stack, world.app, world.state("cequence")), { traffic: "through-cequence" });
    });

    it("asks for the origin's health only when Cequence cannot take the traffic", () => {
        const world = new World();
        world.setHealth("cequence", false);
        const stack = config();
        assert.deepEqual(trafficVerdict(stack.apps[0]!, stack, world.app, world.state("cequence")), { needsHealth: ["origin"] });
    });

    it("through-cequence only when the whole path leads to Cequence", () => {
        const flips = fc.record({
            recordType: fc.constantFrom("CNAME", "A"),
            recordTarget: fc.constantFrom(LB, ORIGIN, CEQUENCE),
            recordProxied: fc.boolean(),
            lbEnabled: fc.boolean(),
            lbProxied: fc.boolean(),
            order: fc.constantFrom<string[]>(["cequence", "origin"], ["origin", "cequence"], ["origin"], ["cequence"]),
            steering: fc.constantFrom("off", "", "random", "geo"),
            cequenceEnabled: fc.boolean(),
            cequenceHealthy: fc.boolean(),
            cequenceAddress: fc.constantFrom(CEQUENCE, ORIGIN),
            originHealthy: fc.boolean(),
            rules: fc.subarray([pathRule(), pathRule({ disabled: true }), otherRule, pathRule({ pools: ["cequence"] })]),
            // Mostly an active, unpaused zone, so that the runs still meet the rare states of the rest of the path.
            zoneStatus: fc.oneof({ weight: 6, arbitrary: fc.constant<LiveZone["status"]>("active") }, { weight: 1, arbitrary: fc.constantFrom<LiveZone["status"]>("pending", "initializing", "moved") }),
            zonePaused: fc.oneof({ weight: 6, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) }),
            shadowed: fc.oneof({ weight: 6, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) }),
        });
        fc.assert(
            fc.property(flips, (f) => {
                const world = new World();
                world.record = { ...world.record, type: f.recordType, content: f.recordTarget, proxied: f.recordProxied };
                Object.assign(world.lb, { enabled: f.lbEnabled, proxied: f.lbProxied, defaultPools: f.order, steeringPolicy: f.steering, rules: f.rules });
                world.cequence.enabled = f.cequenceEnabled;
                world.cequence.origins = [{ address: f.cequenceAddress, enabled: true, weight: 1 }];
                world.setHealth("cequence", f.cequenceHealthy);
                world.setHealth("origin", f.originHealthy);
                world.zone = { ...world.zone, status: f.zoneStatus, paused: f.zonePaused };
                if (f.shadowed) world.shadowedBy = { ...world.lb, id: "theirs", name: HOST };
                const result = verdictOf(world);
                assert.ok("traffic" in result, "every health is known, so there must be a verdict");
                if (result.traffic !== "through-cequence" && result.traffic !== "through-cequence-for-paths") return;
                assert.equal(f.zoneStatus, "active");
                assert.equal(f.zonePaused, false);
                assert.equal(f.shadowed, false, "a load balancer named as the hostname is answered instead of the record");
                assert.equal(f.recordType, "CNAME");
                assert.equal(f.recordProxied, true);
                assert.equal(f.recordTarget, LB);
                assert.ok(f.lbEnabled && f.lbProxied);
                const active = f.rules.filter((rule) => !rule.disabled);
                // Every request through Cequence with no active rule; only the listed paths' with the one path rule to the origin.
                if (result.traffic === "through-cequence") assert.equal(active.length, 0);
                else assert.deepEqual(active, [pathRule()]);
                assert.ok(f.cequenceEnabled && f.cequenceHealthy && f.cequenceAddress === CEQUENCE);
                // Failover: the origin may come first only when it cannot take the traffic. Any other
                // steering spreads traffic over the origin too, unless it cannot take any.
                const failover = f.steering === "off" || f.steering === "";
                if (f.order.includes("origin") && (!failover || f.order[0] === "origin")) assert.equal(f.originHealthy, false);
            }),
            // The space is small (about 74,000 states in an active, unpaused zone, 590,000 in all): enough runs to meet the rare ones.
            { numRuns: 20_000 },
        );
    });
});
