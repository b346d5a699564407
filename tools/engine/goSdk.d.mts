// Types for goSdk.mjs.
import type { EngineManifest } from "./manifest.mjs";
export declare const GO_SDK_DIR: string;
export declare function generateGoSdk(outDir: string, manifest?: EngineManifest): void;
