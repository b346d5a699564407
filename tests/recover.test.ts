/**
 * `recover` against the stateful Cloudflare stand-in, with a stand-in
 * `pulumi` on PATH that prints a given state for `stack export` and records
 * every other command: which pending creates it imports, clears or refuses.
 */
import assert from "node:assert/strict";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { after, describe, it } from "node:test";
import { poolName } from "../components/naming";
import { RESOURCE_TYPES } from "../policy/resourceTypes";
import { recover } from "../tools/live/recover";
import type { Json } from "./support/cloudflare/store";
import { fakePulumi, onPath, type FakePulumi } from "./support/fakePulumi";
import { envFor, poolOf, removeDir, runInProcess, STACK, startLive, stopStandInsAfterEach, type Live } from "./support/liveFixture";
import { guideConfig } from "./support/stack";

const HOST = "www.cq-route.com";
const LB = "origin-www-lb.cq-route.com";
const PROJECT = "cloudflare-cequence";
const PROVIDER = `urn:pulumi:${STACK}::${PROJECT}::pulumi:providers:cloudflare::default_6_15_0`;
const PARENT = `urn:pulumi:${STACK}::${PROJECT}::cloudflare-cequence:index:ProtectedHostname::${HOST}`;

const started = stopStandInsAfterEach();

/** The fake `pulumi` printing this state for `stack export` and this update history. */
function fakePulumiWith(state: object, exitStatus: Record<string, number> = {}, history: object[] = []): FakePulumi {
    return fakePulumi({ "stack export": state, "stack history": history }, exitStatus);
}

interface Pending {
    type: string;
    name: string;
    inputs: Record<string, unknown>;
}

/** Long before any test's stand-in made anything: the killed update began then unless a test says otherwise. */
const LONG_AGO = "2001-01-01T00:00:00.000Z";

/**
 * A state as `pulumi stack export` prints it: resources with these IDs, and
 * these pending creates; the stack resource made at `stackCreated` (its
 * `created`, which Pulumi sets when the stack's first update registers it;
 * null: a state from before Pulumi kept it).
 */
function exported(idsInState: string[], pending: Pending[], stackCreated: string | null = LONG_AGO) {
    return {
        version: 3,
        deployment: {
            resources: [
                { urn: `urn:pulumi:${STACK}::${PROJECT}::pulumi:pulumi:Stack::${PROJECT}-${STACK}`, type: "pulumi:pulumi:Stack", ...(stackCreated ? { created: stackCreated } : {}) },
                { urn: PROVIDER, type: "pulumi:providers:cloudflare", id: "0b7a5b7e-provider" },
                ...idsInState.map((id, i) => ({ urn: `urn:pulumi:${STACK}::${PROJECT}::x::in-state-${i}`, type: "x", id })),
            ],
            pending_operations: pending.map(({ type, name, inputs }) => ({
                type: "creating",
                resource: { urn: urnOf(type, name), type, inputs, parent: PARENT, provider: `${PROVIDER}::0b7a5b7e-provider`, custom: true },
            })),
        },
    };
}

function urnOf(type: string, name: string): string {
    return `urn:pulumi:${STACK}::${PROJECT}::cloudflare-cequence:index:ProtectedHostname$${type}::${name}`;
}

/** What the program sends to create each object the stand-in holds, by its Pulumi input names. */
const inputsOf = {
    monitor: (live: Live, id: string): Record<string, unknown> => {
        const m = live.account.monitors.find((monitor) => monitor.id === id)!;
        const camel = (key: string) => key.replace(/_(\w)/g, (_, c: string) => c.toUpperCase());
        const sent = ["description", "type", "method", "path", "header", "expected_codes", "interval", "timeout", "retries", "consecutive_up", "consecutive_down", "follow_redirects", "allow_insecure"];
        return { accountId: live.account.id, ...Object.fromEntries(sent.filter((k) => m[k] !== undefined).map((k) => [camel(k), m[k]])) };
    },
    pool: (live: Live, name: string): Record<string, unknown> => ({ accountId: live.account.id, name, enabled: true, minimumOrigins: 1 }),
    loadBalancer: (live: Live): Record<string, unknown> => ({ zoneId: live.zone.id, name: LB, proxied: true }),
    record: (live: Live): Record<string, unknown> => ({ zoneId: live.zone.id, name: HOST, type: "CNAME", content: LB, proxied: true, ttl: 1 }),
};

