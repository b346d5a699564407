/**
 * Cloudflare's own OpenAPI schema (the subset in vendor/cloudflare-openapi),
 * loaded once per process, with the upstream quirks that no real body could
 * satisfy fixed in memory, and turned into cached Ajv validators: closed-world
 * request bodies (for the contract test and the stand-in) and closed-world
 * responses (for the stand-in).
 *
 * Closed-world: upstream leaves almost every object open, so a misspelled
 * field (`sessionAffinity` for `session_affinity`) would pass. Every object in
 * a value position is wrapped as `{allOf: [X], unevaluatedProperties: false}`
 * (the README's advice), which Ajv2019 understands through combinators.
 *
 * Quirks fixed here (the README lists them):
 * - enum strings `"\"\""` (steering_policy, session_affinity) mean `""`;
 * - notification `mechanisms.*[].id` is `oneOf: [uuid, string]`, which every
 *   short string matches twice; `anyOf` is what the API means;
 * - request schemas reuse response schemas, so read-only fields (and, named
 *   by the caller, `id`) are dropped from `required` for requests;
 * - each "4XX" schema that is `allOf` the success and the failure envelope is
 *   read as its failure member (see {@link responseValidator});
 * - managed transforms' "200" schema describes the `result` only, DNS
 *   delete's declares only `result`: both get the common envelope;
 * - GET /ips answers `oneOf` [ips, ips with jdcloud_cidrs], and the second
 *   is a superset of the first, so every answer matches both: `anyOf`;
 * - deletes declare a required JSON body without a schema: any body (or
 *   none, as clients send) is accepted;
 * - PATCH bodies reuse the full bodies' schemas: they are read as partial
 *   (see {@link requestValidator}).
 */
import { readFileSync } from "node:fs";
import * as path from "node:path";
import Ajv2019, { type ErrorObject, type ValidateFunction } from "ajv/dist/2019";
import addFormats from "ajv-formats";

export type Schema = Record<string, unknown>;

const REPO_ROOT = path.resolve(__dirname, "../../..");

/** The subset the repository holds (its provenance: that folder's README). */
export const VENDORED_OPENAPI_FILE = path.join(REPO_ROOT, "vendor", "cloudflare-openapi", "cloudflare-lb-subset.openapi.json");

/** The subset file: `CLOUDFLARE_OPENAPI_SUBSET` (to try a rebuilt one), else the repository's. */
export const OPENAPI_FILE = process.env.CLOUDFLARE_OPENAPI_SUBSET ? path.resolve(REPO_ROOT, process.env.CLOUDFLARE_OPENAPI_SUBSET) : VENDORED_OPENAPI_FILE;

const HTTP_METHODS = ["get", "post", "put", "patch", "delete"] as const;
export type HttpMethod = (typeof HTTP_METHODS)[number];

export interface Operation {
    operationId: string;
    parameters?: Schema[];
    requestBody?: Schema;
    responses: Record<string, Schema>;
    security?: Array<Record<string, string[]>>;
}

interface Spec {
    paths: Record<string, Partial<Record<HttpMethod, Operation>>>;
    components: Schema;
}

/** `"\"\""` in an enum is upstream's spelling of the empty string. */
function fixEmptyStringEnums(node: unknown): unknown {
    if (Array.isArray(node)) return node.map(fixEmptyStringEnums);
    if (node === null || typeof node !== "object") return node;
    return Object.fromEntries(
        Object.entries(node).map(([key, value]) => {
            if ((key === "enum" || key === "default") && value === '""') return [key, ""];
            if (key === "enum" && Array.isArray(value)) return [key, value.map((v) => (v === '""' ? "" : v))];
            return [key, fixEmptyStringEnums(value)];
        }),
    );
}

/** Whether a `oneOf` is one whose branches overlap by design (see the quirks above). */
function isOverlappingOneOf(branches: Schema[]): boolean {
    const isEmailBranch = (branch: Schema) => branch.description === "The email address";
    const isJdcloudBranch = (branch: Schema) => branch.$ref === "#/components/schemas/addressing_ips_jdcloud";
    return branches.some((branch) => isEmailBranch(branch) || isJdcloudBranch(branch));
}

