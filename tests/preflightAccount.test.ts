/**
 * What `preflight` says of the account and the token before the first
 * `pulumi up`: whether the account has Load Balancing, and whether the token
 * may write what `pulumi up` writes (Transform Rules with edge authentication).
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { unlessRefused } from "../tools/live/unlessRefused";
import { WRITE_PERMISSIONS } from "../tools/live/permissions";
import { preflight, TOKEN_KEY, type AccountVerdict, type AppVerdict } from "../tools/live/preflight";
import { entitlementFrom } from "../tools/live/loadBalancingEntitlement";
import { covers, grants, neededWritePermissions, writeAccess, type TokenPolicy } from "../tools/live/tokenPolicies";
import { accountAccessOf, LOAD_BALANCING_SUBSCRIPTION, tokenId } from "./support/cloudflare/accountAccess";
import { WITHOUT_LOAD_BALANCING } from "./support/cloudflare/loadBalancing";
import { envFor, parseConfig, runInProcess, STACK, startLive, stopStandInsAfterEach, TOKEN, type Live } from "./support/liveFixture";
import { guideConfig, type ConfigObject } from "./support/stack";

const IDS = { accountId: "0123456789abcdef0123456789abcdef", zoneId: "fedcba9876543210fedcba9876543210" };
const ACCOUNT = `com.cloudflare.api.account.${IDS.accountId}`;
const ZONE = `com.cloudflare.api.account.zone.${IDS.zoneId}`;

function policy(effect: "allow" | "deny", groups: readonly string[], resources: TokenPolicy["resources"]): TokenPolicy {
    return { id: `${effect}-${groups.join("-")}`, effect, permission_groups: groups.map((name, index) => ({ id: `g${index}`, name })), resources };
}

/** The policies of a token made as docs/workflow.md says, with edge authentication. */
function workflowPolicies(ids = IDS): TokenPolicy[] {
    return [
        policy("allow", ["Load Balancing: Monitors and Pools Write"], { [`com.cloudflare.api.account.${ids.accountId}`]: "*" }),
        policy("allow", ["Load Balancers Write", "DNS Write", "Zone Transform Rules Write"], { [`com.cloudflare.api.account.zone.${ids.zoneId}`]: "*" }),
    ];
}

