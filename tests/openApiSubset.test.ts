/**
 * The rules that cut Cloudflare's OpenAPI subset out of its openapi.json
 * (tools/openapi/subset.mjs), on tiny specs, and the operations list
 * (tools/openapi/operations.json) against the subset the tests read.
 */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { describe, it } from "node:test";
import fc from "fast-check";
import {
    type OperationRef,
    buildSubset,
    gitBlobSha1,
    parseComponentRef,
    reachableComponents,
    refsIn,
    serializeSubset,
    withUpperCaseRangeKeys,
} from "../tools/openapi/subset.mjs";
import { OPENAPI_FILE } from "./support/openapi";
import { VENDORED_OPENAPI_FILE } from "./support/cloudflare/schema";

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });

/** A tiny upstream: GET /a reaches A → B → A (a cycle) and a response; C is unused. */
function tinySpec(): Record<string, unknown> {
    return {
        openapi: "3.0.3",
        info: { title: "Tiny API", version: "1" },
        security: [{ token: [] }],
        tags: [{ name: "used" }, { name: "unused" }],
        paths: {
            "/a": {
                parameters: [{ name: "id", in: "path" }],
                get: {
                    tags: ["used"],
                    security: [{ key: [] }],
                    responses: { "200": { content: { "application/json": { schema: ref("A") } } }, "4xx": { $ref: "#/components/responses/Failure" } },
                },
                delete: { responses: { "200": {} } },
            },
            "/b": { get: { responses: { "200": {} } } },
        },
        components: {
            schemas: { B: { properties: { back: ref("A") } }, A: { properties: { next: ref("B") } }, C: { type: "string" } },
            responses: { Failure: { description: "failure" } },
            securitySchemes: { token: { type: "http" }, key: { type: "apiKey" }, other: { type: "http" } },
        },
    };
}

describe("OpenAPI subset: $ref closure", () => {
    it("finds every $ref below a value, in arrays and nested objects", () => {
        assert.deepEqual(refsIn({ a: [ref("A"), { b: ref("B") }], $ref: "#/x" }), ["#/components/schemas/A", "#/components/schemas/B", "#/x"]);
    });

    it("decodes a component pointer's escapes and refuses any other pointer", () => {
        assert.deepEqual(parseComponentRef("#/components/schemas/a~1b~0c%20d"), { section: "schemas", name: "a/b~c d" });
        assert.equal(parseComponentRef("#/components/schemas/A/properties/x"), undefined);
        assert.equal(parseComponentRef("other.json#/components/schemas/A"), undefined);
    });

    it("follows references transitively, through a cycle, and leaves unreached components out", () => {
        const spec = tinySpec();
        const { components, errors } = reachableComponents(spec, { schema: ref("A") });
        assert.deepEqual(errors, []);
        assert.deepEqual(Object.keys(components), ["schemas"]);
        assert.deepEqual(Object.keys(components.schemas ?? {}).sort(), ["A", "B"]);
    });

    it("names every reference that is not local or that dangles", () => {
        const { errors } = reachableComponents(tinySpec(), [ref("Missing"), { $ref: "https://example.com/x.json" }]);
        assert.deepEqual(errors, ["dangling $ref upstream: #/components/schemas/Missing", "non-local or unsupported $ref: https://example.com/x.json"]);
    });

    it("holds every component a kept component references (property)", () => {
        const names = ["A", "B", "C", "D", "E", "F"];
        const graph = fc.dictionary(fc.constantFrom(...names), fc.array(fc.constantFrom(...names), { maxLength: 3 }));
        fc.assert(
            fc.property(graph, fc.array(fc.constantFrom(...names), { maxLength: 3 }), (edges, roots) => {
                const schemas = Object.fromEntries(names.map((name) => [name, { allOf: (edges[name] ?? []).map(ref) }]));
                const { components, errors } = reachableComponents({ components: { schemas } }, roots.map(ref));
                assert.deepEqual(errors, []);
                const kept = components.schemas ?? {};
                for (const root of roots) assert.ok(root in kept, root);
                for (const schema of Object.values(kept)) for (const target of refsIn(schema)) assert.ok(parseComponentRef(target)!.name in kept, target);
            }),
        );
    });
});

describe("OpenAPI subset: the range-key fix-up", () => {
    it("upper-cases a lower-case range response key and notes it, keeping the order of the keys", () => {
        const { operation, fixups } = withUpperCaseRangeKeys({ responses: { "200": 1, "4xx": 2, "5XX": 3 } }, "GET /a");
        assert.deepEqual(Object.keys(operation.responses as object), ["200", "4XX", "5XX"]);
        assert.deepEqual(fixups, ['GET /a: response key "4xx" -> "4XX"']);
    });
});

