import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { poolName, sharedCequencePoolName } from "../components/naming";
import type { LivePool } from "../tools/live/deployment";
import type { ResolveHostname } from "../tools/live/commandLine";
import { unresolvedOrigins, RESOLVE_BOUND } from "../tools/live/originResolution";
import { monitorBody, poolsToPreview, preflight, type AppVerdict } from "../tools/live/preflight";
import { redactingIo } from "../tools/live/redactingIo";
import {
    addLoadBalancerAt,
    envFor,
    parseConfig,
    poolOf,
    removeDir,
    runCli,
    runInProcess,
    setProbe,
    STACK,
    startLive,
    stopStandInsAfterEach,
    writeStackDir,
    type Deployment,
    type Live,
} from "./support/liveFixture";
import { fakePulumi, onPath, type FakePulumiAnswers } from "./support/fakePulumi";
import { guideConfig, type ConfigObject } from "./support/stack";
import { URL_NORMALIZATION_GET } from "./support/cloudflare/urlNormalization";

const HOST = "www.cq-route.com";
const FAST_POLLING = ["--poll", "0.01"];

const started = stopStandInsAfterEach();

async function live(change: (deployment: Deployment) => void = () => {}) {
    const fixture = await startLive(guideConfig());
    started.push(fixture);
    change(fixture);
    // Cloudflare takes a while to probe; the results are "not yet" twice before they arrive.
    fixture.state.previewPendingPolls = 2;
    return fixture;
}

function failCequencePreview(deployment: Deployment): void {
    setProbe(deployment, poolOf(deployment, "cequence", HOST), { healthy: false, failureReason: "Response code mismatch error", responseCode: 503 });
}

