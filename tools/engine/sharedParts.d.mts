// Types for sharedParts.mjs.
export declare const SHARED_ENGINE_DIR: string;
export declare function parseChecksums(text: string): Map<string, string>;
export declare function pluginBinaryName(plugin: { name: string; version: string; goos: string; goarch: string }): string;
export declare function sharedPluginVersions(fileNames: string[], plugin: { name: string; goos: string; goarch: string }): string[];
export declare function readSharedChecksums(dir?: string): Map<string, string>;
export declare function sharedPluginFiles(dir?: string): string[];
export declare function sha256File(path: string): Promise<string>;
export declare function sharedHostSource(language: string, dir?: string): { source: string; version: string } | undefined;