async function liveGuide(): Promise<Live> {
    const live = await startLive(guideConfig());
    started.push({ standIn: live.standIn, dir: live.dir });
    return live;
}

async function runRecover(live: Live, pulumi: FakePulumi, ...args: string[]) {
    const env = onPath(pulumi, envFor(live.standIn));
    return runInProcess(recover, ["--stack", STACK, "--dir", live.dir, ...args], env);
}

interface RecoverJson {
    decisions: Array<{ urn: string; action: string; id?: string; importId?: string; reason?: string; candidates?: string[] }>;
    commands: string[];
}

/** The decision for each pending create, by name: `import <importId>`, `clear` or `refuse`. */
function decisionsOf(stdout: string): Record<string, string> {
    const json = JSON.parse(stdout) as RecoverJson;
    return Object.fromEntries(json.decisions.map((d) => [d.urn.split("::").at(-1)!, d.action === "import" ? `import ${d.importId}` : d.action]));
}

/** What recover runs before it changes anything: the state, then the stack's update history. */
const READS = [
    ["stack", "export", "--stack", STACK, "--non-interactive"],
    ["stack", "history", "--json", "--stack", STACK, "--non-interactive"],
];

const monitorOf = (live: Live, role: "cequence" | "origin") => poolOf(live, role, HOST).monitor!;

