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
    /** "path": the user's pulumi on PATH; "built": built here from Go modules. */
    source: "path" | "built";
    pulumi: { path: string; version: string };
    /** version null: the host did not say which it is. */
    languageHost: { name: "nodejs"; path: string; version: string | null };
    /** Holds pulumi and pulumi-language-nodejs: put first on PATH. */
    binDir: string;
    env: EngineVariables;
    plugins: PluginEntry[];
}

export declare function engineVariables(engineDir?: string): EngineVariables;
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
