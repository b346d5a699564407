/**
 * `npm run plan` as a user runs it: a child process on a stack file, its
 * text and JSON output, and its exit status on bad config.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { describe, it } from "node:test";
import { PROJECT_ROOT } from "../tools/plan/mockEngine";

const tsx = path.join(PROJECT_ROOT, "node_modules", "tsx", "dist", "cli.mjs");

function run(script: string, args: string[] = [], cwd = PROJECT_ROOT) {
    const result = spawnSync(process.execPath, [tsx, path.join(PROJECT_ROOT, script), ...args], { cwd, encoding: "utf8" });
    return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** A Cequence Bridge on its port behind one shared pool, two apps written with a YAML merge key (README, "Cequence Bridge"). */
const BRIDGE_STACK = `config:
  cloudflare-cequence:accountId: 0123456789abcdef0123456789abcdef
  cloudflare-cequence:zoneId: fedcba9876543210fedcba9876543210
  cloudflare-cequence:zone: cq-route.com
  cloudflare-cequence:cequence:
    hostname: cequence-bridge.cq-route.com
    port: 9443
    sharedPool: true
  cloudflare-cequence:apps:
    - &app
      hostname: www.cq-route.com
      origin: origin-www.cq-route.com
    - <<: *app
      hostname: api.cq-route.com
      origin: origin-api.cq-route.com
`;

