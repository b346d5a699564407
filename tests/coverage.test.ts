/** `coverage` end to end against the stand-in: scripted traffic and health events, every verdict, the errors, and the request budget. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { coverage } from "../tools/live/coverage";
import { RequestBudget } from "../tools/live/requestBudget";
import { analyticsOf, healthEvent, type Analytics } from "./support/cloudflare/analytics";
import { envFor, poolOf, runCli, runInProcess, setHealth, STACK, startLive, stopStandInsAfterEach, TOKEN, type Live } from "./support/liveFixture";
import { guideConfig, type ConfigObject } from "./support/stack";

const started = stopStandInsAfterEach();
const HOUR = 3_600_000;
/** The window every test asks about: a whole day ending two hours before the current hour, so that events can follow it. */
const UNTIL = Math.floor(Date.now() / HOUR) * HOUR - 2 * HOUR;
const SINCE = UNTIL - 24 * HOUR;

function appsConfig(count: number, extra: Record<string, unknown> = {}): ConfigObject {
    return { ...guideConfig(), apps: Array.from({ length: count }, (_, i) => ({ hostname: `app${i}.cq-route.com`, origin: `origin-app${i}.cq-route.com`, ...extra })) };
}

async function live(config: ConfigObject): Promise<Live & { analytics: Analytics }> {
    const fixture = await startLive(config);
    started.push(fixture);
    return { ...fixture, analytics: analyticsOf(fixture.standIn.state) };
}

/** Requests of an app's load balancer to its pool of that role, spread over the hour starting at `at`. */
function serve(fixture: Live & { analytics: Analytics }, index: number, role: "cequence" | "origin", count: number, at = SINCE + HOUR, sampleInterval?: number) {
    const app = fixture.parsed.apps[index]!;
    fixture.analytics.traffic.push({ zoneId: fixture.zone.id, lbName: app.lbHostname, pool: poolOf(fixture, role, app.hostname).name, at, count, ...(sampleInterval ? { sampleInterval } : {}) });
}

interface AppJson {
    hostname: string;
    verdict: string;
    requests: { estimate: number; lower: number; upper: number; sampleSize: number } | null;
    share: { estimate: number; lower: number; upper: number } | null;
    pathsShare: { estimate: number } | null;
    sampled: boolean;
    failOpen: Array<{ start: string; end: string; durationSeconds: number; reason: string; startsBefore: boolean; endsAfter: boolean }>;
}

async function run(fixture: Live, extra: string[] = [], window = ["--since", new Date(SINCE).toISOString(), "--until", new Date(UNTIL).toISOString()]) {
    const budget = new RequestBudget(() => {});
    const before = fixture.standIn.served.length;
    const result = await runInProcess(coverage, ["--stack", STACK, "--dir", fixture.dir, ...window, ...extra], envFor(fixture.standIn), { requestBudget: budget });
    const served = fixture.standIn.served.slice(before);
    return { ...result, budget, served };
}

async function runJson(fixture: Live, extra: string[] = []) {
    const result = await run(fixture, ["--json", ...extra]);
    return { ...result, apps: (JSON.parse(result.stdout) as { apps: AppJson[] }).apps };
}