describe("recover: the Cloudflare object of each pending create", () => {
    it("a killed update's pools, load balancer and record, made but never recorded, are each imported by <account or zone>/<id>", async () => {
        const live = await liveGuide();
        const [cequence, origin] = [poolOf(live, "cequence", HOST), poolOf(live, "origin", HOST)];
        const pulumi = fakePulumiWith(
            exported(
                [cequence.monitor!, origin.monitor!],
                [
                    { type: RESOURCE_TYPES.pool, name: `${HOST}-cequence-pool`, inputs: inputsOf.pool(live, cequence.name) },
                    { type: RESOURCE_TYPES.pool, name: `${HOST}-origin-pool`, inputs: inputsOf.pool(live, origin.name) },
                    { type: RESOURCE_TYPES.loadBalancer, name: `${HOST}-failover-lb`, inputs: inputsOf.loadBalancer(live) },
                    { type: RESOURCE_TYPES.dnsRecord, name: `${HOST}-cutover-record`, inputs: inputsOf.record(live) },
                ],
            ),
        );
        const result = await runRecover(live, pulumi, "--json");
        assert.equal(result.code, 0, result.stderr);
        assert.deepEqual(decisionsOf(result.stdout), {
            [`${HOST}-cequence-pool`]: `import ${live.account.id}/${cequence.id}`,
            [`${HOST}-origin-pool`]: `import ${live.account.id}/${origin.id}`,
            [`${HOST}-failover-lb`]: `import ${live.zone.id}/${live.zone.loadBalancers[0]!.id}`,
            [`${HOST}-cutover-record`]: `import ${live.zone.id}/${live.zone.records[0]!.id}`,
        });
        // Without --yes, nothing but reading the state.
        assert.deepEqual(pulumi.calls(), READS);
        const { commands } = JSON.parse(result.stdout) as RecoverJson;
        assert.match(commands[0]!, /^pulumi import --file \S+import\.json --yes --protect=false --generate-code=false --stack test$/);
        assert.equal(commands[1], "pulumi refresh --clear-pending-creates --yes --stack test");
    });

    it("with --yes: imports under each pending create's parent and provider, then clears the pending creates, in that order", async () => {
        const live = await liveGuide();
        const cequence = poolOf(live, "cequence", HOST);
        const pulumi = fakePulumiWith(exported([], [{ type: RESOURCE_TYPES.pool, name: `${HOST}-cequence-pool`, inputs: inputsOf.pool(live, cequence.name) }]));
        const result = await runRecover(live, pulumi, "--yes");
        assert.equal(result.code, 0, result.stderr);
        const calls = pulumi.calls();
        assert.deepEqual(
            calls.map((args) => args.filter((arg) => !arg.endsWith("import.json"))),
            [
                ...READS,
                ["import", "--file", "--yes", "--protect=false", "--generate-code=false", "--stack", STACK, "--non-interactive"],
                ["refresh", "--clear-pending-creates", "--yes", "--stack", STACK, "--non-interactive"],
            ],
        );
        const file = pulumi.imported();
        const [resource] = file.resources;
        assert.deepEqual(
            { type: resource!.type, logicalName: resource!.logicalName, id: resource!.id, parent: file.nameTable[resource!.parent!], provider: file.nameTable[resource!.provider!] },
            { type: RESOURCE_TYPES.pool, logicalName: `${HOST}-cequence-pool`, id: `${live.account.id}/${cequence.id}`, parent: PARENT, provider: PROVIDER },
        );
        assert.equal(existsSync(calls[2]![2]!), false, "the import file is removed once imported");
        assert.match(result.stdout, /Now run `pulumi up --stack test`/);
    });

    it("a monitor is found by its full settings: one differing only in its path is not it", async () => {
        const live = await liveGuide();
        const inputs = inputsOf.monitor(live, monitorOf(live, "cequence"));
        const orphan = addMonitorLike(live, monitorOf(live, "cequence"));
        const pulumi = fakePulumiWith(
            exported(
                [],
                [
                    { type: RESOURCE_TYPES.monitor, name: `${HOST}-cequence-monitor`, inputs },
                    { type: RESOURCE_TYPES.monitor, name: `${HOST}-other-monitor`, inputs: { ...inputs, path: "/elsewhere" } },
                ],
            ),
        );
        const result = await runRecover(live, pulumi, "--json");
        assert.equal(result.code, 0, result.stderr);
        assert.deepEqual(decisionsOf(result.stdout), {
            [`${HOST}-cequence-monitor`]: `import ${live.account.id}/${orphan}`,
            [`${HOST}-other-monitor`]: "clear",
        });
    });

    it("an object the state already holds is never a candidate: a create that made nothing else is cleared", async () => {
        const live = await liveGuide();
        const cequence = poolOf(live, "cequence", HOST);
        const pulumi = fakePulumiWith(
            exported(
                [cequence.id, cequence.monitor!, live.zone.loadBalancers[0]!.id],
                [
                    { type: RESOURCE_TYPES.pool, name: `${HOST}-cequence-pool`, inputs: inputsOf.pool(live, cequence.name) },
                    { type: RESOURCE_TYPES.monitor, name: `${HOST}-cequence-monitor`, inputs: inputsOf.monitor(live, cequence.monitor!) },
                    { type: RESOURCE_TYPES.loadBalancer, name: `${HOST}-failover-lb`, inputs: inputsOf.loadBalancer(live) },
                ],
            ),
        );
        const result = await runRecover(live, pulumi, "--json");
        assert.equal(result.code, 0, result.stderr);
        assert.deepEqual(decisionsOf(result.stdout), { [`${HOST}-cequence-pool`]: "clear", [`${HOST}-cequence-monitor`]: "clear", [`${HOST}-failover-lb`]: "clear" });
        // Nothing to import: only the pending creates are dropped.
        assert.deepEqual((JSON.parse(result.stdout) as RecoverJson).commands, ["pulumi refresh --clear-pending-creates --yes --stack test"]);
    });

    it("two pools of the name, one of them in the state: the other is imported", async () => {
        const live = await liveGuide();
        const managed = poolOf(live, "cequence", HOST);
        const orphan = addPool(live, managed.name);
        const pulumi = fakePulumiWith(exported([managed.id], [{ type: RESOURCE_TYPES.pool, name: `${HOST}-cequence-pool`, inputs: inputsOf.pool(live, managed.name) }]));
        const result = await runRecover(live, pulumi, "--json");
        assert.equal(result.code, 0, result.stderr);
        assert.deepEqual(decisionsOf(result.stdout), { [`${HOST}-cequence-pool`]: `import ${live.account.id}/${orphan}` });
    });

    it("two candidates outside the state: refuses, lists both, changes nothing and exits 2", async () => {
        const live = await liveGuide();
        const first = poolOf(live, "cequence", HOST);
        const second = addPool(live, first.name);
        const pending = [
            { type: RESOURCE_TYPES.pool, name: `${HOST}-cequence-pool`, inputs: inputsOf.pool(live, first.name) },
            { type: RESOURCE_TYPES.loadBalancer, name: `${HOST}-failover-lb`, inputs: inputsOf.loadBalancer(live) },
        ];
        const pulumi = fakePulumiWith(exported([], pending));
        const result = await runRecover(live, pulumi, "--yes");
        assert.equal(result.code, 2, result.stderr);
        assert.match(result.stdout, new RegExp(`REFUSE  ${escape(urnOf(RESOURCE_TYPES.pool, `${HOST}-cequence-pool`))}`));
        for (const id of [first.id, second]) assert.match(result.stdout, new RegExp(`- pool ${id} ${first.name}`));
        assert.match(result.stdout, /Nothing was changed/);
        assert.deepEqual(pulumi.calls(), READS, "not even the unambiguous load balancer is imported");
    });

    it("refuses what it cannot look for and what was sent to another account; clears what makes nothing outside the state", async () => {
        const live = await liveGuide();
        const otherAccount = { ...inputsOf.pool(live, poolName("origin", STACK, HOST)), accountId: "ffffffffffffffffffffffffffffffff" };
        const pulumi = fakePulumiWith(
            exported(
                [],
                [
                    { type: RESOURCE_TYPES.notificationPolicy, name: "cequence-failed-open", inputs: { accountId: live.account.id } },
                    { type: RESOURCE_TYPES.pool, name: `${HOST}-origin-pool`, inputs: otherAccount },
                    { type: RESOURCE_TYPES.randomPassword, name: "edge-auth-a", inputs: { length: 48 } },
                    { type: RESOURCE_TYPES.dnsRecord, name: "txt", inputs: { zoneId: live.zone.id, name: HOST, type: "TXT" } },
                ],
            ),
        );
        const result = await runRecover(live, pulumi, "--json");
        assert.equal(result.code, 2, result.stderr);
        const { decisions } = JSON.parse(result.stdout) as RecoverJson;
        assert.deepEqual(
            decisions.map((d) => [d.action, d.reason]),
            [
                ["refuse", `recover cannot look for a ${RESOURCE_TYPES.notificationPolicy} in Cloudflare`],
                ["refuse", `it was sent to account ffffffffffffffffffffffffffffffff, but the stack's config names ${live.account.id}`],
                ["clear", "it makes nothing outside the Pulumi state"],
                ["refuse", "a TXT record cannot be looked for (recover reads CNAME, A, AAAA records)"],
            ],
        );
    });

    it("no pending creates: nothing to recover, exit 0, nothing run but the export", async () => {
        const live = await liveGuide();
        const pulumi = fakePulumiWith(exported([poolOf(live, "cequence", HOST).id], []));
        const result = await runRecover(live, pulumi, "--yes");
        assert.equal(result.code, 0, result.stderr);
        assert.match(result.stdout, /Stack test has no pending creates: nothing to recover/);
        assert.equal(pulumi.calls().length, 1);
    });

    it("a pulumi command that fails: exit 1 with the CLI's own error, and the import file kept for a rerun", async () => {
        const live = await liveGuide();
        const cequence = poolOf(live, "cequence", HOST);
        const pulumi = fakePulumiWith(exported([], [{ type: RESOURCE_TYPES.pool, name: `${HOST}-cequence-pool`, inputs: inputsOf.pool(live, cequence.name) }]), { refresh: 3 });
        const result = await runRecover(live, pulumi, "--yes");
        assert.equal(result.code, 1);
        assert.match(result.stderr, /`pulumi refresh --clear-pending-creates --yes --stack test` failed \(exit status 3\)/);
        const importFile = pulumi.calls()[2]!.at(2)!;
        assert.equal(existsSync(importFile), true);
        removeDir(path.dirname(importFile));
    });
});