describe("npm run plan", () => {
    it("prints the traffic path, the resources and the outputs of the bundled stack", () => {
        const { status, stdout } = run("tools/plan/plan.ts", ["--stack", "prod"]);
        assert.equal(status, 0);
        assert.match(stdout, /www\.cq-route\.com → CNAME origin-www-lb\.cq-route\.com/);
        assert.match(stdout, /1st: Cequence /);
        assert.match(stdout, /2nd and fallback: origin origin-www\.cq-route\.com/);
        assert.match(stdout, /fail-open: within 75 s/);
        assert.match(stdout, /\+ create\s+DnsRecord\s+cutover-record\s+CNAME www\.cq-route\.com → origin-www-lb\.cq-route\.com; proxied, ttl 1\s+\[protected, retained on delete\]/);
        assert.match(stdout, /Outputs:\n\s+cloudflareIpRanges/);
    });

    it("prints the same as JSON with --json", () => {
        const { status, stdout } = run("tools/plan/plan.ts", ["--json"]);
        assert.equal(status, 0);
        const plan = JSON.parse(stdout) as { stack: string; apps: Array<{ hostname: string; resources: Array<{ type: string; protect: boolean }> }>; outputs: Record<string, unknown> };
        assert.equal(plan.stack, "prod");
        assert.equal(plan.apps[0]!.hostname, "www.cq-route.com");
        assert.equal(plan.apps[0]!.resources.length, 6);
        assert.deepEqual(plan.outputs.loadBalancers, { "www.cq-route.com": "origin-www-lb.cq-route.com" });
    });

    it("prints the footprint, and the Bridge's port in the traffic path, with --json too", () => {
        const dir = mkdtempSync(path.join(tmpdir(), "plan-"));
        writeFileSync(path.join(dir, "Pulumi.bridge.yaml"), BRIDGE_STACK);
        const text = run("tools/plan/plan.ts", ["--stack", "bridge", "--dir", dir]);
        assert.equal(text.status, 0, text.stderr);
        assert.match(text.stdout, /1st: Cequence cequence-bridge\.cq-route\.com:9443 \(the stack's shared pool\)/);
        assert.match(text.stdout, /Footprint .*\n\s+2 load balancers, 3 pools, 3 endpoints, 3 monitors/);
        assert.match(text.stdout, /cequence cequence-bridge\.cq-route\.com:9443\s+1 monitor\s+1\/min\s+\(39\/min with All Regions\)/);
        const json = run("tools/plan/plan.ts", ["--stack", "bridge", "--json", "--dir", dir]);
        const plan = JSON.parse(json.stdout) as { footprint: { endpoints: number; probed: Array<{ role: string; port: number }> } };
        assert.equal(plan.footprint.endpoints, 3);
        assert.deepEqual(plan.footprint.probed.map((p) => [p.role, p.port]), [["cequence", 9443], ["origin", 443], ["origin", 443]]);
    });

    it("shows which paths go through Cequence and where the rest goes, in the traffic path, the load balancer's row and --json", () => {
        const dir = mkdtempSync(path.join(tmpdir(), "plan-"));
        writeFileSync(path.join(dir, "Pulumi.paths.yaml"), BRIDGE_STACK.replace("    port: 9443\n    sharedPool: true\n", "").replace("      origin: origin-api.cq-route.com\n", '      origin: origin-api.cq-route.com\n      paths: ["/v1/*", "/login"]\n'));
        const text = run("tools/plan/plan.ts", ["--stack", "paths", "--dir", dir]);
        assert.equal(text.status, 0, text.stderr);
        const api = text.stdout.slice(text.stdout.indexOf("api.cq-route.com  (routing"));
        assert.match(api, /traffic: api\.cq-route\.com → CNAME origin-api-lb\.cq-route\.com \(load balancer, failover, steering off\)\n\s+requests for \/login, \/v1\/\* only:\n\s+1st: Cequence/);
        assert.match(api, /every other request: straight to origin origin-api\.cq-route\.com:443, never Cequence \(the load balancer's rule\)/);
        assert.match(api, /rule: every path but \/login, \/v1\/\* → origin_api_cq-route_com__paths/);
        assert.doesNotMatch(text.stdout.slice(0, text.stdout.indexOf("api.cq-route.com  (routing")), /requests for|rule:/, "www has no paths");
        const plan = JSON.parse(run("tools/plan/plan.ts", ["--stack", "paths", "--json", "--dir", dir]).stdout) as {
            apps: Array<{ flow: { loadBalancer?: { paths?: string[] } } }>;
            outputs: Record<string, unknown>;
        };
        assert.deepEqual(plan.apps.map((app) => app.flow.loadBalancer?.paths), [undefined, ["/login", "/v1/*"]]);
        assert.deepEqual(plan.outputs.protectedPaths, { "api.cq-route.com": 'lower(http.request.uri.path) in {"/login" "/login/" "/v1"} or lower(http.request.uri.path) matches "^/v1/"' });
    });

    it("lists every config problem and exits 1", () => {
        const dir = mkdtempSync(path.join(tmpdir(), "plan-"));
        writeFileSync(
            path.join(dir, "Pulumi.bad.yaml"),
            ["config:", "  cloudflare-cequence:accountId: nope", "  cloudflare-cequence:zone: cq-route.com", "  cloudflare-cequence:apps: []", ""].join("\n"),
        );
        const { status, stderr } = run("tools/plan/plan.ts", ["--stack", "bad", "--dir", dir]);
        assert.equal(status, 1);
        for (const key of ["accountId", "zoneId", "cequence", "apps"]) assert.match(stderr, new RegExp(`^\\s+${key}: `, "m"));
        assert.doesNotMatch(stderr, /\n\s+at /, "no stack trace");
    });

    it("warns that up fails with 81053 where a hostname's record already exists, naming preflight and existingRecordId", () => {
        const { status, stdout } = run("tools/plan/plan.ts", ["--stack", "prod"]);
        assert.equal(status, 0);
        assert.match(stdout, /warning: apps\[0\] \(www\.cq-route\.com\): no existingRecordId, so `pulumi up` creates the record; it fails with 81053 if www\.cq-route\.com already has a record.*npm run preflight.*existingRecordId/);
    });

    it("notes that a hostname already served by a load balancer is not cut over by the CNAME, naming the runbook", () => {
        const { status, stdout } = run("tools/plan/plan.ts", ["--stack", "prod"]);
        assert.equal(status, 0);
        assert.match(
            stdout,
            /warning: www\.cq-route\.com: if a hostname is already a Cloudflare load balancer, that load balancer takes precedence over the stack's CNAME.*npm run preflight.*docs\/existing-load-balancer\.md/,
        );
    });

    it("keeps the table's columns on an adopt row, and counts creations and adoptions apart", () => {
        const dir = mkdtempSync(path.join(tmpdir(), "plan-"));
        const recordId = "0123456789abcdef0123456789abcdef";
        writeFileSync(path.join(dir, "Pulumi.adopt.yaml"), BRIDGE_STACK.replace("      origin: origin-api.cq-route.com\n", `      origin: origin-api.cq-route.com\n      routing: origin\n      existingRecordId: ${recordId}\n`));
        const { status, stdout, stderr } = run("tools/plan/plan.ts", ["--stack", "adopt", "--dir", dir]);
        assert.equal(status, 0, stderr);
        const rows = stdout.split("\n").filter((line) => /^ {2}[+=] /.test(line));
        const kindColumn = (line: string) => line.search(/LoadBalancer|DnsRecord/);
        assert.equal(new Set(rows.map(kindColumn)).size, 1, `one column for the kind on every row:\n${rows.join("\n")}`);
        assert.match(stdout, new RegExp(`= adopt\\s+DnsRecord\\s+cutover-record\\s+CNAME api\\.cq-route\\.com → origin-api\\.cq-route\\.com.*adopts fedcba9876543210fedcba9876543210/${recordId}`));
        assert.match(stdout, /^(\d+) resources to create, 1 to adopt\.$/m);
    });

    it("plans the new stack file the README shows how to write, with the command the README gives", () => {
        const readme = readFileSync(path.join(PROJECT_ROOT, "README.md"), "utf8");
        const section = readme.slice(readme.indexOf("## A stack of your own"), readme.indexOf("## Deploying for real"));
        const file = /^```yaml\n# (Pulumi\.([\w.-]+)\.yaml)\n([\s\S]*?)^```$/m.exec(section);
        assert.ok(file, "the README's section \"A stack of your own\" shows a stack file");
        const [, fileName, stack, text] = file;
        assert.ok(section.includes(`npm run plan -- --stack ${stack}`), "and how to plan it");
        assert.ok(section.includes(`pulumi stack init ${stack}`), "and how to create the stack");
        const dir = mkdtempSync(path.join(tmpdir(), "plan-"));
        writeFileSync(path.join(dir, fileName!), text!);
        const { status, stdout, stderr } = run("tools/plan/plan.ts", ["--stack", stack!, "--dir", dir]);
        assert.equal(status, 0, stderr);
        assert.ok(stdout.startsWith(`Plan for stack "${stack}"`), stdout);
    });

    for (const flag of ["--help", "-h"]) {
        it(`prints its usage and exits 0 with ${flag}`, () => {
            const { status, stdout } = run("tools/plan/plan.ts", [flag]);
            assert.equal(status, 0);
            assert.match(stdout, /^usage: npm run plan/);
        });
    }

    it("says which stack file is missing", () => {
        const { status, stderr } = run("tools/plan/plan.ts", ["--stack", "nosuchstack"]);
        assert.equal(status, 1);
        assert.match(stderr, /Pulumi\.nosuchstack\.yaml: ENOENT/);
    });
});

describe("runs that must fail, each in its own process", () => {
    it("an unknown provider function fails the run loudly", () => {
        const { status, stdout } = run("tests/support/failingRun.ts", ["unknown-call"]);
        assert.equal(status, 1);
        assert.match(stdout, /the mocks do not know the provider function cloudflare:index\/getIpRanges:getIpRanges/);
    });

    /** The resources (not components) a failed run registered, from failingRun's last line. */
    const registered = (stdout: string) => /^registered: (.*)$/m.exec(stdout)?.[1]?.split(", ").filter(Boolean);

    it("trueClientIp stops with a clear error when the zone has remove_visitor_ip_headers on, before anything is registered", () => {
        const { status, stdout } = run("tests/support/failingRun.ts", ["conflicting-transform"]);
        assert.equal(status, 1);
        assert.match(stdout, /trueClientIp: zone \w+ has the managed transform remove_visitor_ip_headers on, which Cloudflare refuses together with add_true_client_ip_headers/);
        assert.match(stdout, /or set trueClientIp: false/);
        assert.deepEqual(registered(stdout), [], "no monitor, pool, load balancer or record is created before the check");
    });

    it("a failed check of True-Client-IP stops edge authentication too: its rule is not written", () => {
        const { status, stdout } = run("tests/support/failingRun.ts", ["conflicting-transform-with-edge-auth"]);
        assert.equal(status, 1);
        assert.match(stdout, /trueClientIp: zone \w+ has the managed transform remove_visitor_ip_headers on/);
        assert.deepEqual(registered(stdout), []);
    });

    it("edge authentication refuses a zone whose request-header ruleset someone else made, naming the ID to adopt, before anything is registered", () => {
        const { status, stdout } = run("tests/support/failingRun.ts", ["others-ruleset"]);
        assert.equal(status, 1);
        assert.match(stdout, /edgeAuth\.existingRulesetId: zone \w+ already has its request-header transform ruleset \(0000aaaa0000aaaa0000aaaa0000aaaa, "Web team"\)/);
        assert.match(stdout, /Set edgeAuth\.existingRulesetId: 0000aaaa0000aaaa0000aaaa0000aaaa to adopt it/);
        assert.deepEqual(registered(stdout), []);
    });

    it("edge authentication refuses a ruleset it cannot read, and never writes it unread", () => {
        const { status, stdout } = run("tests/support/failingRun.ts", ["unreadable-ruleset"]);
        assert.equal(status, 1);
        assert.match(stdout, /edgeAuth\.existingRulesetId: cannot read ruleset 0000aaaa0000aaaa0000aaaa0000aaaa of zone \w+/);
        assert.match(stdout, /never writes it unread/);
        assert.deepEqual(registered(stdout), []);
    });

    it("edge authentication refuses an existingRulesetId of another phase before anything is registered", () => {
        const { status, stdout } = run("tests/support/failingRun.ts", ["wrong-phase-ruleset"]);
        assert.equal(status, 1);
        assert.match(stdout, /edgeAuth\.existingRulesetId: ruleset 0000aaaa0000aaaa0000aaaa0000aaaa is a zone ruleset of phase http_request_firewall_custom, not the zone's request-header transform ruleset/);
        assert.deepEqual(registered(stdout), []);
    });
});
