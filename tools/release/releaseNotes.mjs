// The release workflow's gate and notes (.github/workflows/release.yml): for
// the pushed tag `v<version>`, checks that package.json says that version and
// that CHANGELOG.md has its section, and prints the section, which becomes
// the GitHub release's notes. A tag that names another version, or a version
// without its section, exits 1 before anything is packed. Plain Node, no
// dependencies.
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import process from "node:process";
import { fileURLToPath, pathToFileURL } from "node:url";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");

/** The package's name and version, as `npm pack` names its tarball `<name>-<version>.tgz`. */
export function packageManifest(root = ROOT) {
    const { name, version } = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));
    return { name, version, tarball: `${name}-${version}.tgz` };
}

/** The CHANGELOG's released versions, newest first (every `## x.y.z` heading; `## Unreleased` is not one). */
export function releasedVersions(changelog) {
    return [...changelog.matchAll(/^## (\d+\.\d+\.\d+\S*)\s*$/gm)].map((match) => match[1]);
}

/** The body of the CHANGELOG's `## <version>` section, trimmed; undefined without one. */
export function releaseSection(changelog, version) {
    const lines = changelog.split("\n");
    const start = lines.findIndex((line) => line.trim() === `## ${version}`);
    if (start < 0) return undefined;
    const end = lines.findIndex((line, index) => index > start && line.startsWith("## "));
    return lines.slice(start + 1, end < 0 ? undefined : end).join("\n").trim();
}

/** The notes for `tag`, or the reasons it cannot be released. */
export function releaseNotes(tag, root = ROOT) {
    const { version } = packageManifest(root);
    const changelog = readFileSync(join(root, "CHANGELOG.md"), "utf8");
    const problems = [];
    if (tag !== `v${version}`) problems.push(`the tag ${tag} is not v<package.json's version> (v${version})`);
    const notes = releaseSection(changelog, version);
    if (!notes) problems.push(`CHANGELOG.md has no section "## ${version}" with its changes`);
    else if (releasedVersions(changelog)[0] !== version) problems.push(`CHANGELOG.md's newest release is ${releasedVersions(changelog)[0]}, not ${version}`);
    return problems.length === 0 ? { ok: true, notes } : { ok: false, problems };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
    const tag = process.argv[2];
    if (!tag) {
        process.stderr.write("usage: node tools/release/releaseNotes.mjs v<version>\n");
        process.exit(1);
    }
    const result = releaseNotes(tag);
    if (!result.ok) {
        process.stderr.write(`cannot release ${tag}:\n${result.problems.map((p) => `  ${p}`).join("\n")}\n`);
        process.exit(1);
    }
    process.stdout.write(`${result.notes}\n`);
}
