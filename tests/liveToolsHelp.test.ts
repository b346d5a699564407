/** `--help` and `-h` on the live tools: the usage on stdout, exit 0, and nothing read or sent. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { coverage } from "../tools/live/coverage";
import { preflight } from "../tools/live/preflight";
import { recover } from "../tools/live/recover";
import { status } from "../tools/live/status";
import { runInProcess } from "./support/liveFixture";

const COMMANDS = { status, preflight, recover, coverage };

describe("the live tools' --help", () => {
    for (const [name, command] of Object.entries(COMMANDS)) {
        for (const flag of ["--help", "-h"]) {
            it(`${name} ${flag} prints its usage and exits 0, with no token and no stack file`, async () => {
                const result = await runInProcess(command, [flag, "--stack", "no-such-stack"], {});
                assert.equal(result.code, 0, result.stderr);
                assert.match(result.stdout, new RegExp(`^usage: npm run ${name} -- `));
                assert.match(result.stdout, /-h, --help/);
                assert.equal(result.stderr, "");
            });
        }
    }
});
