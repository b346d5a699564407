/**
 * Bad config is rejected before anything is registered, with every problem
 * named by its key path. Each case runs the real program under the mocks.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { parseStackConfig } from "../config/parse";
import { stackFootprint } from "../config/footprint";
import { readStackFile } from "../config/stackFile";
import { configWarnings } from "../config/warnings";
import { runProgram } from "../tools/plan/mockEngine";
import { OFFLINE_CALLS } from "../tools/plan/offlineCalls";
import { guideConfig, toRaw, type ConfigObject } from "./support/stack";

type Edit = (config: ConfigObject) => void;
const cequence = (c: ConfigObject) => c.cequence as Record<string, unknown>;
const app = (c: ConfigObject, index = 0) => (c.apps as Record<string, unknown>[])[index]!;
const secondApp: Edit = (c) => {
    (c.apps as unknown[]).push({ hostname: "api.cq-route.com", origin: "origin-api.cq-route.com" });
};

/** [what is wrong, the edit that makes it wrong, the key path the error must name, a word the message must contain]. */
const BAD_CONFIGS: Array<[string, Edit, string, string]> = [
    ["missing accountId", (c) => delete c.accountId, "accountId", "required"],
    ["ill-formed accountId", (c) => (c.accountId = "not-an-id"), "accountId", "32-character"],
    ["zoneId one character short", (c) => (c.zoneId = "fedcba9876543210fedcba987654321"), "zoneId", "32-character"],
    ["upper-case zoneId", (c) => (c.zoneId = "FEDCBA9876543210FEDCBA9876543210"), "zoneId", "hexadecimal"],
    ["missing zone", (c) => delete c.zone, "zone", "required"],
    ["zone given as a URL", (c) => (c.zone = "https://cq-route.com/"), "zone", "DNS hostname"],
    ["missing cequence", (c) => delete c.cequence, "cequence", "required"],
    ["missing cequence.hostname", (c) => delete cequence(c).hostname, "cequence.hostname", "required"],
    ["cequence.hostname given as a URL", (c) => (cequence(c).hostname = "https://x.cequence.ai"), "cequence.hostname", "DNS hostname"],
    ["cequence.enabled as a string", (c) => (cequence(c).enabled = "yes"), "cequence.enabled", "boolean"],
    ["typo in a cequence key", (c) => (cequence(c).hostnme = "x.cequence.ai"), "cequence.hostnme", 'did you mean "hostname"'],
    ["typo in a top-level key", (c) => (c.zoneid = c.zoneId), "zoneid", 'did you mean "zoneId"'],
    ["no apps", (c) => (c.apps = []), "apps", "at least one"],
    ["poolStack that is no stack name", (c) => (app(c).poolStack = "prod eu"), "apps[0].poolStack", "stack name"],
    ["apps as an object", (c) => (c.apps = { hostname: "www.cq-route.com" }), "apps", "array"],
    ["origin given as a URL", (c) => (app(c).origin = "http://origin/"), "apps[0].origin", "DNS hostname"],
    ["origin given as an IP address", (c) => (app(c).origin = "192.0.2.10"), "apps[0].origin", "DNS hostname"],
    ["public hostname outside the zone", (c) => (app(c).hostname = "www.example.com"), "apps[0].hostname", "not in the zone"],
    ["LB hostname outside the zone", (c) => (app(c).lbHostname = "lb.example.com"), "apps[0].lbHostname", "not in the zone"],
    ["public hostname equal to its origin", (c) => (app(c).origin = "www.cq-route.com"), "apps[0].origin", "itself"],
    ["public hostname equal to its LB hostname", (c) => (app(c).lbHostname = "www.cq-route.com"), "apps[0].lbHostname", "itself"],
    ["public hostname equal to the Cequence hostname", (c) => (cequence(c).hostname = "www.cq-route.com"), "apps[0].hostname", "loop"],
    ["origin equal to the Cequence hostname", (c) => (app(c).origin = "cq-route.example.cequence.ai"), "apps[0].origin", "Cequence"],
    [
        "routing: cequence with a Cequence Bridge's port (Cloudflare would connect on 443)",
        (c) => {
            cequence(c).port = 9443;
            app(c).routing = "cequence";
        },
        "apps[0].routing",
        "9443",
    ],
    [
        "duplicate public hostnames",
        (c) => (c.apps as unknown[]).push({ hostname: "WWW.cq-route.com.", origin: "origin-2.cq-route.com" }),
        "apps[1].hostname",
        "already",
    ],
    [
        "duplicate LB hostnames",
        (c) => {
            secondApp(c);
            app(c, 1).lbHostname = "origin-www-lb.cq-route.com";
        },
        "apps[1].lbHostname",
        "already",
    ],
    [
        "an LB hostname that is another app's public hostname",
        (c) => {
            secondApp(c);
            app(c, 1).lbHostname = "www.cq-route.com";
        },
        "apps[1].lbHostname",
        "apps[0]",
    ],
    ["an LB hostname that is an app's origin", (c) => (app(c).lbHostname = "origin-www.cq-route.com"), "apps[0].lbHostname", "origin of apps[0]"],
    [
        "an LB hostname that is the Cequence hostname",
        (c) => {
            cequence(c).hostname = "cequence.cq-route.com";
            app(c).lbHostname = "cequence.cq-route.com";
        },
        "apps[0].lbHostname",
        "Cequence hostname",
    ],
    ["unknown routing", (c) => (app(c).routing = "lb"), "apps[0].routing", '"loadBalancer"'],
    ["ill-formed existingRecordId", (c) => (app(c).existingRecordId = "abc"), "apps[0].existingRecordId", "32-character"],
    ["typo in an app key", (c) => (app(c).hostnme = "x"), "apps[0].hostnme", 'did you mean "hostname"'],
    ["monitor interval below 10", (c) => (cequence(c).monitor = { interval: 5 }), "cequence.monitor.interval", "a whole number from 10 to 3600, got 5"],
    ["monitor interval above 3600", (c) => (app(c).monitor = { interval: 7200 }), "apps[0].monitor.interval", "a whole number from 10 to 3600, got 7200"],
    ["fractional monitor interval", (c) => (app(c).monitor = { interval: 30.5 }), "apps[0].monitor.interval", "whole number"],
    ["monitor timeout above 10", (c) => (cequence(c).monitor = { timeout: 11 }), "cequence.monitor.timeout", "from 1 to 10, got 11"],
    ["monitor retries above 5", (c) => (cequence(c).monitor = { retries: 6 }), "cequence.monitor.retries", "from 0 to 5, got 6"],
    ["monitor consecutiveUp of 0", (c) => (cequence(c).monitor = { consecutiveUp: 0 }), "cequence.monitor.consecutiveUp", "from 1 to 10, got 0"],
    ["monitor consecutiveDown above 10", (c) => (app(c).monitor = { consecutiveDown: 11 }), "apps[0].monitor.consecutiveDown", "from 1 to 10, got 11"],
    [
        "monitor interval not above (retries + 1) × timeout",
        (c) => (cequence(c).monitor = { interval: 15, timeout: 5, retries: 2 }),
        "cequence.monitor.interval",
        "(retries + 1) × timeout",
    ],
    ["monitor path without a leading slash", (c) => (cequence(c).monitor = { path: "health" }), "cequence.monitor.path", "start with /"],
    ["monitor expectedCodes that are not a code", (c) => (app(c).monitor = { expectedCodes: "ok" }), "apps[0].monitor.expectedCodes", "2xx"],
    ["typo in a monitor key", (c) => (app(c).monitor = { intervl: 60 }), "apps[0].monitor.intervl", 'did you mean "interval"'],
    [
        "a public hostname whose derived LB hostname has a label over 63 characters",
        (c) => (app(c).hostname = `${"a".repeat(60)}.cq-route.com`),
        "apps[0].hostname",
        `origin-${"a".repeat(60)}-lb.cq-route.com has the label`,
    ],
    [
        "a public hostname whose derived LB hostname is over 253 characters",
        (c) => (app(c).hostname = `${Array.from({ length: 4 }, () => "b".repeat(58)).join(".")}.cq-route.com`),
        "apps[0].hostname",
        "258 characters long (DNS allows 253); set apps[0].lbHostname",
    ],
    [
        "an origin that is another app's public hostname",
        (c) => {
            secondApp(c);
            app(c, 1).origin = "www.cq-route.com";
        },
        "apps[1].origin",
        "www.cq-route.com is the public hostname of apps[0]; traffic would loop",
    ],
    [
        "an origin that is another app's LB hostname",
        (c) => {
            secondApp(c);
            app(c, 1).origin = "origin-www-lb.cq-route.com";
        },
        "apps[1].origin",
        "origin-www-lb.cq-route.com is the load balancer hostname of apps[0]; traffic would loop",
    ],
    ["the zone apex as an LB hostname when no app is the apex", (c) => (app(c).lbHostname = "cq-route.com"), "apps[0].lbHostname", "cq-route.com is the zone apex"],
    ["Cequence expected codes of 5xx", (c) => (cequence(c).monitor = { expectedCodes: "5xx" }), "cequence.monitor.expectedCodes", '"5xx" cannot mean healthy'],
    ["Cequence expected code 503", (c) => (cequence(c).monitor = { expectedCodes: "503" }), "cequence.monitor.expectedCodes", '"503" cannot mean healthy'],
    ["Cequence expected code 403", (c) => (cequence(c).monitor = { expectedCodes: "403" }), "cequence.monitor.expectedCodes", '"403" cannot mean healthy'],
    ["Cequence expected codes of 3xx", (c) => (cequence(c).monitor = { expectedCodes: "3xx" }), "cequence.monitor.expectedCodes", '"3xx" cannot mean healthy'],
    ["origin expected codes of 5xx", (c) => (app(c).monitor = { expectedCodes: "5xx" }), "apps[0].monitor.expectedCodes", '"5xx" cannot mean healthy'],
    ["origin expected code 100", (c) => (app(c).monitor = { expectedCodes: "100" }), "apps[0].monitor.expectedCodes", '"100" cannot mean healthy'],
    ["cequence.port of 0", (c) => (cequence(c).port = 0), "cequence.port", "a whole number from 1 to 65535, got 0"],
    ["cequence.port above 65535", (c) => (cequence(c).port = 70000), "cequence.port", "a whole number from 1 to 65535, got 70000"],
    ["cequence.port as a string", (c) => (cequence(c).port = "9443"), "cequence.port", 'got string "9443"'],
    ["cequence.sharedPool as a string", (c) => (cequence(c).sharedPool = "yes"), "cequence.sharedPool", 'got string "yes"'],
    [
        "cequence.monitor.host without a shared pool",
        (c) => (cequence(c).monitor = { host: "www.cq-route.com" }),
        "cequence.monitor.host",
        '"www.cq-route.com" only applies with cequence.sharedPool: true',
    ],
    [
        "cequence.monitor.host that is not a hostname",
        (c) => {
            cequence(c).sharedPool = true;
            cequence(c).monitor = { host: "https://www.cq-route.com/" };
        },
        "cequence.monitor.host",
        'got "https://www.cq-route.com/"',
    ],
    ["apps[].paths empty", (c) => (app(c).paths = []), "apps[0].paths", "at least one path"],
    ["apps[].paths as a string", (c) => (app(c).paths = "/login"), "apps[0].paths", "must be an array"],
    ["an apps[].paths entry that is no string", (c) => (app(c).paths = ["/login", 3]), "apps[0].paths[1]", "must be a string, got number 3"],
    ["an apps[].paths entry without its leading /", (c) => (app(c).paths = ["/login", "api/*"]), "apps[0].paths[1]", "must start with /"],
    ["a * that does not end an apps[].paths prefix", (c) => (app(c).paths = ["/api*"]), "apps[0].paths[0]", "* may only end a prefix"],
    ["an apps[].paths entry with a query string", (c) => (app(c).paths = ["/login?x=1"]), "apps[0].paths[0]", "query string"],
    ["an apps[].paths entry with a space", (c) => (app(c).paths = ["/log in"]), "apps[0].paths[0]", "cannot appear in a URL path"],
    ["a repeated apps[].paths entry", (c) => (app(c).paths = ["/login", "/signup", "/login"]), "apps[0].paths[2]", "repeats apps[0].paths[0]"],
    ["an apps[].paths entry under a listed prefix", (c) => (app(c).paths = ["/api/*", "/api/v1/*"]), "apps[0].paths[1]", "already under apps[0].paths[0]"],
    ["apps[].paths with routing: origin", (c) => Object.assign(app(c), { paths: ["/login"], routing: "origin" }), "apps[0].paths", "applies only with routing: loadBalancer"],
    ["apps[].paths with routing: cequence", (c) => Object.assign(app(c), { paths: ["/login"], routing: "cequence" }), "apps[0].paths", "every request through Cequence"],
];

