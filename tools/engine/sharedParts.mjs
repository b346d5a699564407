// What `../shared/engine/` holds for `npm run engine`: the resource plugins
// and the language-host sources that the registries here do not serve, each
// built from its project's public source at a pinned tag (that folder's
// README gives their provenance). This module only finds and checks them;
// engine.mjs installs and builds. Plain Node, no dependencies.
import { createHash } from "node:crypto";
import { createReadStream, existsSync, readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { PROJECT_ROOT } from "./manifest.mjs";
import { requiredVersion } from "./versions.mjs";

/** Beside the repository, as CI lays it out (`../shared`). */
export const SHARED_ENGINE_DIR = join(PROJECT_ROOT, "..", "shared", "engine");

/** `<sha256>  <file>` lines, as `sha256sum` writes them, by file name. */
export function parseChecksums(text) {
    const sums = new Map();
    for (const line of text.split("\n")) {
        const match = /^([0-9a-f]{64}) [ *]?(\S+)$/.exec(line.trim());
        if (match) sums.set(match[2], match[1]);
    }
    return sums;
}

/** The plugin binary's name as the shared folder names it, unpacked (add `.xz` for the file). */
export function pluginBinaryName({ name, version, goos, goarch }) {
    return `pulumi-resource-${name}-v${version}-${goos}-${goarch}`;
}

/** The versions of plugin `name` the shared folder has for a platform, newest last as listed. */
export function sharedPluginVersions(fileNames, { name, goos, goarch }) {
    const pattern = new RegExp(`^pulumi-resource-${name}-v(.+)-${goos}-${goarch}\\.xz$`);
    return fileNames.map((file) => pattern.exec(file)?.[1]).filter((version) => version !== undefined);
}

export function readSharedChecksums(dir = SHARED_ENGINE_DIR) {
    return parseChecksums(readFileSync(join(dir, "SHA256SUMS"), "utf8"));
}

export function sharedPluginFiles(dir = SHARED_ENGINE_DIR) {
    const plugins = join(dir, "plugins");
    return existsSync(plugins) ? readdirSync(plugins) : [];
}

export function sha256File(path) {
    return new Promise((resolve, reject) => {
        const hash = createHash("sha256");
        createReadStream(path)
            .on("data", (chunk) => hash.update(chunk))
            .on("error", reject)
            .on("end", () => resolve(hash.digest("hex")));
    });
}

/** The Node.js language host's source folder, and the Pulumi version its go.mod builds it at. */
export function sharedHostSource(language, dir = SHARED_ENGINE_DIR) {
    const source = join(dir, "hosts", `pulumi-language-${language}`);
    const goMod = join(source, "go.mod");
    if (!existsSync(goMod)) return undefined;
    const version = requiredVersion(readFileSync(goMod, "utf8"), "github.com/pulumi/pulumi/sdk/v3");
    return version ? { source, version } : undefined;
}