describe("the token's policies: what covers the stack's account and zone", () => {
    it("an account by ID or *; a zone by ID or *, flat or under its account", () => {
        assert.equal(covers({ [ACCOUNT]: "*" }, "account", IDS), true);
        assert.equal(covers({ "com.cloudflare.api.account.*": "*" }, "account", IDS), true);
        assert.equal(covers({ [ZONE]: "*" }, "zone", IDS), true);
        assert.equal(covers({ "com.cloudflare.api.account.zone.*": "*" }, "zone", IDS), true);
        assert.equal(covers({ [ACCOUNT]: { "com.cloudflare.api.account.zone.*": "*" } }, "zone", IDS), true);
        assert.equal(covers({ [ACCOUNT]: { [ZONE]: "*" } }, "zone", IDS), true);
    });

    it("another account or zone, or an account for a zone permission, covers nothing", () => {
        assert.equal(covers({ "com.cloudflare.api.account.aaaa": "*" }, "account", IDS), false);
        assert.equal(covers({ "com.cloudflare.api.account.zone.bbbb": "*" }, "zone", IDS), false);
        assert.equal(covers({ [ACCOUNT]: "*" }, "zone", IDS), false);
        assert.equal(covers({ [ZONE]: "*" }, "account", IDS), false);
        assert.equal(covers({ "com.cloudflare.api.account.aaaa": { "com.cloudflare.api.account.zone.*": "*" } }, "zone", IDS), false);
    });

    it("a deny that covers the resource wins over any allow, in any order (property)", () => {
        const transform = WRITE_PERMISSIONS.transformRules;
        const arbitraryPolicy = fc.record({
            effect: fc.constantFrom("allow" as const, "deny" as const),
            group: fc.constantFrom(...transform.groups, "DNS Write", "Transform Rules Read"),
            resource: fc.constantFrom(ZONE, "com.cloudflare.api.account.zone.*", "com.cloudflare.api.account.zone.other"),
        });
        fc.assert(
            fc.property(fc.array(arbitraryPolicy, { maxLength: 6 }), (drawn) => {
                const policies = drawn.map(({ effect, group, resource }) => policy(effect, [group], { [resource]: "*" }));
                const applying = drawn.filter((p) => (transform.groups as readonly string[]).includes(p.group) && p.resource !== "com.cloudflare.api.account.zone.other");
                const expected = applying.some((p) => p.effect === "allow") && !applying.some((p) => p.effect === "deny");
                assert.equal(grants(policies, transform, IDS), expected);
            }),
        );
    });

    it("permission group names match whatever their case", () => {
        assert.equal(grants([policy("allow", ["dns write"], { [ZONE]: "*" })], WRITE_PERMISSIONS.dns, IDS), true);
    });

    it("Transform Rules is needed only with edgeAuth, load balancing only with a load balancer", () => {
        const labels = (config: ConfigObject) => neededWritePermissions(parseConfig(config)).map((p) => p.label);
        assert.deepEqual(labels(guideConfig()), [WRITE_PERMISSIONS.monitorsAndPools.label, WRITE_PERMISSIONS.loadBalancers.label, WRITE_PERMISSIONS.dns.label]);
        assert.ok(labels({ ...guideConfig(), edgeAuth: {} }).includes(WRITE_PERMISSIONS.transformRules.label));
    });

    it("policies that cannot be read are 'could not check', never 'granted', and name the permission that would let them", () => {
        const access = writeAccess(null, [WRITE_PERMISSIONS.transformRules], [], IDS);
        assert.equal(access.missing, null);
        assert.match(access.summary, /could not check that the token may Zone · Transform Rules · Edit: it may not read its own policies \(that needs User · API Tokens · Read/);
    });
});

describe("an optional read", () => {
    it("is undefined when Cloudflare refuses it (400, 401, 403) or has no such operation for the token (404); any other failure stays one", async () => {
        for (const status of [400, 401, 403, 404]) assert.equal(await unlessRefused(() => Promise.reject(Object.assign(new Error("no"), { status }))), undefined);
        await assert.rejects(unlessRefused(() => Promise.reject(Object.assign(new Error("down"), { status: 503 }))), /down/);
        assert.equal(await unlessRefused(async () => "answer"), "answer");
    });
});

describe("the account's Load Balancing add-on", () => {
    const subscription = (id: string, publicName: string, state = "Paid", isContract = false) =>
        ({ id, state, rate_plan: { id: id as never, public_name: publicName, is_contract: isContract } }) as never;

    it("pools or load balancers in use prove it without reading subscriptions", () => {
        assert.equal(entitlementFrom({ pools: 2, loadBalancers: 0 }, null).enabled, true);
    });

    it("a live subscription named for Load Balancing proves it; a cancelled one does not", () => {
        assert.equal(entitlementFrom({ pools: 0, loadBalancers: 0 }, [subscription("LOAD_BALANCING_BASIC_PLUS", "Load Balancing")]).enabled, true);
        const cancelled = entitlementFrom({ pools: 0, loadBalancers: 0 }, [subscription("PARTNERS_LOAD_BALANCING", "", "Cancelled")]);
        assert.equal(cancelled.enabled, false);
        assert.match(cancelled.summary, /Load Balancing subscription is Cancelled/);
    });

    it("none named for it is 'unknown' (Cloudflare documents no plan ID), with Cloudflare's error and where to enable it; on a contract too", () => {
        const unnamed = entitlementFrom({ pools: 0, loadBalancers: 0 }, [subscription("pro", "Pro Plan")]);
        assert.equal(unnamed.enabled, null);
        assert.match(unnamed.summary, /may not have Load Balancing.*name no Load Balancing plan.*error 1002 "interval is not in range \[0, 0\]".*Traffic → Load Balancing → Enable Load Balancing/);
        assert.match(entitlementFrom({ pools: 0, loadBalancers: 0 }, [subscription("enterprise", "Enterprise", "Paid", true)]).summary, /on a contract/);
    });

    it("subscriptions the token may not read are 'unknown', naming Billing Read", () => {
        const unknown = entitlementFrom({ pools: 0, loadBalancers: 0 }, null);
        assert.equal(unknown.enabled, null);
        assert.match(unknown.summary, /Account · Billing · Read/);
    });
});

describe("preflight before the first `pulumi up`: the account and the token", () => {
    const started = stopStandInsAfterEach();

    /** Nothing deployed yet: no monitor, pool or load balancer. */
    async function undeployed(config: ConfigObject = guideConfig(), change: (fixture: Live) => void = () => {}) {
        const fixture = await startLive(config);
        started.push(fixture);
        fixture.account.pools = [];
        fixture.account.monitors = [];
        fixture.zone.loadBalancers = [];
        change(fixture);
        return fixture;
    }

    async function run(fixture: Live) {
        const result = await runInProcess(preflight, ["--stack", STACK, "--dir", fixture.dir, "--json", "--poll", "0.01"], envFor(fixture.standIn));
        const report = JSON.parse(result.stdout) as { account: AccountVerdict; apps: AppVerdict[] };
        return { ...result, report };
    }

    it("the stand-in: without Load Balancing, creating a monitor, a pool or a load balancer is refused with 1002, and reads answer", async () => {
        const fixture = await undeployed(guideConfig(), (f) => (f.account.loadBalancing = false));
        const post = (path: string, body: object) =>
            fetch(`${fixture.standIn.baseUrl}${path}`, { method: "POST", headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/json" }, body: JSON.stringify(body) });
        const monitor = await post(`/accounts/${fixture.account.id}/load_balancers/monitors`, { type: "https", expected_codes: "200" });
        assert.equal(monitor.status, 400);
        assert.deepEqual(((await monitor.json()) as { errors: unknown[] }).errors, [{ code: 1002, message: WITHOUT_LOAD_BALANCING.monitor }]);
        const pool = await post(`/accounts/${fixture.account.id}/load_balancers/pools`, { name: "p", origins: [{ name: "o", address: "192.0.2.1" }] });
        assert.equal(pool.status, 400);
        const list = await fetch(`${fixture.standIn.baseUrl}/accounts/${fixture.account.id}/load_balancers/pools`, { headers: { authorization: `Bearer ${TOKEN}` } });
        assert.equal(list.status, 200);
        assert.deepEqual(fixture.standIn.violations, []);
    });

    it("an account whose subscriptions name no Load Balancing: a warning under accountId, with Cloudflare's error and how to enable it", async () => {
        const fixture = await undeployed(guideConfig(), (f) => (f.account.loadBalancing = false));
        const { report } = await run(fixture);
        assert.equal(report.account.loadBalancing?.enabled, null);
        const [warning] = report.account.warnings.filter((w) => w.key === "accountId");
        assert.match(warning!.message, /may not have Load Balancing.*error 1002.*Enable Load Balancing/);
        assert.deepEqual(fixture.standIn.violations, []);
    });

    it("an account whose Load Balancing subscription has ended: NOT READY under accountId (exit 2)", async () => {
        const fixture = await undeployed(guideConfig(), (f) => {
            f.account.loadBalancing = false;
            accountAccessOf(f.state).otherSubscriptions = [{ ...LOAD_BALANCING_SUBSCRIPTION, state: "Expired" }];
        });
        const { code, report } = await run(fixture);
        assert.equal(code, 2);
        assert.equal(report.account.loadBalancing?.enabled, false);
        assert.match(report.apps[0]!.problems.find((p) => p.key === "accountId")!.message, /Load Balancing subscription is Expired/);
    });

    it("an account with Load Balancing and no pool yet: its subscription says so, and nothing about it is reported", async () => {
        const fixture = await undeployed();
        const { report } = await run(fixture);
        assert.equal(report.account.loadBalancing?.enabled, true);
        assert.match(report.account.loadBalancing!.summary, /subscribes to Load Balancing/);
        assert.equal(report.apps[0]!.problems.filter((p) => p.key === "accountId").length, 0);
        assert.equal(fixture.standIn.counts()["account-subscriptions-list-subscriptions"], 1);
    });

    it("subscriptions the token may not read: a warning for the stack, once, and the apps' verdicts unchanged", async () => {
        const fixture = await undeployed(guideConfig(), (f) => (accountAccessOf(f.state).subscriptionsReadable = false));
        const { report } = await run(fixture);
        assert.equal(report.account.loadBalancing?.enabled, null);
        assert.deepEqual(
            report.account.warnings.map((w) => w.key),
            ["accountId", TOKEN_KEY],
        );
        assert.equal(report.apps[0]!.problems.filter((p) => p.key === "accountId").length, 0);
    });

    it("once pools exist, their existence proves Load Balancing, and the subscriptions are not read", async () => {
        const fixture = await startLive(guideConfig());
        started.push(fixture);
        const { report } = await run(fixture);
        assert.equal(report.account.loadBalancing?.enabled, true);
        assert.equal(fixture.standIn.counts()["account-subscriptions-list-subscriptions"], undefined);
    });

    it("with edgeAuth, a token whose policies lack Transform Rules Edit: NOT READY under CLOUDFLARE_API_TOKEN, naming it (exit 2)", async () => {
        const fixture = await undeployed({ ...guideConfig(), edgeAuth: {} }, (f) => {
            const ids = { accountId: f.account.id, zoneId: f.zone.id };
            const withoutTransformRules = workflowPolicies(ids).map((p) => ({ ...p, permission_groups: p.permission_groups.filter((g) => g.name !== "Zone Transform Rules Write") }));
            accountAccessOf(f.state).tokens.set(TOKEN, { owner: "user", canReadItself: true, policies: withoutTransformRules });
        });
        const { code, report } = await run(fixture);
        assert.equal(code, 2);
        assert.deepEqual(report.account.writePermissions.missing?.map((p) => p.label), ["Zone · Transform Rules · Edit"]);
        const [problem] = report.apps[0]!.problems.filter((p) => p.key === TOKEN_KEY);
        assert.match(problem!.message, /do not grant Zone · Transform Rules · Edit for account .* and zone .*`pulumi up` would be refused \(403\)/);
        assert.equal(fixture.standIn.served.filter((s) => s.path.endsWith(`/user/tokens/${tokenId(TOKEN)}`)).length, 1);
    });

    it("a token made as docs/workflow.md says: its policies grant everything, and nothing about it is reported", async () => {
        const fixture = await undeployed({ ...guideConfig(), edgeAuth: {} }, (f) => {
            accountAccessOf(f.state).tokens.set(TOKEN, { owner: "user", canReadItself: true, policies: workflowPolicies({ accountId: f.account.id, zoneId: f.zone.id }) });
        });
        const { report } = await run(fixture);
        assert.deepEqual(report.account.writePermissions.missing, []);
        assert.deepEqual(report.account.warnings, []);
        assert.equal(report.apps[0]!.problems.filter((p) => p.key === TOKEN_KEY).length, 0);
    });

    it("an account-owned token is read at the account's token endpoints", async () => {
        const fixture = await undeployed({ ...guideConfig(), edgeAuth: {} }, (f) => {
            accountAccessOf(f.state).tokens.set(TOKEN, { owner: "account", canReadItself: true, policies: workflowPolicies({ accountId: f.account.id, zoneId: f.zone.id }) });
        });
        const { report } = await run(fixture);
        assert.deepEqual(report.account.writePermissions.missing, []);
        assert.equal(fixture.standIn.counts()["account-api-tokens-token-details"], 1);
        assert.deepEqual(fixture.standIn.violations, []);
    });

    it("with trueClientIp, a token whose policies grant all preflight can look for: a warning naming the managed transforms it cannot", async () => {
        const fixture = await undeployed({ ...guideConfig(), trueClientIp: true }, (f) => {
            accountAccessOf(f.state).tokens.set(TOKEN, { owner: "user", canReadItself: true, policies: workflowPolicies({ accountId: f.account.id, zoneId: f.zone.id }) });
        });
        const { report } = await run(fixture);
        assert.deepEqual(report.account.writePermissions.missing, []);
        assert.match(report.account.warnings.find((w) => w.key === TOKEN_KEY)!.message, /cannot look for edit access to the zone's managed transforms \(trueClientIp\)/);
    });

    it("a policy naming a permission group only by its ID: 'could not check', not a false NOT READY", async () => {
        const fixture = await undeployed(guideConfig(), (f) => {
            const policies = workflowPolicies({ accountId: f.account.id, zoneId: f.zone.id });
            policies[1] = { ...policies[1]!, permission_groups: [{ id: "4755a26eedb94da69e1066d98aa820be" }] };
            accountAccessOf(f.state).tokens.set(TOKEN, { owner: "user", canReadItself: true, policies });
        });
        const { report } = await run(fixture);
        assert.equal(report.account.writePermissions.missing, null);
        assert.equal(report.apps[0]!.problems.filter((p) => p.key === TOKEN_KEY).length, 0);
    });

    it("a token that may not read its own policies: a warning that names API Tokens Read, in the text too; not a problem", async () => {
        const fixture = await undeployed({ ...guideConfig(), edgeAuth: {} });
        const { report } = await run(fixture);
        assert.equal(report.account.writePermissions.missing, null);
        assert.equal(report.apps[0]!.problems.filter((p) => p.key === TOKEN_KEY).length, 0);
        const text = await runInProcess(preflight, ["--stack", STACK, "--dir", fixture.dir, "--poll", "0.01"], envFor(fixture.standIn));
        assert.match(text.stdout, /^warning: CLOUDFLARE_API_TOKEN: could not check that the token may .*Zone · Transform Rules · Edit: it may not read its own policies/m);
    });
});
