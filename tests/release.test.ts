/**
 * Versions a consumer can pin: the release workflow's gate (the tag is
 * package.json's version, which is the CHANGELOG's newest release), its
 * notes (that release's section), and install instructions that name the
 * tarball the workflow attaches to the release.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { after, describe, it } from "node:test";
import { packageManifest, releasedVersions, releaseNotes, releaseSection } from "../tools/release/releaseNotes.mjs";
import { PROJECT_ROOT } from "../tools/plan/mockEngine";

const CHANGELOG = readFileSync(path.join(PROJECT_ROOT, "CHANGELOG.md"), "utf8");
const { version, tarball } = packageManifest();
const scratch = mkdtempSync(path.join(tmpdir(), "release-"));
after(() => rmSync(scratch, { recursive: true, force: true }));

/** A checkout holding only a package.json of `version` and `changelog`. */
function checkout(version: string, changelog: string): string {
    const dir = mkdtempSync(path.join(scratch, "checkout-"));
    writeFileSync(path.join(dir, "package.json"), JSON.stringify({ name: "cloudflare-cequence", version }));
    writeFileSync(path.join(dir, "CHANGELOG.md"), changelog);
    return dir;
}

describe("the CHANGELOG and package.json", () => {
    it("keep `## Unreleased` first, for the next release's lines", () => {
        assert.match(CHANGELOG, /^# Changelog\n[\s\S]*?\n## Unreleased\n/);
        assert.ok(CHANGELOG.indexOf("## Unreleased") < CHANGELOG.indexOf(`## ${version}`));
    });

    it("agree: package.json's version is the newest released section", () => {
        assert.equal(releasedVersions(CHANGELOG)[0], version);
        assert.ok(releaseSection(CHANGELOG, version), `## ${version} lists its changes`);
    });

    it("agree with the policy pack: policy/package.json (the version Pulumi reports for the pack) is the release's", () => {
        const policy = JSON.parse(readFileSync(path.join(PROJECT_ROOT, "policy", "package.json"), "utf8")) as { version: string };
        assert.equal(policy.version, version);
    });
});

describe("tools/release/releaseNotes.mjs", () => {
    it("gives the release's CHANGELOG section for the tag v<version>, and nothing of the others", () => {
        const result = releaseNotes(`v${version}`);
        assert.ok(result.ok);
        assert.equal(result.notes, releaseSection(CHANGELOG, version));
        assert.doesNotMatch(result.notes, /^## /m);
    });

    it("refuses a tag that is not package.json's version, and a version the CHANGELOG has not released", () => {
        const dir = checkout("0.4.0", "# Changelog\n\n## Unreleased\n\n## 0.3.0\n\n- a\n");
        const result = releaseNotes("v0.3.0", dir);
        assert.deepEqual(result.ok ? [] : result.problems, [
            "the tag v0.3.0 is not v<package.json's version> (v0.4.0)",
            'CHANGELOG.md has no section "## 0.4.0" with its changes',
        ]);
    });

    it("refuses a version that is not the CHANGELOG's newest release", () => {
        const dir = checkout("0.2.0", "# Changelog\n\n## Unreleased\n\n## 0.3.0\n\n- b\n\n## 0.2.0\n\n- a\n");
        const result = releaseNotes("v0.2.0", dir);
        assert.deepEqual(result.ok ? [] : result.problems, ["CHANGELOG.md's newest release is 0.3.0, not 0.2.0"]);
    });

    it("as the workflow runs it: exits 1 and says why, before anything is packed", () => {
        const run = spawnSync(process.execPath, [path.join(PROJECT_ROOT, "tools", "release", "releaseNotes.mjs"), "v0.0.0-nope"], { encoding: "utf8" });
        assert.equal(run.status, 1);
        assert.match(run.stderr, /^cannot release v0\.0\.0-nope:\n {2}the tag v0\.0\.0-nope is not v<package\.json's version>/);
    });
});

describe("install instructions", () => {
    for (const file of ["README.md", "docs/components.md"]) {
        it(`${file}: name the tarball the release workflow attaches, at the current version`, () => {
            const doc = readFileSync(path.join(PROJECT_ROOT, file), "utf8");
            const url = `https://github.com/<org>/cloudflare-cequence/releases/download/v${version}/${tarball}`;
            assert.ok(doc.includes(`npm install ${url}`), `${file} installs ${url}`);
            assert.doesNotMatch(doc, /#v\d+\.\d+\.\d+/, "no git tag to install from: the release tarball is what a release makes");
        });
    }
});
