// Which resource plugins the project needs, at which versions: one per npm
// dependency that is a Pulumi provider SDK, at the version installed in
// node_modules (its package.json's `pulumi` field), or, before `npm ci`, the
// version package-lock.json pins.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { resourcePluginOf } from "./versions.mjs";

// @pulumi/ packages that are no provider: without node_modules, the lockfile
// cannot say so (it has no `pulumi` field).
const NOT_PROVIDERS = new Set(["@pulumi/pulumi", "@pulumi/policy"]);

/** @returns {{name: string, version: string}[]} */
export function wantedPlugins(projectRoot) {
    const packageJson = JSON.parse(readFileSync(join(projectRoot, "package.json"), "utf8"));
    const lock = JSON.parse(readFileSync(join(projectRoot, "package-lock.json"), "utf8"));
    const wanted = [];
    for (const dependency of Object.keys(packageJson.dependencies ?? {})) {
        const installed = join(projectRoot, "node_modules", dependency, "package.json");
        const locked = lock.packages?.[`node_modules/${dependency}`];
        let plugin = null;
        if (existsSync(installed)) {
            plugin = resourcePluginOf(JSON.parse(readFileSync(installed, "utf8")));
        } else if (dependency.startsWith("@pulumi/") && !NOT_PROVIDERS.has(dependency) && locked?.version) {
            plugin = resourcePluginOf({ version: locked.version, pulumi: { resource: true, name: dependency.slice("@pulumi/".length) } });
        }
        if (plugin) wanted.push(plugin);
    }
    return wanted;
}