async function rejects(config: ConfigObject, extra: Record<string, string> = {}, secretKeys: string[] = []) {
    const run = await runProgram({ stack: "prod", config: toRaw(config, extra, secretKeys), calls: OFFLINE_CALLS });
    assert.ok(run.error, "the program should have refused this config");
    assert.deepEqual(run.resources, [], "no resource may be registered when config is invalid");
    return run.error.message;
}

describe("invalid config registers nothing and names the key", () => {
    it(`has at least 25 distinct cases (${BAD_CONFIGS.length})`, () => {
        assert.ok(BAD_CONFIGS.length >= 25);
        assert.equal(new Set(BAD_CONFIGS.map(([what]) => what)).size, BAD_CONFIGS.length);
    });

    for (const [what, edit, path, word] of BAD_CONFIGS) {
        it(what, async () => {
            const config = guideConfig();
            edit(config);
            const message = await rejects(config);
            const line = message.split("\n").find((l) => l.trim().startsWith(`${path}:`));
            assert.ok(line, `expected a line for ${path} in:\n${message}`);
            assert.ok(line.includes(word), `expected "${word}" in: ${line}`);
        });
    }

    it("rejects a plaintext cloudflare:apiToken and accepts a secret one", async () => {
        const message = await rejects(guideConfig(), { "cloudflare:apiToken": "plain-token" });
        assert.match(message, /cloudflare:apiToken: is stored in plain text/);
        assert.doesNotMatch(message, /plain-token/, "the token itself is never printed");
        const secret = parseStackConfig(toRaw(guideConfig(), { "cloudflare:apiToken": "t" }, ["cloudflare:apiToken"]));
        assert.equal(secret.ok, true);
    });

    for (const [key, hint] of [
        ["cequence:accountId", "write cloudflare-cequence:accountId"],
        ["cloudflare:zoneId", "write cloudflare-cequence:zoneId"],
        ["cequence:hostname", "write hostname inside cloudflare-cequence:cequence"],
        ["cloudflare-cequnce:zone", "write cloudflare-cequence:zone"],
    ] as const) {
        it(`refuses ${key}, a key in the wrong namespace, naming the right one`, async () => {
            const message = await rejects(guideConfig(), { [key]: "x" });
            assert.match(message, new RegExp(`^\\s+${key}: is not read: the project's keys are in the cloudflare-cequence namespace; ${hint}`, "m"));
        });
    }

    it("keeps the providers' own keys, whatever their names", () => {
        const others = { "cloudflare:apiToken": "t", "cloudflare:baseUrl": "u", "gcp:zone": "europe-west1-b" };
        assert.equal(parseStackConfig(toRaw(guideConfig(), others, ["cloudflare:apiToken"])).ok, true);
    });

    it("reports every problem at once", async () => {
        const config = guideConfig();
        config.accountId = "x";
        cequence(config).monitor = { timeout: 99 };
        app(config).origin = "http://origin/";
        app(config).routing = "sideways";
        const message = await rejects(config);
        for (const path of ["accountId", "cequence.monitor.timeout", "apps[0].origin", "apps[0].routing"]) {
            assert.match(message, new RegExp(`^\\s+${path.replace(/[[\].]/g, "\\$&")}: `, "m"));
        }
    });

    it("reports a check between keys together with the errors of the keys beside it", async () => {
        const config = guideConfig();
        cequence(config).monitor = { interval: 15, timeout: 5, retries: 2, path: "health", expectedCodes: "5xx" };
        app(config).monitor = { interval: 20, timeout: 10, consecutiveUp: 0 };
        const message = await rejects(config);
        for (const [path, words] of [
            ["cequence.monitor.path", "start with /"],
            ["cequence.monitor.expectedCodes", "cannot mean healthy"],
            ["cequence.monitor.interval", "(retries + 1) × timeout = (2 + 1) × 5 = 15 s"],
            ["apps[0].monitor.consecutiveUp", "1"],
            ["apps[0].monitor.interval", "(retries + 1) × timeout = (2 + 1) × 10 = 30 s"],
        ]) {
            const line = message.split("\n").find((l) => l.trim().startsWith(`${path}:`));
            assert.ok(line?.includes(words!), `expected "${words}" under ${path} in:\n${message}`);
        }
    });

    it("makes no check between keys with a key it compares that is itself refused", () => {
        const config = guideConfig();
        cequence(config).monitor = { interval: 15, timeout: 99 };
        const parsed = parseStackConfig(toRaw(config));
        assert.ok(!parsed.ok);
        assert.deepEqual(parsed.issues.map((i) => i.path), ["cequence.monitor.timeout"]);
    });

    it("accepts the guide's config", () => {
        assert.equal(parseStackConfig(toRaw(guideConfig())).ok, true);
    });
});

