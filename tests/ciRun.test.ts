/** .ci/run, the CI entry point: what it runs, read from the script itself. */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { describe, it } from "node:test";

const script = readFileSync(path.join(__dirname, "..", ".ci", "run"), "utf8");

describe(".ci/run", () => {
    it("runs npm ci && npm test in a clone with no ../shared beside it, and removes the clone", () => {
        assert.match(script, /standalone=\$\(mktemp -d\)/);
        assert.match(script, /\[ -e "\$standalone\/shared" \]/);
        assert.match(script, /git clone --quiet --no-local \. "\$standalone\/repo"/);
        assert.match(script, /\(cd "\$standalone\/repo" && npm ci --no-audit --no-fund && npm test\)/);
        assert.match(script, /trap '[^']*rm -rf "\$standalone"[^']*' EXIT/);
    });

    it("fails on the first failing command, the standalone run included", () => {
        assert.match(script, /^set -euo pipefail$/m);
        assert.ok(script.indexOf("npm test)") < script.indexOf("set +e"), "the standalone run is before the one part that runs with -e off");
    });
});
