/**
 * Path-scoped protection (`apps[].paths`; ProtectedHostname's and
 * FailoverLoadBalancer's `paths`): what a listed path may be, the Cloudflare
 * expression that matches the listed paths, and the one load balancer rule
 * that sends every other request straight to the origin pool. The config, the
 * components and the live tools share it, so the rule `pulumi up` deploys is
 * the rule `status` recognises. docs/paths.md gives the reasons and cites
 * Cloudflare. No runtime imports: the live tools load this without the
 * Pulumi SDK.
 *
 * A listed path is exact (`/login`: that path in any case, with or without
 * one trailing slash: `/LOGIN`, `/login/`) or a prefix ending in `/*`
 * (`/api/*`: `/api`, `/api/` and everything under them, in any case; not
 * `/apix`). Matching is on the path alone, without the query string: a
 * variant an origin may serve from the same handler must not skip Cequence.
 */
import type { Problem } from "./problems";

/** The request's path, without the query string: what a load balancer rule compares (proxied load balancers). */
export const PATH_FIELD = "http.request.uri.path";

/**
 * The path in lower case, as the rule compares it: Cloudflare's `lower()`
 * "converts a string field to lowercase. Only uppercase ASCII bytes are
 * converted" (Rules language, "Functions"), its own advice for "possible
 * variations of string capitalization" (Rules language, "Operators").
 */
const LOWERED_PATH = `lower(${PATH_FIELD})`;

/** Cloudflare's longest rule expression, in characters (Rules language, "Maximum rule expression length"). */
export const MAX_EXPRESSION_LENGTH = 4096;

/** How a listed path ends when it is a prefix. */
const PREFIX_MARK = "/*";

/**
 * What a URL path may hold (RFC 3986 `path-abempty`): unreserved characters,
 * sub-delimiters, `:`, `@`, `/` and percent-encoded octets. Of these only
 * `. $ ( ) +` mean something in a regular expression, and no `"` or `\` can
 * end or escape a quoted string in the rule's expression.
 */
