#!/usr/bin/env node
// Rebuilds Cloudflare's OpenAPI subset, which the contract tests and the
// Cloudflare stand-in read, from Cloudflare's own openapi.json at the pinned
// commit, so that CI needs nothing from outside the repository but GitHub.
// Plain Node, no dependencies: it runs before anything is built.
//
// usage: node tools/openapi/rebuildSubset.mjs <output.json> [--from <openapi.json>]
//
// Without --from it downloads openapi.json at the pinned commit from
// raw.githubusercontent.com. Either way the input must be that commit's file
// (its git blob id is checked), so `info.x-source` never names the wrong one.
// The operations kept are in ./operations.json; the rules in ./subset.mjs.
/* global fetch, AbortSignal -- Node's own globals, with no module to import them from */
import { Buffer } from "node:buffer";
import { readFileSync, writeFileSync } from "node:fs";
import process from "node:process";
import { URL } from "node:url";
import { parseArgs } from "node:util";
import { buildSubset, gitBlobSha1, serializeSubset } from "./subset.mjs";

// To move to a newer schema, change both: the blob is `git rev-parse <commit>:openapi.json`.
const UPSTREAM = { repository: "https://github.com/cloudflare/api-schemas", path: "openapi.json", commit: "cca3064f1aba08cc6cef52fc7b3d3064a9eafcc9" };
const UPSTREAM_BLOB = "69b0b6ee12d0d0ed2cf88ab4ae32b7a3d1a31ea4";
const DOWNLOAD_ATTEMPTS = 3;
const DOWNLOAD_TIMEOUT_MS = 60_000;
const USAGE = "usage: node tools/openapi/rebuildSubset.mjs <output.json> [--from <openapi.json>]";

function fail(message, code = 1) {
    process.stderr.write(`${message}\n`);
    process.exit(code);
}

async function download() {
    const url = `${UPSTREAM.repository.replace("https://github.com/", "https://raw.githubusercontent.com/")}/${UPSTREAM.commit}/${UPSTREAM.path}`;
    const problems = [];
    for (let attempt = 1; attempt <= DOWNLOAD_ATTEMPTS; attempt++) {
        try {
            const response = await fetch(url, { signal: AbortSignal.timeout(DOWNLOAD_TIMEOUT_MS) });
            if (response.ok) return Buffer.from(await response.arrayBuffer());
            problems.push(`HTTP ${response.status}`);
        } catch (error) {
            problems.push(error instanceof Error ? error.message : String(error));
        }
    }
    return fail(`could not download ${url} (${problems.join("; ")})`);
}

let parsed;
try {
    parsed = parseArgs({ options: { from: { type: "string" } }, allowPositionals: true });
} catch (error) {
    fail(`${error instanceof Error ? error.message : String(error)}\n${USAGE}`, 2);
}
if (parsed.positionals.length !== 1) fail(USAGE, 2);
const [outputPath] = parsed.positionals;

const input = parsed.values.from === undefined ? await download() : readFileSync(parsed.values.from);
const blob = gitBlobSha1(input);
if (blob !== UPSTREAM_BLOB) {
    fail(`the input is not ${UPSTREAM.path} at ${UPSTREAM.commit}: its git blob is ${blob}, the pinned one ${UPSTREAM_BLOB}`);
}

const operations = JSON.parse(readFileSync(new URL("./operations.json", import.meta.url), "utf8"));
const { document, errors } = buildSubset(JSON.parse(input.toString("utf8")), operations, UPSTREAM);
if (errors.length > 0) fail(errors.join("\n"));
writeFileSync(outputPath, serializeSubset(document));
const counts = Object.entries(document.components).map(([section, entries]) => `${Object.keys(entries).length} ${section}`);
process.stdout.write(`wrote ${outputPath}: ${operations.length} operations, ${counts.join(", ")}\n`);