describe("OpenAPI subset: the document", () => {
    const source = { repository: "https://github.com/example/api", path: "openapi.json", commit: "0".repeat(40) };

    it("keeps only the listed operations with their path-level fields, the reached components, the named security schemes and the used tags", () => {
        const { document, errors } = buildSubset(tinySpec(), [{ method: "get", path: "/a" }], source);
        assert.deepEqual(errors, []);
        const paths = document.paths as Record<string, Record<string, unknown>>;
        assert.deepEqual(Object.keys(paths), ["/a"]);
        assert.deepEqual(Object.keys(paths["/a"] ?? {}), ["parameters", "get"]);
        assert.deepEqual(document.tags, [{ name: "used" }]);
        const components = document.components as Record<string, object>;
        assert.deepEqual(Object.keys(components), ["responses", "schemas", "securitySchemes"]);
        assert.deepEqual(Object.keys(components.schemas ?? {}), ["A", "B"], "sorted, C left out");
        assert.deepEqual(Object.keys(components.securitySchemes ?? {}), ["key", "token"]);
    });

    it("says it is a subset, lists the fix-up and names its source in info", () => {
        const { document } = buildSubset(tinySpec(), [{ method: "get", path: "/a" }], source);
        const info = document.info as Record<string, unknown>;
        assert.match(String(info.title), /^Tiny API \(subset: /);
        assert.match(String(info.description), /^Subset of the Cloudflare API/);
        assert.deepEqual(info["x-subset-fixups"], ['GET /a: response key "4xx" -> "4XX"']);
        assert.deepEqual(info["x-source"], source);
    });

    it("names every operation missing upstream", () => {
        const { errors } = buildSubset(tinySpec(), [{ method: "post", path: "/a" }, { method: "get", path: "/nowhere" }], source);
        assert.deepEqual(errors, ["operation not found upstream: POST /a", "operation not found upstream: GET /nowhere"]);
    });

    it("writes the same bytes for the same input: two-space JSON and a final newline", () => {
        const write = () => serializeSubset(buildSubset(tinySpec(), [{ method: "get", path: "/a" }], source).document);
        assert.equal(write(), write());
        assert.match(write(), /^\{\n {2}"openapi": "3\.0\.3",\n[\s\S]*\}\n$/);
    });

    it("computes git's blob id, which pins the upstream file", () => {
        // `printf 'hello\n' | git hash-object --stdin`
        assert.equal(gitBlobSha1("hello\n"), "ce013625030ba8dba906f756967f9e9ca394464a");
    });
});

describe("OpenAPI subset: the operations list", () => {
    it("is exactly the operations of the subset the tests read, each once", () => {
        const subset = JSON.parse(readFileSync(OPENAPI_FILE, "utf8")) as { paths: Record<string, Record<string, unknown>> };
        const methods = new Set(["get", "put", "post", "patch", "delete"]);
        const inSubset = Object.entries(subset.paths).flatMap(([p, item]) => Object.keys(item).filter((m) => methods.has(m)).map((m) => `${m} ${p}`));
        const operations = JSON.parse(readFileSync(path.join(__dirname, "../tools/openapi/operations.json"), "utf8")) as OperationRef[];
        const listed = operations.map((operation) => `${operation.method} ${operation.path}`);
        assert.equal(new Set(listed).size, listed.length, "no operation twice");
        assert.deepEqual(listed.sort(), inSubset.sort());
    });
});

describe("OpenAPI subset: the repository's copy", () => {
    it("is the file its README gives the provenance of: the same upstream commit and sha256, with the upstream licence beside it", () => {
        const folder = path.dirname(VENDORED_OPENAPI_FILE);
        const bytes = readFileSync(VENDORED_OPENAPI_FILE);
        const readme = readFileSync(path.join(folder, "README.md"), "utf8");
        const source = (JSON.parse(bytes.toString("utf8")) as { info: { "x-source": { repository: string; commit: string } } }).info["x-source"];
        assert.ok(readme.includes(createHash("sha256").update(bytes).digest("hex")), "the README records the file's sha256");
        assert.ok(readme.includes(`Commit: \`${source.commit}\``), "the README names the commit in info.x-source");
        assert.ok(readme.includes(source.repository), "the README names the repository in info.x-source");
        assert.match(readFileSync(path.join(folder, "LICENSE"), "utf8"), /Redistribution and use in source and binary forms/);
    });

    it("is what rebuildSubset.mjs pins: the upstream commit it would download", () => {
        const script = readFileSync(path.join(__dirname, "../tools/openapi/rebuildSubset.mjs"), "utf8");
        const source = (JSON.parse(readFileSync(VENDORED_OPENAPI_FILE, "utf8")) as { info: { "x-source": { commit: string } } }).info["x-source"];
        assert.ok(script.includes(`commit: "${source.commit}"`), "rebuildSubset.mjs pins the commit the copy came from");
    });
});
