/**
 * A stand-in `pulumi` for the live tools' tests: a shell script on PATH that
 * prints a given JSON document for the read commands (`stack export`,
 * `stack history`, `stack output`), logs each call's arguments, keeps a copy
 * of an import file, and exits with a given status for a command.
 */
import { chmodSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { after } from "node:test";
import { removeDir } from "./liveFixture";

/** What each read command prints, by its first two words: a document as JSON, a string as it is. */
export interface FakePulumiAnswers {
    "stack export"?: object;
    "stack history"?: object[];
    "stack output"?: object | string;
    "whoami --json"?: object;
}

export interface FakePulumi {
    /** The directory to put first on PATH. */
    dir: string;
    /** Each call's arguments, in order. */
    calls(): string[][];
    /** The file the last `pulumi import --file` was given. */
    imported(): { nameTable: Record<string, string>; resources: Array<Record<string, string>> };
}

/** A command that fails: its status, and what it prints on stderr. */
export interface Failure {
    status: number;
    stderr: string;
}

/** @param exitStatus A command's first word, or first two → the status it exits with (and its stderr), before printing anything. */
export function fakePulumi(answers: FakePulumiAnswers, exitStatus: Record<string, number | Failure> = {}): FakePulumi {
    const dir = mkdtempSync(path.join(tmpdir(), "cloudflare-cequence-fake-pulumi-"));
    const reads = Object.entries({ "stack history": [], ...answers }).map(([command, answer], index) => {
        writeFileSync(path.join(dir, `answer${index}.json`), typeof answer === "string" ? answer : JSON.stringify(answer));
        return `[ "$1 $2" = "${command}" ] && cat "$dir/answer${index}.json"`;
    });
    const failures = Object.entries(exitStatus).map(([command, failure], index) => {
        const { status, stderr } = typeof failure === "number" ? { status: failure, stderr: "" } : failure;
        writeFileSync(path.join(dir, `stderr${index}`), stderr);
        const words = command.split(" ").length === 1 ? '"$1"' : '"$1 $2"';
        return `[ ${words} = "${command}" ] && { cat "$dir/stderr${index}" >&2; exit ${status}; }`;
    });
    const script = ["#!/bin/sh", `dir='${dir}'`, 'printf "%s\\n" "$*" >> "$dir/calls"', ...failures, ...reads, '[ "$1" = "import" ] && cp "$3" "$dir/imported.json"', "exit 0"].join("\n");
    writeFileSync(path.join(dir, "pulumi"), `${script}\n`);
    chmodSync(path.join(dir, "pulumi"), 0o755);
    after(() => removeDir(dir));
    return {
        dir,
        calls: () => (existsSync(path.join(dir, "calls")) ? readFileSync(path.join(dir, "calls"), "utf8").trim().split("\n").map((line) => line.split(" ")) : []),
        imported: () => JSON.parse(readFileSync(path.join(dir, "imported.json"), "utf8")),
    };
}

/** The environment with the fake first on PATH. */
export function onPath(pulumi: FakePulumi, env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
    return { ...env, PATH: `${pulumi.dir}${path.delimiter}${process.env.PATH ?? ""}` };
}