describe("preflight", () => {
    it("passes when both pools would be healthy, with progress on stderr only", async () => {
        const fixture = await live();
        const { standIn, dir } = fixture;
        const result = await runInProcess(preflight, ["--stack", STACK, "--dir", dir, ...FAST_POLLING], envFor(standIn));
        assert.equal(result.code, 0, result.stderr);
        assert.match(result.stdout, new RegExp(`^${HOST.replace(/\./g, "\\.")} {2}ready {6}${poolName("cequence", STACK, HOST)} healthy, ${poolName("origin", STACK, HOST)} healthy$`, "m"));
        assert.match(result.stdout, /Every app is ready/);
        assert.match(result.stderr, /^Previewing 2 pools/m);
        assert.match(result.stderr, /^\[2\/2\] /m);
        assert.doesNotMatch(result.stdout, /Previewing|\[\d\/\d\]/);
        const previews = standIn.served.filter((s) => s.method === "POST");
        assert.deepEqual(
            previews.map((s) => s.path.split("/").at(-2)).sort(),
            [poolOf(fixture, "cequence", HOST).id, poolOf(fixture, "origin", HOST).id].sort(),
        );
    });

    it("fails with Cloudflare's reason when a pool would be unhealthy (text and JSON, exit 2)", async () => {
        const { standIn, dir } = await live(failCequencePreview);
        const args = ["--stack", STACK, "--dir", dir, ...FAST_POLLING];
        const text = await runInProcess(preflight, args, envFor(standIn));
        assert.equal(text.code, 2, text.stderr);
        const cequence = poolName("cequence", STACK, HOST);
        assert.ok(
            text.stdout.includes(`NOT READY  ${cequence} UNHEALTHY, ${poolName("origin", STACK, HOST)} healthy; ${cequence}: cq-route.example.cequence.ai — Response code mismatch error — HTTP 503`),
            text.stdout,
        );
        assert.match(text.stdout, /Do not cut over www\.cq-route\.com/);

        const json = await runInProcess(preflight, [...args, "--json"], envFor(standIn));
        assert.equal(json.code, 2);
        const [app] = (JSON.parse(json.stdout) as { apps: AppVerdict[] }).apps;
        assert.equal(app!.ready, false);
        assert.deepEqual(app!.cequencePool, {
            pool: cequence,
            healthy: false,
            origins: [{ origin: "cq-route.example.cequence.ai", healthy: false, failureReason: "Response code mismatch error", responseCode: 503, rtt: "66ms" }],
        });
        assert.equal(app!.originPool!.healthy, true);
    });

    it("is not ready when a pool does not exist yet", async () => {
        const { standIn, dir } = await live((s) => (s.account.pools = s.account.pools.filter((p) => p.name !== poolName("origin", STACK, HOST))));
        const result = await runInProcess(preflight, ["--stack", STACK, "--dir", dir, "--json", ...FAST_POLLING], envFor(standIn));
        assert.equal(result.code, 2);
        const [app] = (JSON.parse(result.stdout) as { apps: AppVerdict[] }).apps;
        assert.match(app!.reason!, /no origin pool in Cloudflare: run `pulumi up` with routing: origin first/);
    });

    it("before any deployment, says why it previews no pool: Cloudflare previews only pools that exist", async () => {
        const { standIn, dir } = await live((s) => {
            s.account.pools = [];
            s.account.monitors = [];
            s.zone.loadBalancers = [];
        });
        const result = await runInProcess(preflight, ["--stack", STACK, "--dir", dir, ...FAST_POLLING], envFor(standIn));
        assert.equal(result.code, 2);
        assert.match(
            result.stderr,
            new RegExp(
                `^Cannot preview 2 of 2 pools: not in Cloudflare yet \\(${poolName("cequence", STACK, HOST)}, ${poolName("origin", STACK, HOST)}\\), and Cloudflare previews only a pool that exists\\. ` +
                    "Run `pulumi up` with routing: origin first: it creates the pools and load balancers without cutting over\\. The zone's records are checked all the same\\.$",
                "m",
            ),
        );
        assert.doesNotMatch(result.stderr, /Previewing/);
        assert.equal(standIn.served.filter((s) => s.operationId === "account-load-balancer-pools-preview-pool").length, 0);
    });

    it("gives up after --wait when the results never arrive (exit 1)", async () => {
        const { standIn, dir } = await live();
        standIn.state.previewPendingPolls = Number.MAX_SAFE_INTEGER;
        const result = await runInProcess(preflight, ["--stack", STACK, "--dir", dir, "--wait", "0.05", ...FAST_POLLING], envFor(standIn));
        assert.equal(result.code, 1);
        assert.match(result.stderr, /has not finished previewing pool .* after 0\.05 s; try again, or wait longer with --wait <seconds>/);
    });

    it("a bad flag under --json is a JSON error on stdout too (exit 1)", async () => {
        const result = await runInProcess(preflight, ["--json", "--wait", "forever"], {});
        assert.equal(result.code, 1);
        assert.match((JSON.parse(result.stdout) as { error: string }).error, /--wait must be a positive number of seconds, got "forever"/);
    });

    it("403 lists the preview permission too", async () => {
        const { standIn, dir } = await live();
        standIn.faults.inject({ fault: { kind: "refuse", status: 403 } });
        const result = await runInProcess(preflight, ["--stack", STACK, "--dir", dir], envFor(standIn));
        assert.equal(result.code, 1);
        assert.match(result.stderr, /- Account · Load Balancing: Monitors And Pools · Edit/);
    });

    it("the real CLI exits 2 when an app is not ready", async () => {
        const { standIn, dir } = await live(failCequencePreview);
        const result = await runCli("preflight", ["--stack", STACK, "--dir", dir, ...FAST_POLLING], envFor(standIn));
        assert.equal(result.code, 2, result.stderr);
        assert.match(result.stdout, /NOT READY/);
    });
});

/** A resolver that fails every name with `code`, as Node's dns.promises.lookup does, recording what it was asked. */
function failingResolver(code: string): ResolveHostname & { asked: string[] } {
    const asked: string[] = [];
    return Object.assign(
        async (hostname: string) => {
            asked.push(hostname);
            throw Object.assign(new Error(`getaddrinfo ${code} ${hostname}`), { code, hostname });
        },
        { asked },
    );
}