describe("config defaults and normalisation", () => {
    it("fills defaults and derives the guide's LB hostname", () => {
        const parsed = parseStackConfig(toRaw(guideConfig()));
        assert.ok(parsed.ok);
        const [only] = parsed.config.apps;
        assert.equal(only!.lbHostname, "origin-www-lb.cq-route.com");
        assert.equal(only!.routing, "loadBalancer");
        assert.equal(parsed.config.cequence.enabled, true);
    });

    it("derives the LB hostname from the name relative to the zone", () => {
        const config = guideConfig();
        config.zone = "example.co.uk";
        config.apps = [
            { hostname: "portal.api.example.co.uk", origin: "o.example.net" },
            { hostname: "example.co.uk", origin: "apex-origin.example.net" },
        ];
        const parsed = parseStackConfig(toRaw(config));
        assert.ok(parsed.ok);
        assert.deepEqual(
            parsed.config.apps.map((a) => a.lbHostname),
            ["origin-portal-api-lb.example.co.uk", "origin-lb.example.co.uk"],
        );
    });

    it("lower-cases hostnames and drops a trailing dot, as Cloudflare stores them", () => {
        const config = guideConfig();
        app(config).origin = "Origin-WWW.cq-route.com.";
        const parsed = parseStackConfig(toRaw(config));
        assert.ok(parsed.ok);
        assert.equal(parsed.config.apps[0]!.origin, "origin-www.cq-route.com");
    });
});

