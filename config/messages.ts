/**
 * Config problems as users read them: each zod issue turned into a message
 * under its key path, with "did you mean" hints from the schema's own keys.
 */
import type * as z from "zod";
import { formatProblems, type Problem } from "../components/problems";
import { stackConfigSchema } from "./schema";

/** One problem in the config, under the key path that holds it; the components' problems have the same shape. */
export type ConfigIssue = Problem;

/** One line per issue, `path: message`, for errors and the plan's output, as the components list theirs. */
export const formatIssues = formatProblems;

function formatPath(path: readonly PropertyKey[]): string {
    return path.reduce<string>((text, part) => {
        if (typeof part === "number") return `${text}[${part}]`;
        return text === "" ? String(part) : `${text}.${String(part)}`;
    }, "");
}

export function describeZodIssue(issue: z.core.$ZodIssue): ConfigIssue[] {
    const at = (extra: PropertyKey[] = []) => formatPath([...issue.path, ...extra]);
    if (issue.code === "unrecognized_keys") {
        return issue.keys.map((key) => ({
            path: at([key]),
            message: `unknown key${suggestion(key, knownKeysAt(issue.path))}`,
        }));
    }
    if (issue.code === "invalid_type") {
        if (issue.input === undefined) return [{ path: at(), message: "is required" }];
        return [{ path: at(), message: `must be ${article(issue.expected)}, got ${describeValue(issue.input)}` }];
    }
    if (issue.code === "too_small" || issue.code === "too_big") {
        const bound = issue.code === "too_small" ? `at least ${issue.minimum}` : `at most ${issue.maximum}`;
        if (issue.origin === "array") return [{ path: at(), message: issue.message }];
        return [{ path: at(), message: `must be ${bound}, got ${describeValue(issue.input)}` }];
    }
    return [{ path: at(), message: issue.message }];
}

function article(expected: string): string {
    if (expected === "int") return "a whole number";
    return /^[aeiou]/.test(expected) ? `an ${expected}` : `a ${expected}`;
}

function describeValue(value: unknown): string {
    if (Array.isArray(value)) return "a list";
    if (value === null) return "null";
    if (typeof value === "object") return "an object";
    return `${typeof value} ${JSON.stringify(value)}`;
}

/** The keys the object at `path` accepts, read from the schema, for "did you mean" hints. */
export function knownKeysAt(path: readonly PropertyKey[]): readonly string[] {
    let schema: z.core.$ZodType | undefined = stackConfigSchema;
    for (const part of path) {
        schema = unwrap(schema);
        const def = schema?._zod.def as { type: string; shape?: Record<string, z.core.$ZodType>; element?: z.core.$ZodType } | undefined;
        schema = typeof part === "number" ? def?.element : def?.shape?.[String(part)];
    }
    const shape = (unwrap(schema)?._zod.def as { shape?: object } | undefined)?.shape;
    return shape ? Object.keys(shape) : [];
}

/** Looks through optional, default and transform wrappers to the schema underneath. */
function unwrap(schema: z.core.$ZodType | undefined): z.core.$ZodType | undefined {
    let current = schema;
    for (;;) {
        const def = current?._zod.def as { type: string; innerType?: z.core.$ZodType; in?: z.core.$ZodType } | undefined;
        if (def?.innerType) current = def.innerType;
        else if (def?.type === "pipe" && def.in) current = def.in;
        else return current;
    }
}

function suggestion(key: string, known: readonly string[]): string {
    const close = known
        .map((candidate) => ({ candidate, distance: editDistance(key.toLowerCase(), candidate.toLowerCase()) }))
        .filter(({ distance }) => distance <= 2)
        .sort((a, b) => a.distance - b.distance)[0];
    const valid = known.length > 0 ? `; valid keys: ${known.join(", ")}` : "";
    return close ? ` (did you mean "${close.candidate}"?)${valid}` : valid;
}

export function editDistance(a: string, b: string): number {
    let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
    for (let i = 1; i <= a.length; i++) {
        const current = [i];
        for (let j = 1; j <= b.length; j++) {
            const substitution = previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1);
            current.push(Math.min(previous[j]! + 1, current[j - 1]! + 1, substitution));
        }
        previous = current;
    }
    return previous[b.length]!;
}

export function dedupe(issues: ConfigIssue[]): ConfigIssue[] {
    const seen = new Set<string>();
    return issues.filter((i) => {
        const key = `${i.path}\0${i.message}`;
        if (seen.has(key)) return false;
        seen.add(key);
        return true;
    });
}