describe("recover: only what the killed update made", () => {
    /** The update began an hour after LONG_AGO's objects; a test dates an object before it to say it was there already. */
    const BEGAN = "2001-01-01T01:00:00.000Z";

    it("a hand-made record at the hostname, older than the update, is never imported: the killed create met Cloudflare's 81053 and made nothing", async () => {
        const live = await liveGuide();
        const record = live.zone.records.find((r) => r.name === HOST)!;
        record.created_on = LONG_AGO;
        const pulumi = fakePulumiWith(exported([], [{ type: RESOURCE_TYPES.dnsRecord, name: `${HOST}-cutover-record`, inputs: inputsOf.record(live) }], BEGAN));
        const result = await runRecover(live, pulumi, "--json");
        assert.equal(result.code, 0, result.stderr);
        assert.deepEqual(decisionsOf(result.stdout), { [`${HOST}-cutover-record`]: "clear" });
        const [decision] = (JSON.parse(result.stdout) as RecoverJson).decisions;
        assert.match(decision!.reason!, new RegExp(`CNAME record ${record.id} ${escape(HOST)} .*\\(made ${LONG_AGO}\\) was made before the update began \\(${BEGAN} or later\\)`));
        assert.match(decision!.reason!, /81053.*existingRecordId/);
        assert.deepEqual((JSON.parse(result.stdout) as RecoverJson).commands, ["pulumi refresh --clear-pending-creates --yes --stack test"], "nothing is imported");
    });

    it("the update's start is the newest of the stack resource's creation and the history's newest update start (Pulumi Cloud lists the killed update)", async () => {
        const live = await liveGuide();
        const cequence = poolOf(live, "cequence", HOST);
        cequence.created_on = BEGAN;
        const pending = [{ type: RESOURCE_TYPES.pool, name: `${HOST}-cequence-pool`, inputs: inputsOf.pool(live, cequence.name) }];
        const later = "2001-01-01T02:00:00.000Z";
        const pulumi = fakePulumiWith(exported([], pending, LONG_AGO), {}, [{ kind: "update", startTime: later, result: "in-progress" }, { kind: "update", startTime: LONG_AGO, endTime: LONG_AGO, result: "succeeded" }]);
        const result = await runRecover(live, pulumi, "--json");
        assert.equal(result.code, 0, result.stderr);
        assert.deepEqual(decisionsOf(result.stdout), { [`${HOST}-cequence-pool`]: "clear" });
        assert.match((JSON.parse(result.stdout) as RecoverJson).decisions[0]!.reason!, new RegExp(`before the update began \\(${later} or later\\)`));
    });

    it("refuses when it cannot tell when the update began and Cloudflare holds a candidate", async () => {
        const live = await liveGuide();
        const cequence = poolOf(live, "cequence", HOST);
        const pulumi = fakePulumiWith(exported([], [{ type: RESOURCE_TYPES.pool, name: `${HOST}-cequence-pool`, inputs: inputsOf.pool(live, cequence.name) }], null));
        const result = await runRecover(live, pulumi, "--json");
        assert.equal(result.code, 2, result.stderr);
        const [decision] = (JSON.parse(result.stdout) as RecoverJson).decisions;
        assert.equal(decision!.action, "refuse");
        assert.match(decision!.reason!, /cannot tell when the killed update began/);
        assert.deepEqual(decision!.candidates, [`pool ${cequence.id} ${cequence.name} (made ${cequence.created_on})`]);
    });

    it("a monitor a pool already uses is never a candidate: another stack's monitor for the same hostname and settings stays its own", async () => {
        const live = await liveGuide();
        const inputs = inputsOf.monitor(live, monitorOf(live, "cequence"));
        // The deployed monitor is in use by its pool, and no resource of this state: another stack's, alike in every setting.
        const pulumi = fakePulumiWith(exported([], [{ type: RESOURCE_TYPES.monitor, name: `${HOST}-cequence-monitor`, inputs }]));
        const result = await runRecover(live, pulumi, "--json");
        assert.equal(result.code, 0, result.stderr);
        assert.deepEqual(decisionsOf(result.stdout), { [`${HOST}-cequence-monitor`]: "clear" });
    });
});