describe("config merging", () => {
    it("merges duplicate alert emails and destination IDs, keeping the first spelling", () => {
        const config = guideConfig();
        config.alerts = { emails: ["ops@example.com", "OnCall@Example.com", "ops@EXAMPLE.com", "OnCall@example.com"], webhookIds: ["w1", "w1"] };
        const parsed = parseStackConfig(toRaw(config));
        assert.ok(parsed.ok);
        assert.deepEqual(parsed.config.alerts, { emails: ["ops@example.com", "OnCall@Example.com"], webhookIds: ["w1"], pagerdutyIds: [] });
    });

    it("defaults the shared Cequence monitor's Host to the first load-balanced app, and leaves per-app monitors without one", () => {
        const config = guideConfig();
        config.apps = [
            { hostname: "cq-route.com", origin: "apex.example.net", routing: "cequence" },
            { hostname: "api.cq-route.com", origin: "origin-api.cq-route.com" },
        ];
        const perApp = parseStackConfig(toRaw(config));
        assert.ok(perApp.ok);
        assert.equal(perApp.config.cequence.monitor.host, undefined);
        assert.equal(perApp.config.cequence.sharedPool, false);
        assert.equal(perApp.config.cequence.port, 443);
        cequence(config).sharedPool = true;
        const shared = parseStackConfig(toRaw(config));
        assert.ok(shared.ok);
        assert.equal(shared.config.cequence.monitor.host, "api.cq-route.com");
        cequence(config).monitor = { host: "Health.CQ-route.com." };
        const chosen = parseStackConfig(toRaw(config));
        assert.ok(chosen.ok);
        assert.equal(chosen.config.cequence.monitor.host, "health.cq-route.com");
    });
});

