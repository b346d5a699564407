// Types for sources.mjs.
export type EngineSource = "path" | "built" | "official";
export declare function engineSource(inputs: { pulumiOnPath: boolean; build: boolean; sharedPresent: boolean }): EngineSource;
export declare function releaseArchive(target: { version: string; platform: string; arch: string }): { file: string; url: string; checksumsUrl: string; folder: string };
export declare function pluginSourceText(source: EngineSource, where?: { userPlugins?: string; sharedPlugins?: string }): string;