describe("recover: a checkpoint torn by the kill", () => {
    /** A file backend holding the stack's unreadable checkpoint and, beside it, the `.bak` the backend wrote before the torn write. */
    function tornBackend(live: Live, backup: string) {
        const backend = mkdtempSync(path.join(tmpdir(), "cloudflare-cequence-backend-"));
        after(() => removeDir(backend));
        const stacks = path.join(backend, ".pulumi", "stacks", PROJECT);
        mkdirSync(stacks, { recursive: true });
        writeFileSync(path.join(live.dir, "Pulumi.yaml"), `name: ${PROJECT}\nruntime: nodejs\n`);
        writeFileSync(path.join(stacks, `${STACK}.json`), "");
        writeFileSync(path.join(stacks, `${STACK}.json.bak`), backup);
        const pulumi = fakePulumi({ "whoami --json": { user: "ci", url: `file://${backend}` } }, { "stack export": { status: 255, stderr: "error: failed to load checkpoint: EOF\n" } });
        return { pulumi, file: path.join(stacks, `${STACK}.json`) };
    }

    const checkpointOf = (live: Live) => {
        const { deployment } = exported([], [{ type: RESOURCE_TYPES.pool, name: `${HOST}-cequence-pool`, inputs: inputsOf.pool(live, poolName("cequence", STACK, HOST)) }]);
        return JSON.stringify({ version: 3, checkpoint: { stack: STACK, latest: deployment } });
    };

    it("says what it would restore, and changes nothing without --yes", async () => {
        const live = await liveGuide();
        const { pulumi, file } = tornBackend(live, checkpointOf(live));
        const result = await runRecover(live, pulumi);
        assert.equal(result.code, 0, result.stderr);
        assert.match(result.stdout, /checkpoint cannot be read: the update was killed while the file backend wrote it/);
        assert.match(result.stdout, new RegExp(`${escape(file)}\\.bak, holds 1 pending create\\.`));
        assert.match(result.stdout, /pulumi cancel --stack test --yes\n {2}npm run recover -- --stack test/);
        assert.equal(readFileSync(file, "utf8"), "");
    });

    it("with --yes restores the .bak, keeps the torn file, and says to cancel and recover again", async () => {
        const live = await liveGuide();
        const backup = checkpointOf(live);
        const { pulumi, file } = tornBackend(live, backup);
        const result = await runRecover(live, pulumi, "--yes", "--json");
        assert.equal(result.code, 0, result.stderr);
        assert.equal(readFileSync(file, "utf8"), backup);
        assert.equal(readFileSync(`${file}.torn`, "utf8"), "");
        const json = JSON.parse(result.stdout) as { checkpoint: { restored: boolean; pendingCreates: number }; next: string[] };
        assert.deepEqual([json.checkpoint.restored, json.checkpoint.pendingCreates, json.next], [true, 1, ["pulumi cancel --stack test --yes", "npm run recover -- --stack test"]]);
    });

    it("an unreadable .bak too: exit 1, nothing changed", async () => {
        const live = await liveGuide();
        const { pulumi, file } = tornBackend(live, "{");
        const result = await runRecover(live, pulumi, "--yes");
        assert.equal(result.code, 1);
        assert.match(result.stderr, /neither can its backup/);
        assert.equal(existsSync(`${file}.torn`), false);
    });
});

/** A monitor made with the same settings as the given one and used by no pool, as a killed update leaves it; returns its ID. */
function addMonitorLike(live: Live, id: string): string {
    const { id: _id, created_on: _created, modified_on: _modified, ...settings } = live.account.monitors.find((monitor) => monitor.id === id)!;
    return (live.standIn.invoke("account-load-balancer-monitors-create-monitor", { account_id: live.account.id }, settings as Json) as { id: string }).id;
}

/** Another pool of that name in the account, as a second `pulumi up` of a wrongly recovered stack makes; returns its ID. */
function addPool(live: Live, name: string): string {
    const created = live.standIn.invoke("account-load-balancer-pools-create-pool", { account_id: live.account.id }, {
        name,
        origins: [{ name: "cequence", address: "cq-route.example.cequence.ai", enabled: true, weight: 1 }],
    } as Json) as { id: string };
    return created.id;
}

function escape(text: string): string {
    return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