describe("stack files", () => {
    const write = (text: string) => {
        const file = path.join(mkdtempSync(path.join(tmpdir(), "stack-file-")), "Pulumi.test.yaml");
        writeFileSync(file, text);
        return file;
    };

    it("resolves YAML merge keys (<<: *app)", () => {
        const file = write(`config:
  cloudflare-cequence:apps:
    - &app
      hostname: www.cq-route.com
      origin: origin.example.net
      monitor: { path: /health }
    - <<: *app
      hostname: api.cq-route.com
`);
        const apps = JSON.parse(readStackFile(file).values["cloudflare-cequence:apps"]!) as unknown[];
        assert.deepEqual(apps[1], { hostname: "api.cq-route.com", origin: "origin.example.net", monitor: { path: "/health" } });
    });

    it("names the file and the line of a YAML syntax error", () => {
        const file = write("config:\n  cloudflare-cequence:zone: cq-route.com\n  cloudflare-cequence:apps: [oops\n");
        assert.throws(() => readStackFile(file), (error: Error) => error.message.startsWith(`${file}:4:1: invalid YAML: `));
    });

    it("shows the offending line of a YAML syntax error, under a reason that is not cut off at a colon", () => {
        const cases: Array<[string, string, string]> = [
            ["config:\n  cloudflare-cequence:zone: cq-route.com\n  cloudflare-cequence:apps: [oops\n", "must be sufficiently indented and end with a ]", "cloudflare-cequence:apps: [oops"],
            ["config:\n  cloudflare-cequence:zone: cq-route.com\n  cloudflare-cequence:zone: example.com\n", "Map keys must be unique", "cloudflare-cequence:zone: example.com"],
        ];
        for (const [text, reason, offending] of cases) {
            assert.throws(
                () => readStackFile(write(text)),
                (error: Error) => {
                    const [first, ...frame] = error.message.split("\n");
                    assert.ok(first!.endsWith(reason), `the reason, whole, ends the first line: ${first}`);
                    assert.ok(frame.some((line) => line.includes(offending)), `the offending line is shown:\n${error.message}`);
                    return true;
                },
            );
        }
    });
});

