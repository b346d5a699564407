// `npm pack` ships package.json as it is on disk, with the repository's
// scripts: a consumer's npm would then offer to run `prepare` (tsc, with no
// tsconfig or sources in the tarball), and `npm install` of an unpacked copy
// fails on it. So `prepack` builds and then takes the scripts out of
// package.json (`strip`), and `postpack` puts the file back as it was
// (`restore`). A git install is unaffected: npm runs its `prepare` in the clone,
// without `prepack`.
//
// The original is kept beside it until restored; a pack that failed between
// the two leaves it there, and the next `strip` restores it first, so the
// scripts are never lost.
import { existsSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const manifest = join(root, "package.json");
const original = join(root, ".package.json.before-pack");

function restore() {
    if (existsSync(original)) renameSync(original, manifest);
}

function strip() {
    restore();
    const text = readFileSync(manifest, "utf8");
    const { scripts: _repositoryOnly, ...packed } = JSON.parse(text);
    writeFileSync(original, text);
    writeFileSync(manifest, `${JSON.stringify(packed, null, 2)}\n`);
}

const steps = { strip, restore };
const step = steps[process.argv[2]];
if (!step) {
    process.stderr.write("usage: node tools/packedManifest.mjs strip|restore\n");
    process.exit(1);
}
step();
