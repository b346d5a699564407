// Types for componentSchema.mjs, for the end-to-end test that checks the committed schema.
import type { EngineManifest } from "./manifest.mjs";

/** tests/fixtures/componentSchema.json: the schema other languages get, as committed. */
export declare const COMMITTED_SCHEMA: string;

/** What `pulumi package get-schema <this checkout>` prints through the engine, formatted as committed. */
export declare function engineComponentSchema(manifest?: EngineManifest): string;
