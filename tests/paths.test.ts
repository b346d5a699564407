/**
 * Path-scoped protection's rules (components/paths.ts): which paths may be
 * listed, and the Cloudflare expression built from them, evaluated by a tiny
 * evaluator of exactly the subset the builder writes
 * (tests/support/pathExpression.ts). Properties with fast-check: the same
 * paths always give the same expression, every listed path matches, a path
 * just outside a prefix does not, and the rule's condition is the negation.
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

/** What the contract says a listed path matches: the path itself, or (for `/x/*`) `/x/` and everything under it. */
function specMatches(paths: readonly string[], requestPath: string): boolean {
    return paths.some((listed) => (listed.endsWith("/*") ? requestPath.startsWith(listed.slice(0, -1)) : requestPath === listed));
}

// Path characters, the regular-expression ones (. $ ( ) +) over-represented, and percent-encoded octets.
const pathCharacter = fc.oneof(
    { weight: 3, arbitrary: fc.constantFrom(..."abcXYZ019-_~") },
    { weight: 2, arbitrary: fc.constantFrom(..."./$()+!&',;=:@") },
    { weight: 1, arbitrary: fc.constantFrom("%20", "%2F", "%c3") },
);
const segment = fc.array(pathCharacter, { minLength: 1, maxLength: 5 }).map((chars) => chars.join(""));
const pathText = fc.array(segment, { minLength: 1, maxLength: 3 }).map((segments) => `/${segments.join("/")}`);
const listedPath = fc.oneof(pathText, pathText.map((path) => `${path.replace(/\/+$/, "")}/*`));
/** Lists the contract accepts: no repeats, no entry under another's prefix. */
const validPaths = fc.array(listedPath, { minLength: 1, maxLength: 6 }).filter((paths) => pathsProblems(paths, "paths").length === 0);

describe("paths: the expression", () => {
    it("writes exact paths with in and prefixes with an anchored matches, in one order, and no backslash", () => {
        assert.equal(
            protectedPathsExpression(["/api/*", "/signup", "/v1.2/*", "/login"]),
            'http.request.uri.path in {"/login" "/signup"} or http.request.uri.path matches "^/api/" or http.request.uri.path matches "^/v1[.]2/"',
        );
        assert.equal(pathRuleCondition(["/login"]), 'not (http.request.uri.path in {"/login"})');
        assert.equal(protectedPathsExpression(["/a(b)+$/*"]), 'http.request.uri.path matches "^/a[(]b[)][+][$]/"');
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

    it("every listed path matches: an exact path, a prefix's own path and anything under it", () => {
        fc.assert(
            fc.property(validPaths, fc.array(pathCharacter, { maxLength: 6 }), (paths, tail) => {
                const expression = protectedPathsExpression(paths);
                for (const listed of paths) {
                    const requests = listed.endsWith("/*") ? [listed.slice(0, -1), `${listed.slice(0, -1)}${tail.join("")}`] : [listed];
                    for (const request of requests) assert.ok(evaluatePathExpression(expression, request), `${request} must match ${expression}`);
                }
            }),
        );
    });

    it("a path just outside a prefix or beside an exact path does not match, unless another entry lists it", () => {
        fc.assert(
            fc.property(validPaths, fc.constantFrom("", "x", "X", ".", "-", "%20"), (paths, extra) => {
                const expression = protectedPathsExpression(paths);
                for (const listed of paths) {
                    const base = listed.endsWith("/*") ? listed.slice(0, -2) : listed;
                    // `/api` and `/apix` beside `/api/*`; `/loginx`, `/login/` and `/LOGIN` beside `/login`.
                    for (const near of [base, `${base}${extra}`, `${base}/`, base.toUpperCase(), base.slice(0, -1)]) {
                        if (near === "") continue;
                        assert.equal(evaluatePathExpression(expression, near), specMatches(paths, near), `${near} against ${expression}`);
                    }
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

    it("a condition in any other form is not read as paths", () => {
        const ours = pathRuleCondition(["/login", "/api/*"]);
        for (const edited of [
            ours.replace("not (", "(").replace(/\)$/, ""),
            ours.replace('"/login"', '"/logout" "/login"'),
            ours.replace("^/api/", "/api/"),
            `${ours} and http.host eq "www.cq-route.com"`,
            'not (http.request.uri.path contains "/login")',
            'not (http.request.uri.path in {"/b" "/a"})',
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
            condition: 'not (http.request.uri.path in {"/login"})',
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
    ]) {
        it(`throws on ${outside}`, () => {
            assert.throws(() => evaluatePathExpression(outside, "/api/"), /not in the subset/);
        });
    }
});