describe("preflight: each origin resolves in DNS", () => {
    const ORIGIN = "origin-www.cq-route.com";

    async function verdictWith(resolveHostname: ResolveHostname, change: (live: Live) => void = () => {}) {
        const fixture = await startLive(guideConfig());
        started.push(fixture);
        change(fixture);
        const result = await runInProcess(preflight, ["--stack", STACK, "--dir", fixture.dir, "--json", ...FAST_POLLING], envFor(fixture.standIn), { resolveHostname });
        const [app] = (JSON.parse(result.stdout) as { apps: AppVerdict[] }).apps;
        return { code: result.code, app: app! };
    }

    it("an origin that does not resolve: NOT READY under apps[0].origin, with the hostname, the resolver's code and the fix (exit 2)", async () => {
        const resolver = failingResolver("ENOTFOUND");
        const { code, app } = await verdictWith(resolver);
        assert.equal(code, 2);
        assert.equal(app.ready, false);
        assert.deepEqual(app.problems.map((p) => p.key), ["apps[0].origin"]);
        assert.match(app.problems[0]!.message, /^origin-www\.cq-route\.com does not resolve \(ENOTFOUND: .*\).*should resolve directly to the origin.*create its A, AAAA or CNAME record.*or set apps\[0\]\.origin to/);
        assert.deepEqual(resolver.asked, [ORIGIN]);
    });

    it("an origin that resolves: ready (exit 0), asked once", async () => {
        const asked: string[] = [];
        const { code, app } = await verdictWith(async (hostname) => {
            asked.push(hostname);
            return { address: "192.0.2.10", family: 4 };
        });
        assert.equal(code, 0);
        assert.equal(app.ready, true);
        assert.deepEqual(app.problems, []);
        assert.deepEqual(asked, [ORIGIN]);
    });

    it("before the first `pulumi up` (no pools yet), an origin that does not resolve is reported all the same", async () => {
        const { code, app } = await verdictWith(failingResolver("ENOTFOUND"), (live) => {
            live.account.pools = [];
            live.account.monitors = [];
            live.zone.loadBalancers = [];
        });
        assert.equal(code, 2);
        assert.deepEqual(app.problems.map((p) => p.key), ["apps[0].origin"]);
        assert.match(app.reason!, /apps\[0\]\.origin: origin-www\.cq-route\.com does not resolve \(ENOTFOUND/);
        assert.match(app.reason!, /no cequence or origin pool in Cloudflare/);
    });

    it("before the first `pulumi up`, an origin that resolves leaves only the missing pools", async () => {
        const { app } = await verdictWith(async () => ({ address: "192.0.2.10", family: 4 }), (live) => {
            live.account.pools = [];
            live.account.monitors = [];
            live.zone.loadBalancers = [];
        });
        assert.deepEqual(app.problems, []);
    });

    it("a proxied origin of the zone is reported once, as proxied, and not looked up", async () => {
        const resolver = failingResolver("ENOTFOUND");
        const { app } = await verdictWith(resolver, (live) =>
            void live.standIn.invoke("dns-records-for-a-zone-create-dns-record", { zone_id: live.zone.id }, { name: ORIGIN, type: "CNAME", content: "backend.example.net", ttl: 1, proxied: true }),
        );
        assert.deepEqual(app.problems.map((p) => p.key), ["apps[0].origin"]);
        assert.match(app.problems[0]!.message, /is a proxied CNAME record of the zone/);
        assert.deepEqual(resolver.asked, []);
    });

    it("the text names the origin and the resolver's code", async () => {
        const fixture = await startLive(guideConfig());
        started.push(fixture);
        const result = await runInProcess(preflight, ["--stack", STACK, "--dir", fixture.dir, ...FAST_POLLING], envFor(fixture.standIn), { resolveHostname: failingResolver("ENOTFOUND") });
        assert.equal(result.code, 2);
        assert.match(result.stdout, /NOT READY .*apps\[0\]\.origin: origin-www\.cq-route\.com does not resolve \(ENOTFOUND/);
    });
});

describe("unresolvedOrigins", () => {
    it("resolves each distinct hostname once and reports it under every key that names it", async () => {
        const resolver = failingResolver("ENOTFOUND");
        const problems = await unresolvedOrigins(
            [
                { key: "apps[0].origin", hostname: "a.example.net" },
                { key: "apps[1].origin", hostname: "a.example.net" },
            ],
            resolver,
        );
        assert.deepEqual(resolver.asked, ["a.example.net"]);
        assert.deepEqual(problems.map((p) => p.key), ["apps[0].origin", "apps[1].origin"]);
    });

    it("a resolver that cannot answer (EAI_AGAIN) says to check this machine's DNS and try again", async () => {
        const [problem] = await unresolvedOrigins([{ key: "apps[0].origin", hostname: "a.example.net" }], failingResolver("EAI_AGAIN"));
        assert.match(problem!.message, /^a\.example\.net does not resolve \(EAI_AGAIN: [^)]*check this machine's DNS[^)]*\)/);
    });

    it("an error without a code is named by its message", async () => {
        const [problem] = await unresolvedOrigins([{ key: "apps[0].origin", hostname: "a.example.net" }], async () => {
            throw new Error("resolver exploded");
        });
        assert.match(problem!.message, /^a\.example\.net does not resolve \(resolver exploded\)/);
    });

    it(`asks at most ${RESOLVE_BOUND} lookups at a time, and every hostname in the end`, async () => {
        let inFlight = 0;
        let most = 0;
        const asked: string[] = [];
        const hostnames = Array.from({ length: RESOLVE_BOUND * 3 }, (_, i) => `o${i}.example.net`);
        const problems = await unresolvedOrigins(
            hostnames.map((hostname, i) => ({ key: `apps[${i}].origin`, hostname })),
            async (hostname) => {
                inFlight += 1;
                most = Math.max(most, inFlight);
                asked.push(hostname);
                await new Promise((resolve) => setImmediate(resolve));
                inFlight -= 1;
                return { address: "192.0.2.1", family: 4 };
            },
        );
        assert.deepEqual(problems, []);
        assert.equal(most, RESOLVE_BOUND);
        assert.deepEqual(asked.sort(), [...hostnames].sort());
    });
});

describe("preflight: what the zone's records say the plan cannot know", () => {
    const LB = "origin-www-lb.cq-route.com";

    /** Runs preflight --json against the deployment changed by `change`, with the stack file `config` (the deployed one by default). */
    async function verdictOf(change: (live: Live) => ConfigObject | void) {
        const fixture = await startLive(guideConfig());
        started.push(fixture);
        const config = change(fixture);
        const dir = config ? writeStackDir(config) : fixture.dir;
        try {
            const result = await runInProcess(preflight, ["--stack", STACK, "--dir", dir, "--json", ...FAST_POLLING], envFor(fixture.standIn));
            const [app] = (JSON.parse(result.stdout) as { apps: AppVerdict[] }).apps;
            return { code: result.code, app: app!, fixture };
        } finally {
            if (config) removeDir(dir);
        }
    }

    const withRecordId = (id: string): ConfigObject => {
        const config = guideConfig();
        config.apps = [{ ...(config.apps as object[])[0], existingRecordId: id }];
        return config;
    };
    const addRecord = (live: Live, name: string, type: string, content: string) =>
        live.standIn.invoke("dns-records-for-a-zone-create-dns-record", { zone_id: live.zone.id }, { name, type, content, ttl: 1, ...(type === "TXT" ? {} : { proxied: true }) }) as { id: string };

    it("the stack's own deployment has no problems", async () => {
        const { code, app } = await verdictOf(() => {});
        assert.equal(code, 0);
        assert.deepEqual(app.problems, []);
    });

    it("a record with an LB hostname's name: the load balancer would take it over", async () => {
        const { code, app } = await verdictOf((live) => void addRecord(live, LB, "CNAME", "legacy.example.net"));
        assert.equal(code, 2);
        assert.equal(app.ready, false);
        assert.deepEqual(app.problems.map((p) => p.key), ["apps[0].lbHostname"]);
        assert.match(app.problems[0]!.message, /the zone has a CNAME record origin-www-lb\.cq-route\.com → legacy\.example\.net \(ID [0-9a-f]{32}\), and a load balancer takes its name over/);
        assert.ok(app.reason!.startsWith("apps[0].lbHostname: "), app.reason!);
    });

    it("existingRecordId naming the hostname's CNAME passes", async () => {
        const { code, app } = await verdictOf((live) => withRecordId(live.zone.records.find((r) => r.name === HOST)!.id));
        assert.equal(code, 0);
        assert.deepEqual(app.problems, []);
    });

    it("existingRecordId naming no record of the zone", async () => {
        const { app } = await verdictOf(() => withRecordId("0123456789abcdef0123456789abcdef"));
        assert.deepEqual(app.problems.map((p) => p.key), ["apps[0].existingRecordId"]);
        assert.match(app.problems[0]!.message, /the zone has no A, AAAA or CNAME record 0123456789abcdef0123456789abcdef/);
    });

    it("existingRecordId naming an A record elsewhere", async () => {
        const { app } = await verdictOf((live) => withRecordId(addRecord(live, "other.cq-route.com", "A", "192.0.2.7").id));
        assert.deepEqual(app.problems.map((p) => p.key), ["apps[0].existingRecordId"]);
        assert.match(app.problems[0]!.message, /names the A record other\.cq-route\.com → 192\.0\.2\.7 .*not a CNAME record www\.cq-route\.com/);
    });

    it("a hostname that already has someone's record, and no existingRecordId: the 81053 that pulumi up would hit", async () => {
        const { code, app, fixture } = await verdictOf((live) => void (live.zone.records.find((r) => r.name === HOST)!.content = "old-origin.example.net"));
        assert.equal(code, 2);
        const id = fixture.zone.records.find((r) => r.name === HOST)!.id;
        assert.deepEqual(app.problems.map((p) => p.key), ["apps[0].existingRecordId"]);
        assert.match(app.problems[0]!.message, new RegExp(`is unset, but the zone already has a CNAME record www\\.cq-route\\.com → old-origin\\.example\\.net .*81053.*Set existingRecordId: ${id} to adopt it`));
    });

    it("a load balancer already named as the public hostname: it would shadow the stack's CNAME, so not ready, with the runbook", async () => {
        const { code, app } = await verdictOf((live) => void addLoadBalancerAt(live, HOST));
        assert.equal(code, 2);
        assert.equal(app.ready, false);
        assert.deepEqual(app.problems.map((p) => p.key), ["apps[0].hostname"]);
        assert.match(app.problems[0]!.message, /www\.cq-route\.com is also the name of a load balancer \(pools legacy_pool\).*docs\/existing-load-balancer\.md/);
    });

    it("in a stack with no load balancer of its own (routing: cequence), the shadowing load balancer's pools are named all the same", async () => {
        const { app } = await verdictOf((live) => {
            addLoadBalancerAt(live, HOST);
            const config = guideConfig();
            config.apps = [{ ...(config.apps as object[])[0], routing: "cequence" }];
            return config;
        });
        assert.match(app.problems.find((p) => p.key === "apps[0].hostname")!.message, /is also the name of a load balancer \(pools legacy_pool\)/);
    });

    it("an origin that is a proxied record of the zone: not ready, with the fix", async () => {
        const { code, app } = await verdictOf((live) => void addRecord(live, "origin-www.cq-route.com", "CNAME", "backend.example.net"));
        assert.equal(code, 2);
        assert.deepEqual(app.problems.map((p) => p.key), ["apps[0].origin"]);
        assert.match(app.problems[0]!.message, /origin-www\.cq-route\.com is a proxied CNAME record of the zone \(→ backend\.example\.net, ID [0-9a-f]{32}\).*should resolve directly to the origin.*proxied: false/);
    });

    it("before the first `pulumi up`, a load balancer already named as an LB hostname is someone else's: `pulumi up` could not create the stack's", async () => {
        const { code, app } = await verdictOf((live) => {
            live.account.monitors = [];
            live.zone.loadBalancers = [];
            live.account.pools = [];
            const legacy = live.standIn.invoke("account-load-balancer-pools-create-pool", { account_id: live.account.id }, {
                name: "legacy",
                origins: [{ name: "legacy", address: "legacy.example.net", enabled: true, weight: 1 }],
            }) as { id: string };
            live.standIn.invoke("load-balancers-create-load-balancer", { zone_id: live.zone.id }, { name: LB, default_pools: [legacy.id], fallback_pool: legacy.id });
        });
        assert.equal(code, 2);
        assert.deepEqual(app.problems.map((p) => p.key), ["apps[0].lbHostname"]);
        assert.match(app.problems[0]!.message, /^the zone already has load balancer origin-www-lb\.cq-route\.com \(ID [0-9a-f]{32}\), not the stack's \(it uses none of its pools\): `pulumi up` cannot create another of that name/);
    });

    it("a TXT record at an LB hostname takes no traffic and is no problem", async () => {
        const { app } = await verdictOf((live) => void addRecord(live, LB, "TXT", '"verification"'));
        assert.deepEqual(app.problems, []);
    });
});

describe("preflight: what the zone's plan may not allow in a path rule", () => {
    const withPaths = (paths: string[]): ConfigObject => {
        const config = guideConfig();
        config.apps = [{ ...(config.apps as object[])[0], paths }];
        return config;
    };

    async function run(config: ConfigObject, plan: "free" | "pro" | "business" | "enterprise") {
        const fixture = await startLive(config);
        started.push(fixture);
        fixture.zone.plan = plan;
        const args = ["--stack", STACK, "--dir", fixture.dir, ...FAST_POLLING];
        const json = await runInProcess(preflight, [...args, "--json"], envFor(fixture.standIn));
        const text = await runInProcess(preflight, args, envFor(fixture.standIn));
        return { json: JSON.parse(json.stdout) as { apps: AppVerdict[] }, text, code: json.code, fixture };
    }

    it("warns, by key, that a prefix needs the regular-expression operator a Pro zone may not have; the app stays ready", async () => {
        const { json, text, code } = await run(withPaths(["/login", "/api/*"]), "pro");
        assert.equal(code, 0);
        const [app] = json.apps;
        assert.equal(app!.ready, true);
        assert.deepEqual(app!.warnings.map((w) => w.key), ["apps[0].paths"]);
        assert.match(app!.warnings[0]!.message, /^\/api\/\* is a prefix, which the load balancer rule matches with the regular-expression operator matches; .* Business and Enterprise plans only, and this zone is on the pro plan, so `pulumi up` may be refused/);
        assert.match(text.stdout, /^warning: apps\[0\]\.paths: \/api\/\* is a prefix/m);
    });

    for (const [paths, plan] of [[["/login", "/signup"], "free"], [["/api/*"], "business"], [["/api/*"], "enterprise"]] as const) {
        it(`no warning for ${paths.join(", ")} on the ${plan} plan`, async () => {
            const { json } = await run(withPaths([...paths]), plan);
            assert.deepEqual(json.apps[0]!.warnings, []);
        });
    }

    it("warns, by key, when the zone's URL normalization is off, so the rule sees the raw path; the app stays ready", async () => {
        const config = withPaths(["/login"]);
        const fixture = await startLive(config);
        started.push(fixture);
        fixture.zone.urlNormalization = { scope: "none", type: "cloudflare" };
        const args = ["--stack", STACK, "--dir", fixture.dir, ...FAST_POLLING];
        const json = await runInProcess(preflight, [...args, "--json"], envFor(fixture.standIn));
        const text = await runInProcess(preflight, args, envFor(fixture.standIn));
        const [app] = (JSON.parse(json.stdout) as { apps: AppVerdict[] }).apps;
        assert.equal(json.code, 0);
        assert.equal(app!.ready, true);
        assert.deepEqual(app!.warnings.map((w) => w.key), ["apps[0].paths"]);
        assert.match(app!.warnings[0]!.message, /^the zone's URL normalization is off \(scope none\), so the path rule compares each path exactly as the client sent it/);
        assert.match(text.stdout, /^warning: apps\[0\]\.paths: the zone's URL normalization is off/m);
    });

    it("reads the zone's URL normalization only with paths, once per run", async () => {
        for (const [config, expected] of [[guideConfig(), 0], [withPaths(["/login"]), 2]] as const) {
            const { fixture, json } = await run(config, "enterprise");
            assert.deepEqual(json.apps[0]!.warnings, []);
            assert.equal(fixture.standIn.served.filter((s) => s.operationId === URL_NORMALIZATION_GET).length, expected);
        }
    });

    it("reads the zone once per run, with paths or without", async () => {
        for (const config of [guideConfig(), withPaths(["/api/*"])]) {
            const { fixture } = await run(config, "free");
            assert.equal(fixture.standIn.served.filter((s) => s.operationId === "zones-0-get").length, 2, "one read per run: --json, then the text");
        }
    });
});

describe("preflight: a zone that is paused or not active", () => {
    async function run(change: (zone: Live["zone"]) => void) {
        const fixture = await startLive(guideConfig());
        started.push(fixture);
        change(fixture.zone);
        const args = ["--stack", STACK, "--dir", fixture.dir, ...FAST_POLLING];
        const json = await runInProcess(preflight, [...args, "--json"], envFor(fixture.standIn));
        const text = await runInProcess(preflight, args, envFor(fixture.standIn));
        return { apps: (JSON.parse(json.stdout) as { apps: AppVerdict[] }).apps, text, code: json.code };
    }

    it("paused: no app is ready, since a cutover would put nothing on the path; the reason says why, exit 2", async () => {
        const { apps, text, code } = await run((zone) => (zone.paused = true));
        assert.equal(code, 2);
        assert.equal(text.code, 2);
        assert.deepEqual(apps.map((a) => a.ready), [false]);
        assert.deepEqual(apps[0]!.problems.map((p) => p.key), ["zoneId"]);
        assert.match(apps[0]!.reason!, /^zoneId: Zone cq-route\.com is PAUSED: Cloudflare answers its DNS and proxies nothing/);
        assert.match(text.stdout, /Zone cq-route\.com is PAUSED/);
    });

    it("not active (nameservers not Cloudflare's): no app is ready, exit 2", async () => {
        const { apps, code } = await run((zone) => (zone.status = "pending"));
        assert.equal(code, 2);
        assert.match(apps[0]!.reason!, /^zoneId: Zone cq-route\.com is NOT ACTIVE \(status pending\)/);
    });
});

describe("preflight: what it previews", () => {
    const pool = (name: string): LivePool => ({ id: `id-${name}`, name, enabled: true, monitor: "m", origins: [] });

    it("a shared Cequence pool once, probing cequence.port with the shared monitor's Host", () => {
        const config = parseConfig({
            ...guideConfig(),
            cequence: { hostname: "cq-route.example.cequence.ai", sharedPool: true, port: 9443 },
            apps: [
                { hostname: HOST, origin: "origin-www.cq-route.com" },
                { hostname: "api.cq-route.com", origin: "origin-api.cq-route.com" },
            ],
        });
        const names = [sharedCequencePoolName(STACK), poolName("origin", STACK, HOST), poolName("origin", STACK, "api.cq-route.com")];
        const { toPreview } = poolsToPreview(config, STACK, new Map(names.map((name) => [name, pool(name)])));
        assert.deepEqual([...toPreview.values()].map((p) => p.name).sort(), [...names].sort());
        const cequence = toPreview.get(`id-${sharedCequencePoolName(STACK)}`)!;
        assert.equal(monitorBody(cequence).port, 9443);
        assert.deepEqual(monitorBody(cequence).header, { Host: [HOST] });
        const origin = toPreview.get(`id-${poolName("origin", STACK, "api.cq-route.com")}`)!;
        assert.equal("port" in monitorBody(origin), false);
        assert.deepEqual(monitorBody(origin).header, { Host: ["api.cq-route.com"] });
    });

    it("port 443 is left unsent, as the program's monitors do", () => {
        const config = parseConfig(guideConfig());
        const name = poolName("cequence", STACK, HOST);
        const { toPreview } = poolsToPreview(config, STACK, new Map([[name, pool(name)]]));
        assert.equal("port" in monitorBody(toPreview.get(`id-${name}`)!), false);
    });
});

describe("preflight: with edge authentication on, the previews send the secret header as the deployed monitors do", () => {
    /** Distinctive, so a test can assert it never appears in any output. */
    const SECRET = "EdgeSecretA0123456789doNotPrintAnywhere0123456789";
    const OTHER = "EdgeSecretB0123456789doNotPrintAnywhere9876543210";
    const OUTPUTS = { edgeAuth: { headerName: "X-Edge-Auth", active: "a" }, edgeAuthSecrets: { a: SECRET, b: OTHER } };
    const withEdgeAuth = (): ConfigObject => ({ ...guideConfig(), edgeAuth: {} });

    /** The deployment with Cequence and the origin refusing (403) a request without slot a's secret. */
    async function enforcing(config = withEdgeAuth()) {
        const fixture = await startLive(config);
        started.push(fixture);
        for (const address of [fixture.parsed.cequence.hostname, fixture.parsed.apps[0]!.origin]) fixture.account.requiredHeaders[address] = { name: "X-Edge-Auth", value: SECRET };
        return fixture;
    }

    async function run(fixture: Live, answers: FakePulumiAnswers, extraArgs: string[] = [], extraEnv: NodeJS.ProcessEnv = {}, exitStatus: Record<string, number> = {}) {
        const pulumi = fakePulumi(answers, exitStatus);
        const result = await runInProcess(preflight, ["--stack", STACK, "--dir", fixture.dir, ...FAST_POLLING, ...extraArgs], onPath(pulumi, envFor(fixture.standIn, extraEnv)));
        return { ...result, pulumi };
    }

    const assertNoSecret = (...texts: string[]) => {
        for (const text of texts) for (const secret of [SECRET, OTHER]) assert.equal(text.includes(secret), false, "a secret was printed");
    };

    it("the stand-in: an origin that enforces the header answers a preview without it with 403", async () => {
        const fixture = await enforcing();
        const pool = poolOf(fixture, "origin", HOST);
        const body = { ...monitorBody({ role: "origin", id: pool.id, name: pool.name, monitor: fixture.parsed.apps[0]!.monitor, host: HOST, port: undefined }) };
        const { preview_id: id } = fixture.standIn.invoke("account-load-balancer-pools-preview-pool", { account_id: fixture.account.id, pool_id: pool.id }, body) as { preview_id: string };
        const result = fixture.standIn.invoke("account-load-balancer-monitors-preview-result", { account_id: fixture.account.id, preview_id: id }) as Record<string, { healthy: boolean; origins: Array<Record<string, { response_code: number }>> }>;
        assert.equal(result[pool.id]!.healthy, false);
        assert.equal(Object.values(result[pool.id]!.origins[0]!)[0]!.response_code, 403);
    });

    it("reads the active secret from the stack's outputs (--show-secrets) and sends it: enforcing pools are ready, and no output holds the secret", async () => {
        const fixture = await enforcing();
        for (const args of [[], ["--json"]]) {
            const { code, stdout, stderr, pulumi } = await run(fixture, { "stack output": OUTPUTS }, args, { CLOUDFLARE_LOG: "debug" });
            assert.equal(code, 0, stderr);
            assertNoSecret(stdout, stderr);
            assert.deepEqual(pulumi.calls(), [["stack", "output", "--json", "--show-secrets", "--stack", STACK, "--non-interactive"]]);
        }
        const previews = [...fixture.account.previews.values()];
        assert.equal(previews.length, 4);
        for (const preview of previews) assert.deepEqual(preview.header, { Host: [HOST], "X-Edge-Auth": [SECRET] });
    });

    it("previews with the slot the config makes active", async () => {
        const fixture = await enforcing({ ...guideConfig(), edgeAuth: { active: "b" } });
        for (const address of Object.keys(fixture.account.requiredHeaders)) fixture.account.requiredHeaders[address]!.value = OTHER;
        const { code, stderr } = await run(fixture, { "stack output": OUTPUTS });
        assert.equal(code, 0, stderr);
    });

    it("a stack without the secret in its outputs yet: exit 1, saying why, with no preview sent", async () => {
        const fixture = await enforcing();
        const { code, stderr } = await run(fixture, { "stack output": { edgeAuth: OUTPUTS.edgeAuth } });
        assert.equal(code, 1);
        assert.match(stderr, /edge authentication is on, but stack test's outputs hold no edgeAuthSecrets\.a \(the slot edgeAuth\.active names\)/);
        assert.equal(fixture.standIn.served.filter((s) => s.operationId === "account-load-balancer-pools-preview-pool").length, 0);
    });

    it("a `pulumi stack output` that fails or prints no JSON: its output is never echoed (it may hold the secrets)", async () => {
        const fixture = await enforcing();
        const garbled = await run(fixture, { "stack output": `not json ${SECRET}` }, ["--json"]);
        assert.equal(garbled.code, 1);
        assert.match(garbled.stderr, /`pulumi stack output --json --show-secrets --stack test` printed no JSON/);
        assertNoSecret(garbled.stdout, garbled.stderr);
        const failed = await run(fixture, { "stack output": OUTPUTS }, [], {}, { stack: 7 });
        assert.equal(failed.code, 1);
        assert.match(failed.stderr, /failed \(exit status 7\)/);
    });

    it("whatever writes to the command's output once the secret is known prints [secret] instead (the SDK's debug log shows request bodies, today only two levels deep)", () => {
        let printed = "";
        const sink = { write: (text: string) => void (printed += text) };
        const { io, hide } = redactingIo({ env: {}, stdout: sink, stderr: sink, signal: new AbortController().signal });
        hide(SECRET);
        io.stderr.write(`body: { header: { "X-Edge-Auth": ["${SECRET}"] } }\n`);
        io.stdout.write(`${JSON.stringify({ value: SECRET })}\n`);
        assertNoSecret(printed);
        assert.equal(printed.split("[secret]").length, 3);
    });

    it("before the first `pulumi up` there is nothing to preview, and the stack is not read", async () => {
        const fixture = await enforcing();
        fixture.account.pools = [];
        fixture.account.monitors = [];
        fixture.zone.loadBalancers = [];
        const { code, pulumi } = await run(fixture, {}, [], {}, { stack: 255 });
        assert.equal(code, 2);
        assert.deepEqual(pulumi.calls(), []);
    });
});
