/**
 * `npm run plan -- --markdown`, as a pull request shows it: the Markdown
 * parses, every Mermaid chart parses with Mermaid's own parser, and each
 * chart draws the traffic path the stack sets up (pool 1, the fail-open
 * fallback, what is disabled, the rollout's weights).
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { after, before, describe, it } from "node:test";
import { JSDOM } from "jsdom";
import { marked, type Tokens } from "marked";
import { stringify } from "yaml";
import { CONFIG_NAMESPACE } from "../config/rawConfig";
import { buildPlan } from "../tools/plan/plan";
import { renderPlanMarkdown } from "../tools/plan/planMarkdown";
import { guideConfig, type ConfigObject } from "./support/stack";

type MermaidApi = { parse(text: string): Promise<unknown> };
let mermaid: MermaidApi;

before(async () => {
    // Mermaid sanitises labels with DOMPurify, which needs a window; Node has none.
    const { window } = new JSDOM("");
    Object.assign(globalThis, { window, document: window.document });
    mermaid = ((await import("mermaid")) as unknown as { default: MermaidApi }).default;
});

const scratch = mkdtempSync(path.join(tmpdir(), "plan-markdown-"));
after(() => rmSync(scratch, { recursive: true, force: true }));

async function markdownFor(config: ConfigObject): Promise<string> {
    const dir = mkdtempSync(path.join(scratch, "stack-"));
    const qualified = Object.fromEntries(Object.entries(config).map(([key, value]) => [`${CONFIG_NAMESPACE}:${key}`, value]));
    writeFileSync(path.join(dir, "Pulumi.prod.yaml"), stringify({ config: qualified }));
    return renderPlanMarkdown(await buildPlan("prod", dir));
}

function withCequence(cequence: object, apps?: object[]): ConfigObject {
    const config = guideConfig();
    return { ...config, cequence: { ...(config.cequence as object), ...cequence }, ...(apps ? { apps } : {}) };
}

function blocks(markdown: string, language: string): string[] {
    return marked.lexer(markdown).flatMap((token) => (token.type === "code" && (token as Tokens.Code).lang === language ? [(token as Tokens.Code).text] : []));
}

describe("plan --markdown", () => {
    it("is Markdown with one resource table per app and a Mermaid chart that Mermaid parses", async () => {
        const markdown = await markdownFor(guideConfig());
        const tables = marked.lexer(markdown).filter((token): token is Tokens.Table => token.type === "table");
        assert.equal(tables.length, 1);
        assert.deepEqual(tables[0]!.header.map((cell) => cell.text), ["change", "kind", "resource", "what", "guards"]);
        assert.equal(tables[0]!.rows.length, 6);
        const charts = blocks(markdown, "mermaid");
        assert.equal(charts.length, 1);
        for (const chart of charts) await mermaid.parse(chart);
        assert.equal(blocks(markdown, "json").length, 1, "the outputs");
    });

    it("draws pool 1 to Cequence and the fail-open fallback to the origin", async () => {
        const [chart] = blocks(await markdownFor(guideConfig()), "mermaid");
        assert.match(chart!, /lb -->\|"pool 1"\| cequence/);
        assert.match(chart!, /lb -\.->\|"fallback: fails open within 75 s"\| origin/);
        assert.match(chart!, /cloudflare -->\|"CNAME www\.cq-route\.com"\| lb/);
    });

    const states: Array<[string, ConfigObject, RegExp[]]> = [
        ["a rollout's weights", withCequence({ trafficPercent: 25 }), [/pool 1: 25%/, /pool 2: 75%/]],
        ["a disabled Cequence pool", withCequence({ enabled: false }), [/pool DISABLED/, /lb -\.->\|"pool 1: disabled"\| cequence/, /fallback: all traffic/]],
        ["a shared pool on a Bridge's port", withCequence({ sharedPool: true, port: 9443 }), [/cq-route\.example\.cequence\.ai:9443 \(shared pool\)/]],
        ["routing origin", withCequence({}, [{ hostname: "www.cq-route.com", origin: "origin-www.cq-route.com", routing: "origin" }]), [/cloudflare -->\|"CNAME www\.cq-route\.com"\| origin/, /not in the path/]],
        ["routing cequence", withCequence({}, [{ hostname: "www.cq-route.com", origin: "origin-www.cq-route.com", routing: "cequence" }]), [/cloudflare -->\|"CNAME www\.cq-route\.com"\| cequence/, /no fail-open/]],
        [
            "both branches of paths: the listed paths to Cequence, the rest by the rule to the origin",
            withCequence({}, [{ hostname: "www.cq-route.com", origin: "origin-www.cq-route.com", paths: ["/api/*", "/login", "/v1.2/(x)/*"] }]),
            [/lb -->\|"pool 1: \/login, \/api\/\*, \/v1\.2\/\(x\)\/\*"\| cequence/, /lb -\.->\|"fallback: fails open within 75 s"\| origin/, /lb ==>\|"every other path: the rule, never Cequence"\| origin/],
        ],
        [
            "a rollout within the paths",
            withCequence({ trafficPercent: 25 }, [{ hostname: "www.cq-route.com", origin: "origin-www.cq-route.com", paths: ["/login"] }]),
            [/pool 1: 25% of \/login"/, /pool 2: 75% of \/login"/, /lb ==>\|"every other path: the rule, never Cequence"\| origin/],
        ],
    ];
    for (const [label, config, expected] of states) {
        it(`draws ${label}, in a chart Mermaid parses`, async () => {
            const [chart] = blocks(await markdownFor(config), "mermaid");
            await mermaid.parse(chart!);
            for (const pattern of expected) assert.match(chart!, pattern);
        });
    }

    it("refuses nothing silently: a broken chart is what Mermaid's parser rejects", async () => {
        await assert.rejects(mermaid.parse("flowchart LR\n  lb -->|pool 1 cequence"));
    });
});
