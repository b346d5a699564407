/**
 * A tiny evaluator of exactly the Cloudflare expressions components/paths.ts
 * writes, and nothing more: `not ( … )`, clauses joined by `or`, each
 * `<operand> in {"…" …}` or `<operand> matches "^…"` whose pattern is literal
 * characters and one-character classes (`[.]`), where the operand is
 * `http.request.uri.path` or `lower(http.request.uri.path)`. Anything outside
 * that subset throws, so a builder that strays from it fails the tests instead
 * of being evaluated by guesswork. It reads the expression as Cloudflare's
 * Rules language defines it
 * (https://developers.cloudflare.com/ruleset-engine/rules-language/operators/,
 * …/functions/):
 * - `in` is membership in the set of values ("Value is in a set of values");
 * - `matches` is a regular-expression match with Rust's regex crate, which
 *   finds a match anywhere unless anchored (here always by `^`): "The
 *   `matches` operator can match a partial value";
 * - "String comparison in rule expressions is case sensitive";
 * - `lower()` "Converts a string field to lowercase. Only uppercase ASCII
 *   bytes are converted. All other bytes are unaffected."
 * The path it is given is `http.request.uri.path` as the rule sees it, after
 * the zone's URL normalization (docs/paths.md).
 */

const FIELD = "http.request.uri.path";

/** `lower()`: A-Z to a-z, every other byte as it is. */
function lower(text: string): string {
    return text.replace(/[A-Z]/g, (c) => c.toLowerCase());
}

/** Tokens: `(`, `)`, `{`, `}`, string literals (kept with their quotes) and words. */
function tokens(expression: string): string[] {
    const found: string[] = [];
    const pattern = /\s*(?:([(){}])|("[^"]*")|([^\s(){}"]+))/y;
    let at = 0;
    while (at < expression.length) {
        pattern.lastIndex = at;
        const match = pattern.exec(expression);
        if (!match || match[0].length === 0) throw new Error(`not in the subset: cannot read ${JSON.stringify(expression.slice(at))}`);
        const token = match[1] ?? match[2] ?? match[3];
        if (token !== undefined) found.push(token);
        at = pattern.lastIndex;
    }
    return found;
}

function stringValue(token: string | undefined): string {
    if (token === undefined || !token.startsWith('"')) throw new Error(`not in the subset: expected a string literal, got ${token}`);
    const text = token.slice(1, -1);
    if (text.includes("\\")) throw new Error(`not in the subset: an escape in ${token}`);
    return text;
}

/** The literal prefix an anchored pattern of literal characters and `[c]` classes stands for. */
function anchoredLiteral(pattern: string): string {
    if (!pattern.startsWith("^")) throw new Error(`not in the subset: an unanchored pattern ${pattern}`);
    let literal = "";
    for (let at = 1; at < pattern.length; at++) {
        const c = pattern[at]!;
        if (c === "[") {
            if (pattern[at + 2] !== "]") throw new Error(`not in the subset: a class of more than one character in ${pattern}`);
            literal += pattern[at + 1];
            at += 2;
        } else if ("\\.+*?()|{}^$]".includes(c)) {
            throw new Error(`not in the subset: the regular-expression character ${c} in ${pattern}`);
        } else {
            literal += c;
        }
    }
    return literal;
}

/** Whether a request for `path` matches `expression`. */
export function evaluatePathExpression(expression: string, path: string): boolean {
    const list = tokens(expression);
    let at = 0;
    const next = () => list[at++];
    const expect = (token: string) => {
        const got = next();
        if (got !== token) throw new Error(`not in the subset: expected ${token}, got ${got}`);
    };

    /** The field, or `lower(` the field `)`: the only function of the subset. */
    function operand(): string {
        if (list[at] !== "lower") {
            expect(FIELD);
            return path;
        }
        next();
        expect("(");
        expect(FIELD);
        expect(")");
        return lower(path);
    }

    function clause(): boolean {
        const value = operand();
        const operator = next();
        if (operator === "in") {
            expect("{");
            const members: string[] = [];
            while (list[at] !== "}") members.push(stringValue(next()));
            expect("}");
            if (members.length === 0) throw new Error("not in the subset: an empty set");
            return members.includes(value);
        }
        if (operator === "matches") return value.startsWith(anchoredLiteral(stringValue(next())));
        throw new Error(`not in the subset: the operator ${operator}`);
    }

    function disjunction(): boolean {
        if (list[at] === "not") {
            next();
            expect("(");
            const inner = disjunction();
            expect(")");
            return !inner;
        }
        let value = clause();
        while (list[at] === "or") {
            next();
            value = clause() || value;
        }
        return value;
    }

    const value = disjunction();
    if (at !== list.length) throw new Error(`not in the subset: ${list.slice(at).join(" ")} left over`);
    return value;
}
