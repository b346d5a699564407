/**
 * Path-scoped protection's rules (components/paths.ts): which paths may be
 * listed, and the Cloudflare expression built from them, evaluated by a tiny
 * evaluator of exactly the subset the builder writes, with Cloudflare's
 * documented semantics (tests/support/pathExpression.ts). Properties with
 * fast-check: the same paths always give the same expression, every variant of
 * a listed path matches (any case, one trailing slash, a prefix's own path),
 * a path outside every listed entry does not, and the rule's condition is the
 * negation.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import {
    canonicalPaths,
    MAX_EXPRESSION_LENGTH,
    pathRule,
    pathRuleCondition,
    pathsOfRuleCondition,
    pathsProblems,
    pathsRoutingProblem,
    protectedPathsExpression,
} from "../components/paths";
import { evaluatePathExpression } from "./support/pathExpression";

/** ASCII letters only, as the contract (and Cloudflare's lower()) folds case. */
const asciiLower = (text: string) => text.replace(/[A-Z]/g, (c) => c.toLowerCase());

/**
 * What the contract says the listed paths cover, written from the contract
 * alone: an exact path in any case, with or without one trailing slash; a
 * prefix `/x/*` in any case: `/x`, `/x/` and everything under it.
 */
function specMatches(paths: readonly string[], requestPath: string): boolean {
    const request = asciiLower(requestPath);
    return paths.some((listed) => {
        const path = asciiLower(listed);
        if (path.endsWith("/*")) return request.startsWith(path.slice(0, -1)) || request === path.slice(0, -2);
        const base = path !== "/" && path.endsWith("/") ? path.slice(0, -1) : path;
        return request === base || (base !== "/" && request === `${base}/`);
    });
}

// Path characters, the regular-expression ones (. $ ( ) +) over-represented, and percent-encoded octets.
const pathCharacter = fc.oneof(
    { weight: 3, arbitrary: fc.constantFrom(..."abcXYZ019-_~") },
    { weight: 2, arbitrary: fc.constantFrom(..."./$()+!&',;=:@") },
    { weight: 1, arbitrary: fc.constantFrom("%20", "%2F", "%c3", "%C3") },
);
const segment = fc.array(pathCharacter, { minLength: 1, maxLength: 5 }).map((chars) => chars.join(""));
const pathText = fc.array(segment, { minLength: 1, maxLength: 3 }).map((segments) => `/${segments.join("/")}`);
const listedPath = fc.oneof(pathText, pathText.map((path) => `${path.replace(/\/+$/, "")}/*`));
/** Lists the contract accepts: no repeats, no entry under another's prefix. */
const validPaths = fc.array(listedPath, { minLength: 1, maxLength: 6 }).filter((paths) => pathsProblems(paths, "paths").length === 0);
/** A way to change the case of a path's letters: one flag per character, true for upper case. */
const caseFlips = fc.array(fc.boolean(), { minLength: 40, maxLength: 40 });
const recased = (text: string, flips: readonly boolean[]) => [...text].map((c, i) => (flips[i % flips.length] ? c.toUpperCase() : c.toLowerCase())).join("");
/** Only ASCII letters change case in a valid path; the other characters stay. */
const recasedAscii = (text: string, flips: readonly boolean[]) => [...text].map((c, i) => (/[A-Za-z]/.test(c) ? recased(c, [flips[i % flips.length]!]) : c)).join("");