describe("the stack's footprint", () => {
    const withApps = (count: number, cequenceEdit: Record<string, unknown> = {}) => {
        const config = guideConfig();
        config.apps = Array.from({ length: count }, (_, i) => ({ hostname: `app${i}.cq-route.com`, origin: `origin-${i}.cq-route.com`, monitor: { interval: 30 } }));
        Object.assign(cequence(config), cequenceEdit);
        const parsed = parseStackConfig(toRaw(config));
        assert.ok(parsed.ok);
        return stackFootprint(parsed.config);
    };

    it("grows Cequence's endpoints and probes with the hostnames per app, and keeps them constant with a shared pool", () => {
        for (const apps of [1, 4, 10]) {
            const perApp = withApps(apps);
            const shared = withApps(apps, { sharedPool: true });
            assert.deepEqual([perApp.endpoints, perApp.pools, perApp.monitors, perApp.loadBalancers], [2 * apps, 2 * apps, 2 * apps, apps]);
            assert.deepEqual([shared.endpoints, shared.pools, shared.monitors, shared.loadBalancers], [apps + 1, apps + 1, apps + 1, apps]);
            const cequenceProbes = (f: typeof perApp) => f.probed.find((p) => p.role === "cequence")!;
            assert.deepEqual([cequenceProbes(perApp).monitors, cequenceProbes(perApp).probesPerMinutePerDataCenter], [apps, apps]);
            assert.deepEqual([cequenceProbes(shared).monitors, cequenceProbes(shared).probesPerMinutePerDataCenter], [1, 1]);
            assert.equal(cequenceProbes(shared).probesPerMinuteAllRegions, 39);
            assert.deepEqual(shared.probed.filter((p) => p.role === "origin").map((p) => p.probesPerMinutePerDataCenter), Array(apps).fill(2), "interval 30: 2 a minute");
        }
    });

    it("says when the stack alone goes over a non-Enterprise account's limits", () => {
        assert.deepEqual(withApps(10).overLimits, []);
        assert.deepEqual(withApps(11).overLimits, [
            "22 pools, above the 20 a non-Enterprise account allows",
            "22 endpoints, above the 20 a non-Enterprise account allows",
        ]);
        assert.deepEqual(withApps(19, { sharedPool: true }).overLimits, []);
    });
});

describe("config warnings", () => {
    it("warn when the stack alone goes over a non-Enterprise account's limits, naming sharedPool", () => {
        const config = guideConfig();
        config.apps = Array.from({ length: 11 }, (_, i) => ({ hostname: `app${i}.cq-route.com`, origin: `origin-${i}.cq-route.com` }));
        const parsed = parseStackConfig(toRaw(config));
        assert.ok(parsed.ok);
        assert.deepEqual(configWarnings(parsed.config), [
            "The stack needs 22 pools, above the 20 a non-Enterprise account allows; 22 endpoints, above the 20 a non-Enterprise account allows (Cloudflare's Load Balancing limits, for the whole account; Enterprise sets its own). cequence.sharedPool: true needs one Cequence pool for the whole stack instead of one per app.",
        ]);
    });
});
