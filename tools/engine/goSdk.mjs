// `npm run sdk:go`: examples/go's Go SDK of the component package, generated
// from the committed schema (tests/fixtures/componentSchema.json, which
// `npm run schema` writes) by `pulumi package gen-sdk --language go --local`
// through the engine's Go language host (`npm run engine`), into
// examples/go/sdks/cloudflare-cequence, where examples/go/go.mod's `replace`
// points. The schema is given `meta.supportPack: true`, as `pulumi package
// add` sets it for a local package (pkg/v3 cmd/pulumi/packages): the SDK then
// is a module of its own, with the go.mod the `replace` needs. The end-to-end
// suite fails when the committed SDK is not what this generates. Plain Node,
// no dependencies.
import { spawnSync } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { pathToFileURL } from "node:url";
import { COMMITTED_SCHEMA } from "./componentSchema.mjs";
import { engineEnv, PROJECT_ROOT, readEngineManifest } from "./manifest.mjs";

/** The committed Go SDK, which examples/go builds against. */
export const GO_SDK_DIR = join(PROJECT_ROOT, "examples", "go", "sdks", "cloudflare-cequence");

/** gen-sdk starts the Go host, which runs `go` (a cold module cache downloads for minutes). */
const GEN_SDK_TIMEOUT_MS = 10 * 60_000;

/** Generates the Go SDK from the committed schema into `outDir` (replaced), through the engine's CLI and Go host. */
export function generateGoSdk(outDir, manifest = readEngineManifest()) {
    const scratch = mkdtempSync(join(tmpdir(), "cloudflare-cequence-gen-sdk-"));
    try {
        const schema = JSON.parse(readFileSync(COMMITTED_SCHEMA, "utf8"));
        const schemaFile = join(scratch, "schema.json");
        writeFileSync(schemaFile, JSON.stringify({ ...schema, meta: { ...schema.meta, supportPack: true } }));
        const out = join(scratch, "out");
        const run = spawnSync(manifest.pulumi.path, ["package", "gen-sdk", schemaFile, "--language", "go", "--local", "--out", out, "--non-interactive"], {
            cwd: scratch,
            env: engineEnv(manifest),
            encoding: "utf8",
            timeout: GEN_SDK_TIMEOUT_MS,
        });
        if (run.status !== 0) throw new Error(`pulumi package gen-sdk --language go exited ${run.status ?? run.signal}:\n${run.stderr}`);
        rmSync(outDir, { recursive: true, force: true });
        // gen-sdk writes each language into a folder of its name under --out.
        cpSync(join(out, "go"), outDir, { recursive: true });
    } finally {
        rmSync(scratch, { recursive: true, force: true });
    }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
    generateGoSdk(GO_SDK_DIR);
    process.stdout.write(`wrote ${GO_SDK_DIR}; commit it with the schema change it follows\n`);
}