const PATH_CHARACTER = /[A-Za-z0-9\-._~!$&'()+,;=:@/]|%[0-9A-Fa-f]{2}/y;

/** The regular-expression characters a path may hold, each written as a one-character class (`[.]`): no backslash ever reaches the expression. */
const REGEX_SPECIAL = /[.$()+]/g;

/** One listed path: an exact path, or a prefix (`value` ends with `/`, the `*` dropped). */
export interface PathPattern {
    kind: "exact" | "prefix";
    value: string;
}

/** The pattern a valid listed path stands for. */
export function pathPattern(path: string): PathPattern {
    return path.endsWith(PREFIX_MARK) ? { kind: "prefix", value: path.slice(0, -1) } : { kind: "exact", value: path };
}

/** Upper-case ASCII letters to lower case, and nothing else, as `lower()` does. */
function lowerAscii(text: string): string {
    return text.replace(/[A-Z]/g, (c) => c.toLowerCase());
}

/** The path a prefix also covers: `/api` for `/api/*`. */
function prefixOwnPath(prefix: PathPattern): string {
    return prefix.value.slice(0, -1) || "/";
}

/**
 * The pattern in the form the rule matches it: lower case, and an exact path
 * without its one trailing slash (the rule adds it back).
 */
function coveredPattern(pattern: PathPattern): PathPattern {
    const value = lowerAscii(pattern.value);
    return { kind: pattern.kind, value: pattern.kind === "exact" && value !== "/" && value.endsWith("/") ? value.slice(0, -1) : value };
}

/** True when `by`, a different covered pattern, already covers every request `other` covers. */
function coveredBy(by: PathPattern, other: PathPattern): boolean {
    if (by.kind !== "prefix" || writtenPath(by) === writtenPath(other)) return false;
    return other.value.startsWith(by.value) || (other.kind === "exact" && other.value === prefixOwnPath(by));
}

/** The listed path a pattern is written as. */
function writtenPath(pattern: PathPattern): string {
    return pattern.kind === "prefix" ? `${pattern.value}*` : pattern.value;
}

/** The first character from `index` on that cannot be in a URL path, or undefined. */
function invalidCharacterAt(text: string, index = 0): string | undefined {
    let at = index;
    while (at < text.length) {
        PATH_CHARACTER.lastIndex = at;
        if (!PATH_CHARACTER.test(text)) return text.codePointAt(at) === undefined ? undefined : String.fromCodePoint(text.codePointAt(at)!);
        at = PATH_CHARACTER.lastIndex;
    }
    return undefined;
}

/** Why `path` cannot be listed, or undefined. */
function pathProblem(path: unknown): string | undefined {
    const example = 'e.g. "/login" or "/api/*"';
    if (typeof path !== "string") return `must be a URL path, ${example}, got ${JSON.stringify(path) ?? String(path)}`;
    const shown = JSON.stringify(path);
    if (!path.startsWith("/")) return `must start with /, ${example}, got ${shown}`;
    const query = path.search(/[?#]/);
    if (query >= 0) return `${shown} holds a query string or fragment; only the path is matched: write ${JSON.stringify(path.slice(0, query) || "/")}`;
    const star = path.indexOf("*");
    if (star >= 0 && !(star === path.length - 1 && path.endsWith(PREFIX_MARK))) {
        return `${shown}: * may only end a prefix, as in "/api/*" (/api/ and everything under it)`;
    }
    if (path === PREFIX_MARK) return `"/*" matches every path; to send every request through Cequence, remove paths`;
    if (path.includes("//")) {
        // No request's path holds one by the time a rule sees it: "you cannot disable the conversion of two or more
        // adjacent slashes into a single slash" (https://developers.cloudflare.com/rules/normalization/, docs/paths.md).
        return `${shown} holds an empty segment (//), which Cloudflare merges into one slash before any rule sees the path: write ${JSON.stringify(path.replace(/\/{2,}/g, "/"))}`;
    }
    const invalid = invalidCharacterAt(star >= 0 ? path.slice(0, -1) : path);
    if (invalid !== undefined) {
        return `${shown} holds ${JSON.stringify(invalid)}, which cannot appear in a URL path (RFC 3986): percent-encode it as the request does (a space is %20)`;
    }
    return undefined;
}

/** True when `by`, another entry, already matches every request `other` matches. */
function covers(by: PathPattern, other: PathPattern): boolean {
    return by.kind === "prefix" && writtenPath(other) !== writtenPath(by) && other.value.startsWith(by.value);
}

/**
 * Every problem of a `paths` list, each under `key` and the entry's index
 * (`apps[0].paths[1]`), the list's own under `key`: not a list, empty, an
 * entry that is no path or that another entry repeats or already covers, an
 * expression longer than Cloudflare accepts.
 */
export function pathsProblems(paths: unknown, key: string): Problem[] {
    if (!Array.isArray(paths)) return [{ path: key, message: `must be a list of URL paths, e.g. ["/login", "/api/*"], got ${JSON.stringify(paths) ?? String(paths)}` }];
    if (paths.length === 0) return [{ path: key, message: "must list at least one path; to send every request through Cequence, remove paths" }];
    const entries = paths.map((path, index) => ({ index, problem: pathProblem(path), pattern: typeof path === "string" ? pathPattern(path) : undefined }));
    const valid = entries.filter((entry) => entry.problem === undefined);
    const sibling = (other: { index: number; pattern?: PathPattern }) => `${key}[${other.index}] (${JSON.stringify(writtenPath(other.pattern!))})`;
    for (const entry of valid) {
        const pattern = entry.pattern!;
        const earlier = valid.find((other) => other.index < entry.index && writtenPath(other.pattern!) === writtenPath(pattern));
        const covering = valid.find((other) => covers(other.pattern!, pattern));
        if (earlier) entry.problem = `repeats ${sibling(earlier)}`;
        else if (covering) entry.problem = `${JSON.stringify(writtenPath(pattern))} is already under ${sibling(covering)}; remove one`;
    }
    const problems = entries.flatMap(({ index, problem }) => (problem === undefined ? [] : [{ path: `${key}[${index}]`, message: problem }]));
    if (problems.length === 0) {
        const length = pathRuleCondition(paths as string[]).length;
        if (length > MAX_EXPRESSION_LENGTH) {
            problems.push({
                path: key,
                message: `makes a load balancer rule condition of ${length} characters, and Cloudflare accepts ${MAX_EXPRESSION_LENGTH}: list fewer paths, or a prefix that covers several`,
            });
        }
    }
    return problems;
}

/** Why `paths` cannot go with `routing`, or undefined: only a load balancer can choose by path. */
export function pathsRoutingProblem(routing: string | undefined): string | undefined {
    if (routing !== "origin" && routing !== "cequence") return undefined;
    return `applies only with routing: loadBalancer, whose load balancer rule chooses by path; with routing: ${routing} the record sends ${routing === "origin" ? "no request" : "every request"} through Cequence`;
}

/**
 * The zone plans whose rules may use `matches`, which a prefix needs:
 * "Access to the `matches` operator requires a Cloudflare Business or
 * Enterprise plan" (Rules language, "Operators"). Whether that holds for
 * load balancer rules too, Cloudflare does not say; `preflight` warns.
 */
export const REGEX_PLANS: readonly string[] = ["business", "enterprise"];

/** The listed prefixes: the entries the expression matches with a regular expression. */
export function listedPrefixes(paths: readonly string[]): string[] {
    return canonicalPaths(paths).filter((path) => pathPattern(path).kind === "prefix");
}

/**
 * The listed paths as the rule covers them, in one order, exact paths first:
 * lower case, an exact path without its trailing slash, and no entry another
 * one already covers (`/API/users` and `/api` beside `/api/*`). Paths that
 * cover the same requests always make the same expression.
 */
export function canonicalPaths(paths: readonly string[]): string[] {
    const written = [...new Set(paths.map((path) => writtenPath(coveredPattern(pathPattern(path)))))];
    const patterns = written.map(pathPattern);
    const kept = patterns.filter((pattern) => !patterns.some((other) => coveredBy(other, pattern)));
    const sorted = (kind: PathPattern["kind"]) =>
        kept
            .filter((p) => p.kind === kind)
            .map(writtenPath)
            .sort(byCodeUnits);
    return [...sorted("exact"), ...sorted("prefix")];
}

/** Sorts by UTF-16 code units, the same on every machine. */
function byCodeUnits(a: string, b: string): number {
    return a < b ? -1 : a > b ? 1 : 0;
}

/** A string literal of Cloudflare's Rules language; a valid path holds neither `"` nor `\`. */
function quoted(text: string): string {
    return `"${text}"`;
}

/**
 * The Cloudflare expression that matches a request for any of the (valid)
 * paths, on the lowered path: every exact path with and without one trailing
 * slash, and every prefix's own path, with `in`; each prefix with `matches`
 * and an anchored regular expression, the only operator Cloudflare documents
 * for load balancer rules that can say "starts with" (docs/paths.md).
 */
export function protectedPathsExpression(paths: readonly string[]): string {
    const patterns = canonicalPaths(paths).map(pathPattern);
    const prefixes = patterns.filter((p) => p.kind === "prefix");
    const members = new Set<string>();
    for (const pattern of patterns) {
        if (pattern.kind === "prefix") members.add(prefixOwnPath(pattern));
        else for (const member of pattern.value === "/" ? ["/"] : [pattern.value, `${pattern.value}/`]) members.add(member);
    }
    const clauses = members.size > 0 ? [`${LOWERED_PATH} in {${[...members].sort(byCodeUnits).map(quoted).join(" ")}}`] : [];
    for (const prefix of prefixes) {
        clauses.push(`${LOWERED_PATH} matches ${quoted(`^${prefix.value.replace(REGEX_SPECIAL, (c) => `[${c}]`)}`)}`);
    }
    return clauses.join(" or ");
}

/** The rule's condition: every request whose path is none of the listed ones. */
export function pathRuleCondition(paths: readonly string[]): string {
    return `not (${protectedPathsExpression(paths)})`;
}

/**
 * The listed paths a condition in exactly the form {@link pathRuleCondition}
 * writes stands for, in canonical order; undefined for any other condition
 * (an edited rule), so that `status` can tell "other paths" from "edited".
 */
export function pathsOfRuleCondition(condition: string): string[] | undefined {
    const inner = /^not \((.*)\)$/.exec(condition)?.[1];
    if (inner === undefined) return undefined;
    const field = LOWERED_PATH.replace(/[.()]/g, "\\$&");
    const exactClause = new RegExp(`^${field} in \\{("[^"\\\\]*"(?: "[^"\\\\]*")*)\\}$`);
    const prefixClause = new RegExp(`^${field} matches "\\^((?:[^"\\\\\\[\\]]|\\[[.$()+]\\])*)"$`);
    const paths: string[] = [];
    for (const clause of inner.split(" or ")) {
        const exact = exactClause.exec(clause);
        const prefix = prefixClause.exec(clause);
        if (exact) paths.push(...exact[1]!.split(" ").map((literal) => literal.slice(1, -1)));
        else if (prefix) paths.push(`${prefix[1]!.replace(/\[(.)\]/g, "$1")}*`);
        else return undefined;
    }
    // Only the canonical form of valid paths: anything else was written by someone else.
    if (pathsProblems([...new Set(paths)], "paths").length > 0) return undefined;
    const canonical = canonicalPaths(paths);
    return pathRuleCondition(canonical) === condition ? canonical : undefined;
}

/** The paths as a reader sees them: `/login, /api/*`. */
export function describePaths(paths: readonly string[]): string {
    return canonicalPaths(paths).join(", ");
}

/**
 * The one load balancer rule path-scoped protection adds. Every field is
 * given, so that what Cloudflare returns is what was sent: first and last
 * (priority 0, terminates), enabled, and overriding only the pools, so that
 * every other setting (steering, weights, adaptive routing) stays the load
 * balancer's.
 */
export const PATH_RULE = Object.freeze({
    name: "cloudflare-cequence: paths not listed go straight to the origin pool",
    priority: 0,
    terminates: true,
    disabled: false,
});

/** The rule for the paths, sending every other request to the origin pool: in the provider's (camelCase) shape. */
export function pathRule<Id>(paths: readonly string[], originPoolId: Id) {
    return {
        ...PATH_RULE,
        condition: pathRuleCondition(paths),
        overrides: { defaultPools: [originPoolId], fallbackPool: originPoolId },
    };
}
