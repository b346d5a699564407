import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { poolName } from "../config/naming";
import { preflight, type AppVerdict } from "../tools/preflight";
import { envFor, poolOf, runCli, runInProcess, setProbe, STACK, startLive, stopStandInsAfterEach, type Deployment } from "./support/liveFixture";
import { guideConfig } from "./support/stack";

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

    it("gives up after --wait when the results never arrive (exit 1)", async () => {
        const { standIn, dir } = await live();
        standIn.state.previewPendingPolls = Number.MAX_SAFE_INTEGER;
        const result = await runInProcess(preflight, ["--stack", STACK, "--dir", dir, "--wait", "0.05", ...FAST_POLLING], envFor(standIn));
        assert.equal(result.code, 1);
        assert.match(result.stderr, /has not finished previewing pool .* after 0\.05 s; try again, or wait longer with --wait <seconds>/);
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
