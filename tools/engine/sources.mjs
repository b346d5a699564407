// Where `npm run engine` takes the Pulumi engine from, and what a released CLI
// is called on Pulumi's download site. Pure decisions, no I/O, so
// tests/engine.test.ts checks each on its own; engine.mjs acts on them.

/**
 * The engine's source, first that applies:
 * - "path": a `pulumi` on PATH (unless `--build`), with the user's own plugins;
 * - "built": `../shared/engine` lies beside the repository (this project's CI):
 *   the CLI built from Go modules, the language hosts from its sources, the
 *   plugins from its checksummed binaries;
 * - "official": anywhere else, the released CLI from get.pulumi.com and the
 *   official plugins through `pulumi plugin install` (needs internet).
 * `--build` without ../shared has nothing to build the hosts from: an error.
 */
export function engineSource({ pulumiOnPath, build, sharedPresent }) {
    if (pulumiOnPath && !build) return "path";
    if (sharedPresent) return "built";
    if (build) throw new Error("--build needs ../shared/engine beside the repository (the language hosts' sources); without it, drop --build to use the released CLI");
    return "official";
}

// Node's names for the platforms Pulumi releases the CLI for, and Pulumi's (https://www.pulumi.com/docs/iac/download-install/).
const RELEASE_OS = { linux: "linux", darwin: "darwin" };
const RELEASE_ARCH = { x64: "x64", arm64: "arm64" };

/**
 * The released CLI archive for a version and a Node platform/arch, and the
 * checksums file published beside it (`<sha256>  <file>` lines):
 * https://get.pulumi.com/releases/sdk/pulumi-v<version>-<os>-<arch>.tar.gz and
 * https://get.pulumi.com/releases/sdk/pulumi-<version>-checksums.txt.
 */
export function releaseArchive({ version, platform, arch }) {
    const os = RELEASE_OS[platform];
    const cpu = RELEASE_ARCH[arch];
    if (!os || !cpu) throw new Error(`Pulumi releases no .tar.gz CLI for ${platform}-${arch}; install the CLI yourself (https://www.pulumi.com/docs/iac/download-install/) and put it on PATH`);
    const file = `pulumi-v${version}-${os}-${cpu}.tar.gz`;
    return { file, url: `https://get.pulumi.com/releases/sdk/${file}`, checksumsUrl: `https://get.pulumi.com/releases/sdk/pulumi-${version}-checksums.txt`, folder: `pulumi-v${version}-official_${os}-${cpu}` };
}

/** Where each source takes the resource plugins from, as the e2e suite prints it. */
export function pluginSourceText(source, { userPlugins, sharedPlugins } = {}) {
    if (source === "path") return `the user's plugins (${userPlugins}), installed with \`pulumi plugin install\``;
    if (source === "built") return `${sharedPlugins}, checked against its SHA256SUMS`;
    return "the official releases, through `pulumi plugin install resource <name> <version>`";
}
