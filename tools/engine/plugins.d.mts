// Types for plugins.mjs.
import type { ResourcePlugin } from "./versions.mjs";
export declare function wantedPlugins(projectRoot: string): ResourcePlugin[];
