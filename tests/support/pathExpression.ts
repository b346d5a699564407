/**
 * A tiny evaluator of exactly the Cloudflare expressions components/paths.ts
 * writes, and nothing more: `not ( … )`, clauses joined by `or`,
 * `http.request.uri.path in {"…" …}` and `http.request.uri.path matches "^…"`
 * whose pattern is literal characters and one-character classes (`[.]`).
 * Anything outside that subset throws, so a builder that strays from it fails
 * the tests instead of being evaluated by guesswork. It reads the expression
 * as Cloudflare's Rules language defines it: `in` is membership in the set,
 * `matches` is a regular-expression search (anchored here by `^`), and string
 * comparison is case-sensitive.
 */

const FIELD = "http.request.uri.path";

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

    function clause(): boolean {
        expect(FIELD);
        const operator = next();
        if (operator === "in") {
            expect("{");
            const members: string[] = [];
            while (list[at] !== "}") members.push(stringValue(next()));
            expect("}");
            if (members.length === 0) throw new Error("not in the subset: an empty set");
            return members.includes(path);
        }
        if (operator === "matches") return path.startsWith(anchoredLiteral(stringValue(next())));
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
