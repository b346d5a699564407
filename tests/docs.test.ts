/**
 * The README is a front door and docs/ holds the rest: the README stays
 * short, links to every page that took a section of it, and every relative
 * link in the README and docs/ (each rendered by marked, as a Markdown viewer
 * would) lands on a file that exists and, with a #fragment, on a heading of
 * it, slugged as GitHub slugs headings.
 */
import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import * as path from "node:path";
import { describe, it } from "node:test";
import GithubSlugger from "github-slugger";
import { marked, type Token, type Tokens } from "marked";
import { PROJECT_ROOT } from "../tools/plan/mockEngine";

const README_MAX_LINES = 250;
/** The pages that took the README's long sections: one click from the README each. */
const MOVED = ["docs/configuration.md", "docs/runbooks.md", "docs/components.md", "docs/development.md"];
const DOCUMENTS = ["README.md", ...readdirSync(path.join(PROJECT_ROOT, "docs")).filter((file) => file.endsWith(".md")).map((file) => `docs/${file}`)];

const read = (file: string) => readFileSync(path.join(PROJECT_ROOT, file), "utf8");

/** Every link target in `markdown`, as marked renders it (code spans and blocks hold none). */
function links(markdown: string): string[] {
    const found: string[] = [];
    marked.walkTokens(marked.lexer(markdown), (token: Token) => {
        if (token.type === "link") found.push((token as Tokens.Link).href);
    });
    return found;
}

/** The fragments GitHub gives the headings of `markdown`. */
function anchors(markdown: string): Set<string> {
    const slugger = new GithubSlugger();
    const headings = marked.lexer(markdown).filter((token): token is Tokens.Heading => token.type === "heading");
    return new Set(headings.map((heading) => slugger.slug(heading.text.replace(/`/g, ""))));
}

describe("the README as a front door", () => {
    it(`is under ${README_MAX_LINES} lines`, () => {
        const lines = read("README.md").split("\n").length;
        assert.ok(lines < README_MAX_LINES, `${lines} lines`);
    });

    it("links to each page that took one of its sections, and to each section there: one click away", () => {
        const targets = links(read("README.md"));
        assert.deepEqual(MOVED.filter((page) => !targets.includes(page)), []);
        const sections = MOVED.flatMap((page) => {
            const slugger = new GithubSlugger();
            const headings = marked.lexer(read(page)).filter((token): token is Tokens.Heading => token.type === "heading" && token.depth === 2);
            return headings.map((heading) => `${page}#${slugger.slug(heading.text.replace(/`/g, ""))}`);
        });
        assert.deepEqual(sections.filter((section) => !targets.includes(section)), []);
    });

    it("cites the integration guide by its public title and address, never a folder beside the clone", () => {
        const readme = read("README.md");
        assert.match(readme, /\*Configuring the Cloudflare integration\s+with data masking\*/);
        assert.ok(links(readme).includes("https://helpdesk.cequence.ai/hc/en-us/articles/25170803485591-Configuring-the-Cloudflare-integration-with-data-masking"));
        for (const file of DOCUMENTS) assert.doesNotMatch(read(file), /shared\/seed/, file);
    });

    it("recommends state that locks for production, and says what --local is for", () => {
        const deploying = read("README.md").split("## Deploying for real")[1]!.split("\n## ")[0]!;
        assert.match(deploying, /production DNS, use \*\*Pulumi Cloud\*\*/);
        assert.match(deploying, /\*\*object store\*\*/);
        assert.match(deploying, /lock the stack while an update runs/);
        assert.match(deploying, /`pulumi login --local` is for trying the stack out/);
    });
});

describe("links in the README and docs/", () => {
    for (const file of DOCUMENTS) {
        it(`${file}: every relative link lands on a file, and on a heading of it`, () => {
            const broken: string[] = [];
            for (const href of links(read(file))) {
                if (/^[a-z]+:/i.test(href)) continue;
                const [target, fragment] = href.split("#") as [string, string | undefined];
                const resolved = target === "" ? file : path.posix.normalize(path.posix.join(path.posix.dirname(file), target));
                if (!existsSync(path.join(PROJECT_ROOT, resolved))) broken.push(`${href}: no ${resolved}`);
                else if (fragment !== undefined && resolved.endsWith(".md") && !anchors(read(resolved)).has(fragment)) broken.push(`${href}: no heading #${fragment} in ${resolved}`);
            }
            assert.deepEqual(broken, []);
        });
    }

    it("the check finds a broken link and a missing heading (it is live)", () => {
        assert.deepEqual(links("[a](docs/nope.md) and [b](#here)"), ["docs/nope.md", "#here"]);
        assert.ok(anchors("## Recover from a killed `pulumi up`").has("recover-from-a-killed-pulumi-up"));
        assert.equal(anchors("# Only").has("here"), false);
    });
});