describe("paths: the expression", () => {
    it("writes the lowered path: exact paths and their one-slash and prefix-own variants with in, prefixes with an anchored matches, in one order, and no backslash", () => {
        assert.equal(
            protectedPathsExpression(["/api/*", "/signup", "/v1.2/*", "/Login"]),
            'lower(http.request.uri.path) in {"/api" "/login" "/login/" "/signup" "/signup/" "/v1.2"} or lower(http.request.uri.path) matches "^/api/" or lower(http.request.uri.path) matches "^/v1[.]2/"',
        );
        assert.equal(pathRuleCondition(["/login"]), 'not (lower(http.request.uri.path) in {"/login" "/login/"})');
        assert.equal(pathRuleCondition(["/"]), 'not (lower(http.request.uri.path) in {"/"})');
        assert.equal(protectedPathsExpression(["/a(b)+$/*"]), 'lower(http.request.uri.path) in {"/a(b)+$"} or lower(http.request.uri.path) matches "^/a[(]b[)][+][$]/"');
    });

    it("the same paths, in any order, always give the same expression", () => {
        fc.assert(
            fc.property(
                validPaths.chain((paths) => fc.tuple(fc.constant(paths), fc.shuffledSubarray(paths, { minLength: paths.length, maxLength: paths.length }))),
                ([paths, shuffled]) => {
                    assert.equal(protectedPathsExpression(shuffled), protectedPathsExpression(paths));
                    assert.ok(!protectedPathsExpression(paths).includes("\\"));
                },
            ),
        );
    });

    it("every variant of a listed path matches: any case, one trailing slash or none, a prefix's own path and anything under it", () => {
        fc.assert(
            fc.property(validPaths, fc.array(pathCharacter, { maxLength: 6 }), caseFlips, (paths, tail, flips) => {
                const expression = protectedPathsExpression(paths);
                for (const listed of paths) {
                    const prefix = listed.endsWith("/*");
                    const base = prefix ? listed.slice(0, -2) : listed.replace(/(.)\/$/, "$1");
                    const variants = prefix
                        ? [base, `${base}/`, `${base}/${tail.join("")}`]
                        : base === "/"
                          ? ["/"]
                          : [base, `${base}/`];
                    for (const variant of variants.flatMap((v) => [v, recasedAscii(v, flips), v.toUpperCase(), v.toLowerCase()])) {
                        assert.ok(evaluatePathExpression(expression, variant), `${variant} must match ${expression}`);
                    }
                }
            }),
        );
    });

    it("the issue's own example: /login and /api/* cover /LOGIN, /Login, /login/, /api, /API/v1, and not /loginx, /apix, /static/login.js", () => {
        const expression = protectedPathsExpression(["/login", "/api/*"]);
        for (const covered of ["/login", "/LOGIN", "/Login", "/login/", "/LOGIN/", "/api", "/API", "/api/", "/API/v1", "/Api/V1/users"]) {
            assert.ok(evaluatePathExpression(expression, covered), covered);
        }
        for (const outside of ["/loginx", "/login//", "/log", "/apix", "/ap", "/static/login.js", "/v1/api", "/"]) {
            assert.ok(!evaluatePathExpression(expression, outside), outside);
        }
    });

    it("a path outside every listed entry does not match: near misses and random paths", () => {
        fc.assert(
            fc.property(validPaths, fc.constantFrom("", "x", "X", ".", "-", "%20"), pathText, caseFlips, (paths, extra, random, flips) => {
                const expression = protectedPathsExpression(paths);
                const near = paths.flatMap((listed) => {
                    const base = listed.endsWith("/*") ? listed.slice(0, -2) : listed;
                    // `/apix` beside `/api/*`; `/loginx`, `/login//` and `/static/login` beside `/login`.
                    return [`${base}${extra}`, `${base}//`, base.slice(0, -1), `/static${base}`, recasedAscii(`${base}${extra}`, flips)];
                });
                for (const request of [...near, random, recasedAscii(random, flips)]) {
                    if (request === "") continue;
                    assert.equal(evaluatePathExpression(expression, request), specMatches(paths, request), `${request} against ${expression}`);
                }
            }),
        );
    });

    it("the rule's condition is the expression's negation, and reads back as the paths", () => {
        fc.assert(
            fc.property(validPaths, pathText, (paths, request) => {
                const condition = pathRuleCondition(paths);
                assert.equal(evaluatePathExpression(condition, request), !specMatches(paths, request));
                assert.deepEqual(pathsOfRuleCondition(condition), canonicalPaths(paths));
            }),
        );
    });

    it("a listed path's rule reads back as the same paths, even where one fewer trailing slash is another listed path", () => {
        // Found by the property above: "/%20//" stripped of one slash read back as "/%20/", then as "/%20".
        const condition = pathRuleCondition(["/%20/"]);
        assert.deepEqual(pathsOfRuleCondition(condition), canonicalPaths(["/%20/"]));
        assert.equal(pathsProblems(["/%20//"], "paths").length, 1);
    });

    it("paths that cover the same requests give the same expression: case, a trailing slash, a prefix's own path", () => {
        assert.equal(pathRuleCondition(["/Login/", "/API/*", "/api"]), pathRuleCondition(["/login", "/api/*"]));
        assert.deepEqual(canonicalPaths(["/Login/", "/API/*", "/api", "/Api/Users"]), ["/login", "/api/*"]);
    });

    it("a condition in any other form is not read as paths", () => {
        const ours = pathRuleCondition(["/login", "/api/*"]);
        for (const edited of [
            ours.replace("not (", "(").replace(/\)$/, ""),
            ours.replace('"/login"', '"/logout" "/login"'),
            ours.replace('"/login/"', ""),
            ours.replace("^/api/", "/api/"),
            ours.replaceAll("lower(http.request.uri.path)", "http.request.uri.path"),
            ours.replace('"/login"', '"/Login"'),
            `${ours} and http.host eq "www.cq-route.com"`,
            'not (http.request.uri.path contains "/login")',
            'not (http.request.uri.path in {"/login"} or http.request.uri.path matches "^/api/")',
            'not (lower(http.request.uri.path) in {"/b" "/b/" "/a" "/a/"})',
        ]) {
            assert.equal(pathsOfRuleCondition(edited), undefined, edited);
        }
    });

    it("the rule overrides only the pools, to the origin, first and final", () => {
        assert.deepEqual(pathRule(["/login"], "origin-id"), {
            name: "cloudflare-cequence: paths not listed go straight to the origin pool",
            priority: 0,
            terminates: true,
            disabled: false,
            condition: 'not (lower(http.request.uri.path) in {"/login" "/login/"})',
            overrides: { defaultPools: ["origin-id"], fallbackPool: "origin-id" },
        });
    });
});

