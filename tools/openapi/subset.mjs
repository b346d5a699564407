// The pure part of cutting Cloudflare's OpenAPI subset out of its openapi.json:
// which operations, which components they reach, the one fix-up, and the
// exact bytes written. No I/O here, so tests/openApiSubset.test.ts checks each
// rule on a tiny spec; rebuildSubset.mjs does the downloading and writing.
import { createHash } from "node:crypto";

const COMPONENT_REF = /^#\/components\/([^/]+)\/([^/]+)$/;
// OpenAPI 3.0 allows only upper-case ranges ("4XX"); Cloudflare writes some as "4xx".
const LOWER_CASE_RANGE = /^[1-5]xx$/;
const PATH_ITEM_FIELDS = ["summary", "description", "servers", "parameters"];

/** Every `$ref` string anywhere below `node`, in document order. */
export function refsIn(node) {
    if (Array.isArray(node)) return node.flatMap(refsIn);
    if (node === null || typeof node !== "object") return [];
    return Object.entries(node).flatMap(([key, value]) => (key === "$ref" && typeof value === "string" ? [value] : refsIn(value)));
}

/** `#/components/<section>/<name>` as its two decoded parts; undefined for any other pointer. */
export function parseComponentRef(ref) {
    const match = COMPONENT_REF.exec(ref);
    if (!match) return undefined;
    // A JSON pointer in a URI fragment: percent-decoding first, then ~1 and ~0 (RFC 6901).
    const decode = (token) => decodeURIComponent(token).replace(/~1/g, "/").replace(/~0/g, "~");
    return { section: decode(match[1]), name: decode(match[2]) };
}

/** The operation with lower-case range response keys upper-cased, and a note for each key changed. */
export function withUpperCaseRangeKeys(operation, label) {
    if (!operation.responses) return { operation, fixups: [] };
    const fixups = [];
    const responses = {};
    for (const [code, response] of Object.entries(operation.responses)) {
        const fixed = LOWER_CASE_RANGE.test(code) ? code.toUpperCase() : code;
        if (fixed !== code) fixups.push(`${label}: response key "${code}" -> "${fixed}"`);
        responses[fixed] = response;
    }
    return { operation: { ...operation, responses }, fixups };
}

/**
 * The components that `roots` reach through `$ref`, transitively (cycles
 * included), each section and name in sorted order, plus an error for each
 * reference that is not a local component or does not resolve in `spec`.
 */
export function reachableComponents(spec, roots) {
    const components = {};
    const errors = [];
    const seen = new Set();
    const queue = refsIn(roots);
    while (queue.length > 0) {
        const ref = queue.shift();
        if (seen.has(ref)) continue;
        seen.add(ref);
        const parsed = parseComponentRef(ref);
        if (!parsed) {
            errors.push(`non-local or unsupported $ref: ${ref}`);
            continue;
        }
        const target = spec.components?.[parsed.section]?.[parsed.name];
        if (target === undefined) {
            errors.push(`dangling $ref upstream: ${ref}`);
            continue;
        }
        (components[parsed.section] ??= {})[parsed.name] = target;
        queue.push(...refsIn(target));
    }
    return { components, errors };
}

function sortedComponents(components) {
    return Object.fromEntries(
        Object.keys(components)
            .sort()
            .map((section) => [section, Object.fromEntries(Object.keys(components[section]).sort().map((name) => [name, components[section][name]]))]),
    );
}

function securitySchemeNames(requirements) {
    return (requirements ?? []).flatMap((requirement) => Object.keys(requirement));
}

/**
 * The subset of `spec` holding only `operations` ({method, path}, in the
 * order their paths and methods appear in the output), the components they
 * reach, the security schemes they name and the tags they use; everything
 * copied verbatim but the range-key fix-up, which `info.x-subset-fixups`
 * lists; `source` ({repository, path, commit}) becomes `info.x-source`.
 * `errors` names every operation missing upstream and every `$ref` that is
 * not local or dangles; the document is only usable when it is empty.
 */
export function buildSubset(spec, operations, source) {
    const errors = [];
    if (!/^3\./.test(spec.openapi ?? "")) errors.push(`not an OpenAPI 3 document: openapi=${spec.openapi}`);
    const paths = {};
    const fixups = [];
    const usedTags = new Set();
    const usedSchemes = new Set(securitySchemeNames(spec.security));
    for (const { method, path } of operations) {
        const item = spec.paths?.[path];
        const label = `${method.toUpperCase()} ${path}`;
        if (!item?.[method]) {
            errors.push(`operation not found upstream: ${label}`);
            continue;
        }
        paths[path] ??= {};
        for (const field of PATH_ITEM_FIELDS) if (item[field] !== undefined) paths[path][field] = item[field];
        const fixed = withUpperCaseRangeKeys(item[method], label);
        paths[path][method] = fixed.operation;
        fixups.push(...fixed.fixups);
        for (const tag of item[method].tags ?? []) usedTags.add(tag);
        for (const scheme of securitySchemeNames(item[method].security)) usedSchemes.add(scheme);
    }

    const reached = reachableComponents(spec, paths);
    errors.push(...reached.errors);
    const components = reached.components;
    for (const scheme of usedSchemes) {
        const definition = spec.components?.securitySchemes?.[scheme];
        if (definition === undefined) errors.push(`security scheme not defined upstream: ${scheme}`);
        else (components.securitySchemes ??= {})[scheme] = definition;
    }

    const document = {
        openapi: spec.openapi,
        info: {
            ...spec.info,
            title: `${spec.info?.title ?? "Cloudflare API"} (subset: load balancing, DNS records, managed transforms, notifications, IPs, zones)`,
            // Worded as in the first cut (made by a predecessor script, extract.mjs), so
            // that a rebuild is byte-identical to it and its published sha256 checks this script.
            description:
                "Subset of the Cloudflare API OpenAPI document from github.com/cloudflare/api-schemas (openapi.json), " +
                "cut down to a few operations by extract.mjs. Everything below is upstream text, unchanged, " +
                "except the fix-ups listed in x-subset-fixups.",
            "x-subset-fixups": fixups,
            ...(source ? { "x-source": { repository: source.repository, path: source.path, commit: source.commit } } : {}),
        },
        servers: spec.servers,
        security: spec.security,
        ...(Array.isArray(spec.tags) ? { tags: spec.tags.filter((tag) => usedTags.has(tag.name)) } : {}),
        paths,
        components: sortedComponents(components),
    };
    // The closure follows the paths only; a reference in info, servers, tags or a security
    // scheme would dangle here, and show up later only as a confusing validator error.
    for (const ref of new Set(refsIn(document))) {
        const parsed = parseComponentRef(ref);
        if (!parsed || document.components[parsed.section]?.[parsed.name] === undefined) errors.push(`dangling $ref in output: ${ref}`);
    }
    return { document, errors };
}

/** The bytes written: two-space JSON and a final newline, the same for the same input every time. */
export function serializeSubset(document) {
    return `${JSON.stringify(document, null, 2)}\n`;
}

/** Git's blob id of `content` (what `git hash-object` prints), to check a download against the pin. */
export function gitBlobSha1(content) {
    return createHash("sha1").update(`blob ${content.length}\0`).update(content).digest("hex");
}
