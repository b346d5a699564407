// The pure decisions of `npm run engine`: which versions are wanted, whether a
// Pulumi CLI is new enough, and the key a build is stored under. No I/O here,
// so tests/engine.test.ts can check each rule on its own.

/**
 * The oldest CLI the project accepts: importing a resource whose inputs differ
 * from the live object (the adoption runbook) needs 3.174.0 or later.
 */
export const MIN_CLI_VERSION = "3.174.0";

const SEMVER = /^v?(\d+)\.(\d+)\.(\d+)(?:-([0-9A-Za-z.-]+))?(?:\+[0-9A-Za-z.-]+)?$/;

/** Parses `3.274.1`, `v3.274.1`, `v3.275.0-alpha.x1+dirty`; undefined when it is no version. */
export function parseVersion(text) {
    const match = SEMVER.exec(String(text).trim());
    if (!match) return undefined;
    return { major: Number(match[1]), minor: Number(match[2]), patch: Number(match[3]), pre: match[4] ?? "" };
}

/** Semver order of two version strings (build metadata ignored, a pre-release before its release). */
export function compareVersions(a, b) {
    const x = parseVersion(a);
    const y = parseVersion(b);
    if (!x || !y) throw new Error(`not a version: ${!x ? a : b}`);
    for (const part of ["major", "minor", "patch"]) {
        if (x[part] !== y[part]) return x[part] < y[part] ? -1 : 1;
    }
    if (x.pre === y.pre) return 0;
    if (x.pre === "") return 1;
    if (y.pre === "") return -1;
    return comparePrerelease(x.pre, y.pre);
}

function comparePrerelease(a, b) {
    const xs = a.split(".");
    const ys = b.split(".");
    for (let i = 0; i < Math.max(xs.length, ys.length); i++) {
        const x = xs[i];
        const y = ys[i];
        if (x === undefined) return -1;
        if (y === undefined) return 1;
        if (x === y) continue;
        const numeric = /^\d+$/.test(x) && /^\d+$/.test(y);
        if (numeric) return Number(x) < Number(y) ? -1 : 1;
        return x < y ? -1 : 1;
    }
    return 0;
}

/**
 * Whether the `pulumi version` output of a CLI is acceptable. Returns the
 * clean version when it is, and a message saying what to do when it is not.
 */
export function checkCliVersion(versionOutput, where) {
    const text = String(versionOutput).trim();
    if (!parseVersion(text)) {
        return { ok: false, version: null, message: `${where}: \`pulumi version\` printed "${text}", which is no version.` };
    }
    const version = text.replace(/^v/, "");
    if (compareVersions(version, MIN_CLI_VERSION) < 0) {
        return {
            ok: false,
            version,
            message:
                `${where} is Pulumi CLI ${version}, older than ${MIN_CLI_VERSION}, which this project needs ` +
                `(importing a resource whose inputs differ from the live object). Upgrade it ` +
                `(https://www.pulumi.com/docs/iac/download-install/), or take it off PATH so that ` +
                `\`npm run engine\` builds one.`,
        };
    }
    return { ok: true, version, message: null };
}

/**
 * The resource plugin an npm package stands for, from its package.json: the
 * `pulumi` field that Pulumi's generated SDKs carry (`{resource: true, name,
 * version}`), else null (the SDK itself, the policy library, anything else).
 */
export function resourcePluginOf(packageJson) {
    const field = packageJson?.pulumi;
    if (!field || field.resource !== true) return null;
    const name = typeof field.name === "string" && field.name !== "" ? field.name : undefined;
    const version = field.version ?? packageJson.version;
    if (!name || !parseVersion(version)) return null;
    return { name, version: String(version).replace(/^v/, "") };
}

/** The version a go.mod requires of a module, without its `v`; undefined when it requires none. */
export function requiredVersion(goModText, modulePath) {
    const escaped = escapeRegExp(modulePath);
    const match = new RegExp(`^\\s*(?:require\\s+)?${escaped}\\s+(v\\S+)`, "m").exec(goModText);
    return match ? match[1].replace(/^v/, "") : undefined;
}

/**
 * The module a Go binary's main package came from, read from `go version -m
 * <binary>` (its `mod` line): the version it was built at, whatever it prints.
 */
export function mainModule(goVersionM) {
    const match = /^\tmod\t(\S+)\t(v\S+)/m.exec(goVersionM);
    return match ? { path: match[1], version: match[2].replace(/^v/, "") } : undefined;
}

function escapeRegExp(text) {
    return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/**
 * The version of a module that a Go binary was built with, read from `go
 * version -m <binary>` (its `dep` lines, after any `=>` replacement).
 */
export function dependencyVersion(goVersionM, modulePath) {
    const escaped = escapeRegExp(modulePath);
    const match = new RegExp(`^\\tdep\\t${escaped}\\t(v\\S+)`, "m").exec(goVersionM);
    return match ? match[1].replace(/^v/, "") : undefined;
}

/** Fails unless every input of a build key is a plain version or name (nothing that could leave the folder). */
function assertPlainInputs(caller, inputs) {
    for (const [name, value] of Object.entries(inputs)) {
        if (typeof value !== "string" || !/^[0-9A-Za-z.+_-]+$/.test(value)) {
            throw new Error(`${caller}: ${name} must be a plain version or name, got ${JSON.stringify(value)}`);
        }
    }
}

/**
 * The folder name a build is kept under: what went into it (the CLI's and the
 * language host's versions, a digest of the CLI's go.mod/go.sum and the host's
 * source, which pin every other module), the Go toolchain and the platform. Anything else is a new build.
 */
export function buildKey({ cliVersion, hostVersion, goVersion, goos, goarch, modulesDigest }) {
    assertPlainInputs("buildKey", { cliVersion, hostVersion, goVersion, goos, goarch, modulesDigest });
    return `pulumi-v${cliVersion}_nodejs-v${hostVersion}_${goVersion}_${goos}-${goarch}_${modulesDigest}`;
}

/**
 * The folder name one more language host (python, yaml) is kept under, on the
 * same rule: its language and version, the Go toolchain, the platform and a
 * digest of the files its build reads.
 */
export function hostBuildKey({ language, hostVersion, goVersion, goos, goarch, modulesDigest }) {
    assertPlainInputs("hostBuildKey", { language, hostVersion, goVersion, goos, goarch, modulesDigest });
    return `pulumi-language-${language}-v${hostVersion}_${goVersion}_${goos}-${goarch}_${modulesDigest}`;
}

/** The version a pip requirements file pins a package at (`name==version`); undefined when it pins none. */
export function pinnedRequirement(requirementsText, name) {
    const escaped = escapeRegExp(name);
    const match = new RegExp(`^${escaped}==(\\S+)\\s*$`, "im").exec(requirementsText);
    return match?.[1];
}
