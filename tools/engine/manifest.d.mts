// Types for manifest.mjs: the shape of .engine/engine.json, for the
// TypeScript (the end-to-end harness) that reads it.
export declare const PROJECT_ROOT: string;
export declare const ENGINE_DIR: string;
export declare const MANIFEST_PATH: string;
export declare const MANIFEST_SCHEMA: number;

export interface EngineVariables {
    PULUMI_HOME: string;
    PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true";
    PULUMI_SKIP_UPDATE_CHECK: "true";
}

export interface PluginEntry {
    name: string;
    kind: "resource";
    version: string;
    /** Absolute path of the plugin binary, or null when it is missing. */
    path: string | null;
    /** Why it is missing, or null when it is found. */
    missingReason: string | null;
}

export interface EngineManifest {
    schema: number;
    writtenAt: string;
    /**
     * "path": the user's pulumi on PATH; "built": built here from Go modules and ../shared/engine;
     * "official": the released CLI from get.pulumi.com and `pulumi plugin install` (tools/engine/sources.mjs).
     */
    source: "path" | "built" | "official";
    /** Where the resource plugins came from, in words (the end-to-end suite prints it). */
    pluginSource: string;
    pulumi: { path: string; version: string };
    /**
     * nodejs, python, yaml and go; version null: the host did not say which it is. Only the Node.js host is
     * always there; the others may be missing (path null, missingReason says why).
     */
    languageHosts: Array<{ name: "nodejs" | "python" | "yaml" | "go"; path: string | null; version: string | null; missingReason?: string }>;
    /** Holds pulumi and its language hosts: put first on PATH. */
    binDir: string;
    env: EngineVariables;
    plugins: PluginEntry[];
    /** The virtual environment examples/python runs in, its Python's version and the `pulumi` package it holds. */
    python: { venv: string; version: string; pulumiSdk: string } | { venv: null; version: null; pulumiSdk: null; missingReason: string };
}

export declare function engineVariables(engineDir?: string): EngineVariables;
export declare function missingLanguageParts(manifest: EngineManifest): Array<{ part: string; missingReason: string | undefined }>;
export declare function pluginEntry(entry: {
    name: string;
    version: string;
    path?: string | null;
    missingReason?: string | null;
}): PluginEntry;
export declare function readEngineManifest(path?: string): EngineManifest;
export declare function engineEnv(
    manifest: Pick<EngineManifest, "binDir" | "env">,
    base?: NodeJS.ProcessEnv,
    nodeBinDir?: string,
): NodeJS.ProcessEnv;
export declare function missingPlugins(manifest: Pick<EngineManifest, "plugins">): PluginEntry[];