describe("paths: what may be listed, each problem under its key", () => {
    const refused: Array<[string, unknown, string, RegExp]> = [
        ["an empty list", [], "apps[0].paths", /must list at least one path; to send every request through Cequence, remove paths/],
        ["not a list", "/login", "apps[0].paths", /must be a list of URL paths/],
        ["a path without its leading /", ["/ok", "login"], "apps[0].paths[1]", /must start with \//],
        ["a * inside a path", ["/api*"], "apps[0].paths[0]", /\* may only end a prefix, as in "\/api\/\*"/],
        ["a * that is not after /", ["/api/v*"], "apps[0].paths[0]", /\* may only end a prefix/],
        ["a * in the middle", ["/api/*/users"], "apps[0].paths[0]", /\* may only end a prefix/],
        ["/* alone", ["/*"], "apps[0].paths[0]", /matches every path; to send every request through Cequence, remove paths/],
        ["a query string", ["/login?next=1"], "apps[0].paths[0]", /query string or fragment; only the path is matched: write "\/login"/],
        ["a space", ["/my login"], "apps[0].paths[0]", /holds " ", which cannot appear in a URL path \(RFC 3986\): percent-encode it/],
        ["a double quote", ['/a"b'], "apps[0].paths[0]", /holds "\\""/],
        ["a backslash", ["/a\\b"], "apps[0].paths[0]", /holds "\\\\"/],
        ["a non-ASCII character", ["/café"], "apps[0].paths[0]", /holds "é"/],
        ["a bad percent-encoding", ["/a%zz"], "apps[0].paths[0]", /holds "%"/],
        ["not a string", [7], "apps[0].paths[0]", /must be a URL path, e\.g\. "\/login" or "\/api\/\*", got 7/],
        ["a duplicate", ["/login", "/api/*", "/login"], "apps[0].paths[2]", /^repeats apps\[0\]\.paths\[0\] \("\/login"\)$/],
        ["a path under a listed prefix", ["/api/*", "/api/users"], "apps[0].paths[1]", /"\/api\/users" is already under apps\[0\]\.paths\[0\] \("\/api\/\*"\); remove one/],
        ["a prefix under another", ["/api/v1/*", "/api/*"], "apps[0].paths[0]", /already under apps\[0\]\.paths\[1\]/],
        ["adjacent slashes, which no normalized request holds", ["/login//"], "apps[0].paths[0]", /"\/login\/\/" holds an empty segment \(\/\/\).*write "\/login\/"/],
        ["adjacent slashes inside a prefix", ["/a//b/*"], "apps[0].paths[0]", /"\/a\/\/b\/\*" holds an empty segment \(\/\/\).*write "\/a\/b\/\*"/],
    ];
    for (const [label, paths, key, message] of refused) {
        it(`refuses ${label}`, () => {
            const problems = pathsProblems(paths, "apps[0].paths");
            assert.equal(problems.length, 1, JSON.stringify(problems));
            assert.equal(problems[0]!.path, key);
            assert.match(problems[0]!.message, message);
        });
    }

    it("accepts exact paths, prefixes, the root, percent-encoding and the sub-delimiters, and a path beside a prefix of its own", () => {
        assert.deepEqual(pathsProblems(["/", "/login", "/api/*", "/api", "/caf%C3%A9", "/a.b;c=d/*", "/~user/@me:1/*"], "paths"), []);
    });

    it("refuses a list whose condition is longer than Cloudflare accepts, on the list", () => {
        const paths = Array.from({ length: 200 }, (_, i) => `/a-rather-long-path-number-${i}`);
        const problems = pathsProblems(paths, "paths");
        assert.equal(problems.length, 1);
        assert.equal(problems[0]!.path, "paths");
        assert.match(problems[0]!.message, new RegExp(`of ${pathRuleCondition(paths).length} characters, and Cloudflare accepts ${MAX_EXPRESSION_LENGTH}`));
    });

    it("goes only with routing: loadBalancer", () => {
        assert.equal(pathsRoutingProblem("loadBalancer"), undefined);
        assert.equal(pathsRoutingProblem(undefined), undefined);
        assert.match(pathsRoutingProblem("origin")!, /applies only with routing: loadBalancer.*with routing: origin the record sends no request through Cequence/);
        assert.match(pathsRoutingProblem("cequence")!, /with routing: cequence the record sends every request through Cequence/);
    });
});

describe("paths: the evaluator reads only the builder's subset", () => {
    for (const outside of [
        'http.request.uri.path eq "/login"',
        'http.request.uri.path matches "/api/"',
        'http.request.uri.path matches "^/api/.*"',
        'http.request.uri.path in {"/a\\"b"}',
        'starts_with(http.request.uri.path, "/api/")',
        'upper(http.request.uri.path) in {"/API"}',
        'lower(http.host) in {"/api"}',
        'lower(lower(http.request.uri.path)) in {"/api"}',
    ]) {
        it(`throws on ${outside}`, () => {
            assert.throws(() => evaluatePathExpression(outside, "/api/"), /not in the subset/);
        });
    }
});
