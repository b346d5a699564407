// The component package's schema as other languages see it: what
// `pulumi package get-schema <this checkout>` prints through the engine
// (`npm run engine`), and its committed copy, which a change to a component's
// arguments or outputs must update deliberately (`npm run schema`), with a
// CHANGELOG line. Plain Node, no dependencies.
import { spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { pathToFileURL } from "node:url";
import { engineEnv, PROJECT_ROOT, readEngineManifest } from "./manifest.mjs";

/** The committed copy: the package's contract with Python, YAML, Go and every other language. */
export const COMMITTED_SCHEMA = join(PROJECT_ROOT, "tests", "fixtures", "componentSchema.json");

/** `pulumi package get-schema` bounds its npm install and analysis to this. */
const GET_SCHEMA_TIMEOUT_MS = 5 * 60_000;

/**
 * The schema the engine's CLI reads from this checkout, as text. The CLI runs
 * from outside the checkout: in it, it would find Pulumi.yaml beside
 * PulumiPlugin.yaml and refuse to choose.
 */
export function engineComponentSchema(manifest = readEngineManifest()) {
    const run = spawnSync(manifest.pulumi.path, ["package", "get-schema", PROJECT_ROOT, "--non-interactive"], {
        cwd: tmpdir(),
        env: engineEnv(manifest),
        encoding: "utf8",
        timeout: GET_SCHEMA_TIMEOUT_MS,
        maxBuffer: 64 * 1024 * 1024,
    });
    if (run.status !== 0) {
        throw new Error(`pulumi package get-schema ${PROJECT_ROOT} exited ${run.status ?? run.signal}:\n${run.stderr}`);
    }
    return `${JSON.stringify(JSON.parse(run.stdout), null, 2)}\n`;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
    writeFileSync(COMMITTED_SCHEMA, engineComponentSchema());
    process.stdout.write(`wrote ${COMMITTED_SCHEMA}; review its diff, and add a CHANGELOG line for what users of other languages see change\n`);
}