function fixOverlappingOneOfs(node: unknown): unknown {
    if (Array.isArray(node)) return node.map(fixOverlappingOneOfs);
    if (node === null || typeof node !== "object") return node;
    const object = Object.fromEntries(Object.entries(node).map(([k, v]) => [k, fixOverlappingOneOfs(v)])) as Schema;
    if (Array.isArray(object.oneOf) && isOverlappingOneOf(object.oneOf as Schema[])) {
        const { oneOf, ...rest } = object;
        return { ...rest, anyOf: oneOf };
    }
    return object;
}

export const spec = fixOverlappingOneOfs(fixEmptyStringEnums(JSON.parse(readFileSync(OPENAPI_FILE, "utf8")))) as Spec;

function resolveRef(ref: string): Schema {
    const parts = ref.replace(/^#\//, "").split("/");
    return parts.reduce<Schema>((node, part) => node[part] as Schema, spec as unknown as Schema);
}

/** Inlines every `$ref`; a reference back into itself becomes `{}` (any), which only loosens recursion. */
function dereference(node: unknown, stack: readonly string[] = []): unknown {
    if (Array.isArray(node)) return node.map((item) => dereference(item, stack));
    if (node === null || typeof node !== "object") return node;
    const object = node as Schema;
    if (typeof object.$ref === "string") {
        if (stack.includes(object.$ref)) return {};
        return dereference(resolveRef(object.$ref), [...stack, object.$ref]);
    }
    return Object.fromEntries(Object.entries(object).map(([key, value]) => [key, dereference(value, stack)]));
}

const COMBINATORS = ["allOf", "oneOf", "anyOf"] as const;

/** An object with declared properties; an object schema with none (monitor `header`) is a free map. */
function declaresProperties(schema: Schema): boolean {
    if (schema.properties !== undefined) return true;
    return COMBINATORS.some((key) => Array.isArray(schema[key]) && (schema[key] as Schema[]).some(declaresProperties));
}

/** Names of properties marked `readOnly` anywhere in a schema (they may be required in a sibling `allOf` member). */
function readOnlyProperties(node: unknown, found = new Set<string>()): Set<string> {
    if (Array.isArray(node)) node.forEach((item) => readOnlyProperties(item, found));
    else if (node !== null && typeof node === "object") {
        const properties = (node as Schema).properties as Record<string, Schema> | undefined;
        for (const [name, property] of Object.entries(properties ?? {})) if (property.readOnly === true) found.add(name);
        Object.values(node).forEach((value) => readOnlyProperties(value, found));
    }
    return found;
}

/**
 * Closes every object in a value position, and drops `optionalKeys` from
 * every `required` list.
 */
function closedWorld(schema: Schema, optionalKeys: ReadonlySet<string> = new Set(), valuePosition = true): Schema {
    const out: Schema = { ...schema };
    for (const key of COMBINATORS) {
        if (Array.isArray(out[key])) out[key] = (out[key] as Schema[]).map((member) => closedWorld(member, optionalKeys, false));
    }
    if (out.properties) {
        const properties = out.properties as Record<string, Schema>;
        out.properties = Object.fromEntries(Object.entries(properties).map(([k, v]) => [k, closedWorld(v, optionalKeys, true)]));
    }
    if (Array.isArray(out.required)) out.required = (out.required as string[]).filter((k) => !optionalKeys.has(k));
    if (out.items && typeof out.items === "object") out.items = closedWorld(out.items as Schema, optionalKeys, true);
    if (out.additionalProperties && typeof out.additionalProperties === "object") {
        out.additionalProperties = closedWorld(out.additionalProperties as Schema, optionalKeys, true);
    }
    return valuePosition && declaresProperties(out) ? { allOf: [out], unevaluatedProperties: false } : out;
}

// Unoptimised code compiles about twice as fast, and these schemas are compiled once and used a few hundred times.
const ajv = new Ajv2019({ strict: false, allErrors: true, code: { optimize: false } });
addFormats(ajv);

/** One readable line per Ajv error. */
export function describeErrors(errors: readonly ErrorObject[] | null | undefined): string[] {
    return (errors ?? []).map((e) => `${e.instancePath || "/"} ${e.message ?? "is invalid"} ${JSON.stringify(e.params)}`);
}

export function operation(method: string, pathTemplate: string): Operation {
    const found = spec.paths[pathTemplate]?.[method as HttpMethod];
    if (!found) throw new Error(`the OpenAPI subset has no ${method.toUpperCase()} ${pathTemplate}`);
    return found;
}

/** Every operation of the subset, with its method and path template. */
export function operations(): Array<{ method: HttpMethod; template: string; operation: Operation }> {
    return Object.entries(spec.paths).flatMap(([template, methods]) =>
        HTTP_METHODS.flatMap((method) => (methods[method] ? [{ method, template, operation: methods[method] }] : [])),
    );
}

const validators = new Map<string, ValidateFunction | undefined>();
/** By the schema's text: operations that share a schema (create, update and read of one kind) share its validator. */
const compiled = new Map<string, ValidateFunction>();

/** Compiles each schema once per process; `build` answers undefined when there is nothing to validate. */
function cached(key: string, build: () => Schema | undefined): ValidateFunction | undefined {
    if (!validators.has(key)) {
        const schema = build();
        const text = schema && JSON.stringify(schema);
        if (text !== undefined && !compiled.has(text)) compiled.set(text, ajv.compile(schema!));
        validators.set(key, text === undefined ? undefined : compiled.get(text));
    }
    return validators.get(key);
}

/** The operation's request body schema, dereferenced. */
function requestSchema(method: string, pathTemplate: string): Schema | undefined {
    const body = dereference(operation(method, pathTemplate).requestBody) as { content: { "application/json": { schema?: Schema } } } | undefined;
    return body?.content["application/json"].schema;
}

/**
 * Closed-world validator of the operation's request body; undefined when
 * the schema gives the body none. Read-only fields and `notRequired` (fields
 * the API fills in though the schema requires them) are optional.
 */
export function requestValidator(method: string, pathTemplate: string, notRequired: readonly string[] = []): ValidateFunction | undefined {
    return cached(`request ${method} ${pathTemplate} ${notRequired.join(",")}`, () => {
        const raw = requestSchema(method, pathTemplate);
        if (!raw) return undefined;
        const closed = closedWorld(raw, new Set([...readOnlyProperties(raw), ...notRequired]));
        return method === "patch" ? (partial(closed) as Schema) : closed;
    });
}

/**
 * A PATCH body is partial, but upstream reuses the full body's schema for
 * it: every `required` is dropped, and `oneOf` (DNS record types, which a
 * partial body no longer tells apart) is read as `anyOf`.
 */
function partial(node: unknown): unknown {
    if (Array.isArray(node)) return node.map(partial);
    if (node === null || typeof node !== "object") return node;
    // Only the keywords: a property may be named "required" or "oneOf" too, and its value is then a schema, not an array.
    const keyword = (key: string, value: unknown) => (key === "required" || key === "oneOf") && Array.isArray(value);
    return Object.fromEntries(
        Object.entries(node)
            .filter(([key, value]) => !(key === "required" && keyword(key, value)))
            .map(([key, value]) => [key === "oneOf" && keyword(key, value) ? "anyOf" : key, partial(value)]),
    );
}

/** The JSON schema of a response (following `components/responses` references); undefined for a body-less one (204). */
function responseSchema(method: string, pathTemplate: string, key: string): Schema | undefined {
    const response = dereference(operation(method, pathTemplate).responses[key]) as { content?: { "application/json"?: { schema: Schema } } } | undefined;
    return response?.content?.["application/json"]?.schema;
}

/** The failure member of a 4XX schema that is `allOf` success and failure; the schema itself otherwise. */
function failureMember(method: string, pathTemplate: string): Schema | undefined {
    const declared = operation(method, pathTemplate).responses["4XX"];
    const response = (typeof declared?.$ref === "string" ? resolveRef(declared.$ref) : declared) as { content?: { "application/json"?: { schema: Schema } } } | undefined;
    const schema = response?.content?.["application/json"]?.schema;
    const members = (schema?.allOf as Schema[] | undefined) ?? [];
    const failure = members.find((member) => typeof member.$ref === "string" && /failure$/i.test(member.$ref));
    return (dereference(failure ?? schema) as Schema | undefined) ?? undefined;
}

/** Whether the schema, or a member of its top-level `allOf`, declares the property. */
function declaresTopLevel(schema: Schema, property: string): boolean {
    const properties = schema.properties as Schema | undefined;
    if (properties && property in properties) return true;
    return ((schema.allOf as Schema[] | undefined) ?? []).some((member) => declaresTopLevel(member, property));
}

/**
 * The common envelope around a success schema that lacks it: managed
 * transforms' declares only what `result` holds, DNS delete's only `result`.
 */
function withEnvelope(schema: Schema): Schema {
    if (declaresTopLevel(schema, "success")) return schema;
    const message = { type: "object", properties: { code: { type: "integer" }, message: { type: "string" } }, required: ["code", "message"] };
    const envelope = {
        type: "object",
        properties: { success: { enum: [true] }, errors: { type: "array", items: message }, messages: { type: "array", items: message } },
        required: ["success", "errors", "messages"],
    };
    const result = declaresTopLevel(schema, "result") ? schema : { properties: { result: schema }, required: ["result"] };
    return { allOf: [envelope, result] };
}

/** Whether a failure answer of the operation carries `result: null` (the notification API's declares none). */
export function failureHasResult(method: string, pathTemplate: string): boolean {
    const failure = failureMember(method, pathTemplate);
    return failure === undefined || declaresTopLevel(failure, "result");
}

/**
 * Closed-world validator of a response with this status; undefined when the
 * schema says the response has no body (Cloudflare's 204s).
 */
export function responseValidator(method: string, pathTemplate: string, status: number): ValidateFunction | undefined {
    const key = status < 400 ? String(status) : "4XX";
    return cached(`response ${method} ${pathTemplate} ${key}`, () => {
        const raw = status < 400 ? responseSchema(method, pathTemplate, key) : failureMember(method, pathTemplate);
        return raw && closedWorld(status < 400 ? withEnvelope(raw) : raw);
    });
}

/** Upstream gives some fields a default of another type (`headers: "none"` on an array); those are not defaults. */
function sensibleDefaults(node: unknown): unknown {
    if (Array.isArray(node)) return node.map(sensibleDefaults);
    if (node === null || typeof node !== "object") return node;
    const object = Object.fromEntries(Object.entries(node).map(([k, v]) => [k, sensibleDefaults(v)])) as Schema;
    const type = object.type;
    if ("default" in object && typeof type === "string") {
        const value = object.default;
        const actual = Array.isArray(value) ? "array" : value === null ? "null" : typeof value === "number" && type === "integer" ? "integer" : typeof value;
        if (actual !== type) delete object.default;
    }
    return object;
}

const defaultsAjv = new Ajv2019({ strict: false, useDefaults: true, validateFormats: false });
const defaultFillers = new Map<string, ValidateFunction>();

/**
 * Fills in, in place, what Cloudflare fills in: the `default` of each absent
 * property of the operation's success response, at every level present.
 * Defaults under `oneOf` (DNS record types) are not applied.
 */
export function fillDefaults(method: string, pathTemplate: string, result: object): void {
    const key = `${method} ${pathTemplate}`;
    let fill = defaultFillers.get(key);
    if (!fill) {
        fill = defaultsAjv.compile(sensibleDefaults(responseSchema(method, pathTemplate, "200")) as Schema);
        defaultFillers.set(key, fill);
    }
    fill({ success: true, errors: [], messages: [], result });
}