describe("coverage against the stand-in", () => {
    it("an app whose every request went through Cequence is covered, exit 0", async () => {
        const fixture = await live(appsConfig(1));
        serve(fixture, 0, "cequence", 1000);
        const result = await runJson(fixture);
        assert.equal(result.code, 0, result.stderr);
        assert.equal(result.apps[0]!.verdict, "covered");
        assert.deepEqual(result.apps[0]!.share, { estimate: 1, lower: 1, upper: 1 });
        assert.equal(result.apps[0]!.requests!.estimate, 1000);
        assert.deepEqual(result.apps[0]!.failOpen, []);
        assert.equal(result.apps[0]!.sampled, false);
        assert.ok(!result.stdout.includes(TOKEN) && !result.stderr.includes(TOKEN));
    });

    it("a routing: cequence app is not-measured (no load balancer, so no load-balancing analytics), and that is not covered: exit 2", async () => {
        const fixture = await live({ ...appsConfig(1), apps: [...(appsConfig(1).apps as object[]), { hostname: "direct.cq-route.com", origin: "origin-direct.cq-route.com", routing: "cequence" }] });
        serve(fixture, 0, "cequence", 1000);
        const result = await runJson(fixture);
        assert.equal(result.code, 2, result.stderr);
        assert.deepEqual(
            result.apps.map((app) => [app.hostname, app.verdict, app.requests]),
            [
                ["app0.cq-route.com", "covered", result.apps[0]!.requests],
                ["direct.cq-route.com", "not-measured", null],
            ],
        );
        const table = await run(fixture);
        assert.equal(table.code, 2);
        assert.match(table.stdout, /direct\.cq-route\.com: routing cequence sends the hostname straight to Cequence with no load balancer/);
    });

    it("a fail-open hour: the health events give its start, end and duration, and the share below 99 % is a gap, exit 2", async () => {
        const fixture = await live(appsConfig(1));
        const pool = poolOf(fixture, "cequence", "app0.cq-route.com");
        fixture.analytics.events.push(healthEvent(pool, SINCE + 2 * HOUR, false), healthEvent(pool, SINCE + 3 * HOUR, true));
        serve(fixture, 0, "cequence", 900);
        serve(fixture, 0, "origin", 100, SINCE + 2 * HOUR);
        const result = await runJson(fixture);
        assert.equal(result.code, 2);
        const app = result.apps[0]!;
        assert.equal(app.verdict, "gaps");
        assert.equal(app.share!.estimate, 0.9);
        assert.deepEqual(app.failOpen, [
            { start: new Date(SINCE + 2 * HOUR).toISOString(), end: new Date(SINCE + 3 * HOUR).toISOString(), durationSeconds: 3600, reason: "unhealthy", startsBefore: false, endsAfter: false },
        ]);
        const table = await run(fixture);
        assert.match(table.stdout, /Cequence pool unhealthy: .* → .* \(1 h\)/);
        assert.match(table.stdout, /app0\.cq-route\.com\s+1000\s+90\.0 %.*gaps/);
    });

    it("an app with paths is judged on its listed paths: unlisted requests at the origin are no gap, origin requests during a fail-open window are", async () => {
        const fixture = await live(appsConfig(1, { paths: ["/login", "/api/*"] }));
        serve(fixture, 0, "cequence", 500);
        serve(fixture, 0, "origin", 5000, SINCE + 5 * HOUR);
        let result = await runJson(fixture);
        assert.equal(result.code, 0, result.stderr);
        assert.equal(result.apps[0]!.verdict, "covered");
        assert.equal(result.apps[0]!.pathsShare!.estimate, 1);
        assert.ok(result.apps[0]!.share!.estimate < 0.1);

        const pool = poolOf(fixture, "cequence", "app0.cq-route.com");
        fixture.analytics.events.push(healthEvent(pool, SINCE + 10 * HOUR, false), healthEvent(pool, SINCE + 11 * HOUR, true));
        serve(fixture, 0, "origin", 500, SINCE + 10 * HOUR);
        result = await runJson(fixture);
        assert.equal(result.code, 2);
        assert.equal(result.apps[0]!.verdict, "gaps");
        assert.equal(result.apps[0]!.pathsShare!.estimate, 0.5);
    });

    it("a Cequence pool unhealthy since before the window, with no event since: its health now says so, and the whole window is failed open", async () => {
        const fixture = await live(appsConfig(2));
        const pool = poolOf(fixture, "cequence", "app0.cq-route.com");
        setHealth(fixture, pool, false);
        serve(fixture, 0, "origin", 300);
        serve(fixture, 1, "cequence", 300);
        const result = await runJson(fixture);
        assert.equal(result.apps[0]!.verdict, "gaps");
        assert.deepEqual(result.apps[0]!.failOpen, [
            { start: new Date(SINCE).toISOString(), end: new Date(UNTIL).toISOString(), durationSeconds: 24 * 3600, reason: "unhealthy", startsBefore: true, endsAfter: true },
        ]);
        assert.equal(result.apps[1]!.verdict, "covered");
        // Only the silent pool whose traffic went elsewhere has its health read.
        assert.deepEqual(
            result.served.filter((r) => r.operationId === "account-load-balancer-pools-pool-health-details").map((r) => r.path),
            [`/client/v4/accounts/${fixture.account.id}/load_balancers/pools/${pool.id}/health`],
        );
    });

    it("an event after the window tells the state at its end: a window still open then ends at the window's end", async () => {
        const fixture = await live(appsConfig(1));
        const pool = poolOf(fixture, "cequence", "app0.cq-route.com");
        fixture.analytics.events.push(healthEvent(pool, UNTIL - HOUR, false), healthEvent(pool, UNTIL + HOUR, true));
        serve(fixture, 0, "cequence", 1000);
        const result = await runJson(fixture);
        assert.deepEqual(result.apps[0]!.failOpen, [
            { start: new Date(UNTIL - HOUR).toISOString(), end: new Date(UNTIL).toISOString(), durationSeconds: 3600, reason: "unhealthy", startsBefore: false, endsAfter: true },
        ]);
        // No request went elsewhere: the share decides, and it is whole.
        assert.equal(result.apps[0]!.verdict, "covered");
    });

    it("the stand-in refuses a field Cloudflare does not document (a test of the stand-in itself)", async () => {
        const fixture = await live(appsConfig(1));
        const response = await fetch(`${fixture.standIn.baseUrl}/graphql`, {
            method: "POST",
            headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/json" },
            body: JSON.stringify({ query: `{ viewer { zones(filter: {zoneTag: "${fixture.zone.id}"}) { loadBalancingRequestsAdaptiveGroups(limit: 10) { count dimensions { clientRequestPath } } } } }` }),
        });
        assert.equal(response.status, 500);
        const violations = fixture.standIn.violations.splice(0);
        assert.equal(violations.length, 1);
        assert.match(violations[0]!, /Cannot query field "clientRequestPath"/);
    });

    it("a disabled Cequence pool is a fail-open window over the whole range, its start unknown", async () => {
        const fixture = await live(appsConfig(1));
        poolOf(fixture, "cequence", "app0.cq-route.com").enabled = false;
        serve(fixture, 0, "origin", 700);
        const result = await runJson(fixture);
        assert.equal(result.code, 2);
        assert.equal(result.apps[0]!.verdict, "gaps");
        assert.deepEqual(result.apps[0]!.share, { estimate: 0, lower: 0, upper: 0 });
        assert.equal(result.apps[0]!.failOpen[0]!.reason, "disabled");
        assert.equal(result.apps[0]!.failOpen[0]!.startsBefore, true);
        const table = await run(fixture);
        assert.match(table.stdout, /Cequence pool DISABLED: start unknown → still at the window's end/);
    });

    it("no request in the window is no-traffic, not 0 % nor covered; a missing load balancer is not-deployed", async () => {
        const fixture = await live(appsConfig(2));
        fixture.zone.loadBalancers.splice(
            fixture.zone.loadBalancers.findIndex((lb) => lb.name === fixture.parsed.apps[1]!.lbHostname),
            1,
        );
        const result = await runJson(fixture);
        assert.equal(result.code, 2);
        assert.deepEqual(
            result.apps.map((app) => [app.verdict, app.share, app.requests?.estimate ?? null]),
            [
                ["no-traffic", null, 0],
                ["not-deployed", null, null],
            ],
        );
    });

    it("sampled counts are estimates with Cloudflare's confidence interval", async () => {
        const fixture = await live(appsConfig(1));
        serve(fixture, 0, "cequence", 100_000, SINCE + HOUR, 10);
        serve(fixture, 0, "origin", 50, SINCE + HOUR);
        const result = await runJson(fixture);
        const app = result.apps[0]!;
        assert.equal(app.sampled, true);
        assert.equal(app.requests!.estimate, 100_050);
        assert.ok(app.requests!.lower < 100_050 && app.requests!.upper > 100_050);
        assert.ok(app.share!.lower < app.share!.estimate && app.share!.estimate < app.share!.upper);
        assert.equal(app.verdict, "covered");
        const table = await run(fixture);
        assert.match(table.stdout, /~100050 \(\d+–\d+\)/);
        assert.match(table.stdout, /Cloudflare sampled these counts/);
    });

    it("as the real CLI, a gap exits 2 and a paused zone is said over the report", async () => {
        const fixture = await live(appsConfig(1));
        fixture.zone.paused = true;
        serve(fixture, 0, "origin", 10);
        const result = await runCli("coverage", ["--stack", STACK, "--dir", fixture.dir, "--since", new Date(SINCE).toISOString(), "--until", new Date(UNTIL).toISOString()], envFor(fixture.standIn));
        assert.equal(result.code, 2, result.stderr);
        assert.match(result.stdout, /app0\.cq-route\.com\s+10\s+0\.0 %.*gaps/);
        assert.match(result.stdout, /Now: Zone cq-route\.com is PAUSED/);
    });

    it("--markdown prints a table for an audit record", async () => {
        const fixture = await live(appsConfig(1));
        serve(fixture, 0, "cequence", 10);
        const result = await run(fixture, ["--markdown"]);
        assert.equal(result.code, 0, result.stderr);
        assert.match(result.stdout, /^\*\*Stack test, zone cq-route\.com: /);
        assert.match(result.stdout, /\n\| HOSTNAME \| REQUESTS \| THROUGH CEQUENCE \| LISTED PATHS THROUGH CEQUENCE \| FAIL-OPEN \| VERDICT \|\n\| --- \|/);
        assert.match(result.stdout, /\| app0\.cq-route\.com \| 10 \| 100\.0 % \| - \| none \| covered \|/);
    });
});

describe("coverage's errors", () => {
    it("a token without Analytics Read is told the permission to add, exit 1", async () => {
        const fixture = await live(appsConfig(1));
        fixture.analytics.authorized = false;
        const result = await run(fixture, ["--json"]);
        assert.equal(result.code, 1);
        assert.match(result.stderr, /403/);
        assert.match(result.stderr, /Zone · Analytics · Read/);
        assert.match(JSON.parse(result.stdout).error, /Zone · Analytics · Read/);
    });

    it("a window older than Cloudflare keeps the data is explained, not shown as zero", async () => {
        const fixture = await live(appsConfig(1));
        fixture.analytics.limits = { ...fixture.analytics.limits!, notOlderThan: 3 * 86_400 };
        const result = await run(fixture, [], ["--since", "7d"]);
        assert.equal(result.code, 1);
        assert.match(result.stderr, /older than Cloudflare keeps load-balancing analytics for zone cq-route\.com \(plan enterprise\): 3 days.*--since 3d at most/);
        assert.equal(result.stdout, "");
    });

    it("a plan without load-balancing analytics is explained, not shown as zero", async () => {
        const fixture = await live(appsConfig(1));
        fixture.analytics.limits = null;
        const result = await run(fixture);
        assert.equal(result.code, 1);
        assert.match(result.stderr, /has no load-balancing analytics: Cloudflare offers them on paid plans/);
    });

    it("a window wider than one query may ask is read in pieces, counted once each", async () => {
        const fixture = await live(appsConfig(1));
        fixture.analytics.limits = { ...fixture.analytics.limits!, maxDuration: 6 * 3600 };
        serve(fixture, 0, "cequence", 100, SINCE + HOUR);
        serve(fixture, 0, "cequence", 100, SINCE + 20 * HOUR);
        const result = await runJson(fixture);
        assert.equal(result.apps[0]!.requests!.estimate, 200);
        assert.equal(result.served.filter((r) => r.operationId === "graphql-analytics").length, 1 + 4);
    });

    it("bad flags name themselves", async () => {
        const fixture = await live(appsConfig(1));
        for (const [args, message] of [
            [["--since", "yesterday"], /--since must be 24h, 7d/],
            [["--until", "2999-01-01T00:00:00Z"], /--until .* is in the future/],
            [["--min-share", "0"], /--min-share must be a percentage/],
            [["--json", "--markdown"], /choose one/],
        ] as const) {
            const result = await run(fixture, [...args], []);
            assert.equal(result.code, 1);
            assert.match(result.stderr, message);
        }
    });
});

describe("coverage within Cloudflare's API budget", () => {
    for (const count of [10, 100, 1000]) {
        it(`${count} apps: at most N + 100 requests, at most 32 in flight, one GraphQL query for the traffic`, async () => {
            const fixture = await live(appsConfig(count));
            for (let i = 0; i < count; i++) serve(fixture, i, "cequence", 10);
            fixture.standIn.maxInFlight = 0;
            const result = await run(fixture, ["--json"]);
            assert.equal(result.code, 0, result.stderr);
            const byOperation: Record<string, number> = {};
            for (const { operationId } of result.served) byOperation[operationId] = (byOperation[operationId] ?? 0) + 1;
            process.stdout.write(`# coverage at ${count} apps: ${result.served.length} requests (${JSON.stringify(byOperation)}), ${result.budget.totals.maxInFlight} in flight at most\n`);
            assert.deepEqual(byOperation, {
                "zones-0-get": 1,
                "account-load-balancer-pools-list-pools": 1,
                "load-balancers-list-load-balancers": 1,
                // The dataset's limits, then the traffic of every app at once; no pool health: every request went to a Cequence pool.
                "graphql-analytics": 2,
                // Each Cequence pool's health events.
                "load-balancer-healthcheck-events-list-healthcheck-events": count,
            });
            assert.equal(result.budget.totals.requests, result.served.length);
            assert.ok(result.served.length <= count + 100);
            assert.ok(result.budget.totals.maxInFlight <= 32 && fixture.standIn.maxInFlight <= 32);
        });
    }

    it("a shared Cequence pool's health events are read once for every app", async () => {
        const config = appsConfig(20);
        const fixture = await live({ ...config, cequence: { ...(config.cequence as object), sharedPool: true, monitor: { host: "cequence-health.cq-route.com" } } });
        const result = await run(fixture, ["--json"]);
        assert.equal(result.served.filter((r) => r.operationId === "load-balancer-healthcheck-events-list-healthcheck-events").length, 1);
    });
});
