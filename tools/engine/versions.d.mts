// Types for versions.mjs, for the TypeScript that imports it.
export declare const MIN_CLI_VERSION: string;
export interface Version {
    major: number;
    minor: number;
    patch: number;
    pre: string;
}
export declare function parseVersion(text: string): Version | undefined;
export declare function compareVersions(a: string, b: string): -1 | 0 | 1;
export interface CliVersionCheck {
    ok: boolean;
    version: string | null;
    message: string | null;
}
export declare function checkCliVersion(versionOutput: string, where: string): CliVersionCheck;
export interface ResourcePlugin {
    name: string;
    version: string;
}
export declare function resourcePluginOf(packageJson: unknown): ResourcePlugin | null;
export declare function requiredVersion(goModText: string, modulePath: string): string | undefined;
/** What every build key names besides the versions built: the Go toolchain, the platform and a digest of the sources. */
export interface BuildInputs {
    goVersion: string;
    goos: string;
    goarch: string;
    modulesDigest: string;
}
export declare function buildKey(inputs: BuildInputs & { cliVersion: string; hostVersion: string }): string;
export declare function mainModule(goVersionM: string): { path: string; version: string } | undefined;
export declare function dependencyVersion(goVersionM: string, modulePath: string): string | undefined;
export declare function hostBuildKey(inputs: BuildInputs & { language: string; hostVersion: string }): string;
export declare function pinnedRequirement(requirementsText: string, name: string): string | undefined;
