import assert from "node:assert/strict";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, it } from "node:test";
import { budgetedFetch, retryAfterMs } from "../tools/live/cloudflareFetch";
import { RequestBudget } from "../tools/live/requestBudget";

let server: Server | undefined;

afterEach(async () => {
    server?.closeAllConnections();
    await new Promise((resolve) => server?.close(resolve) ?? resolve(undefined));
    server = undefined;
});

/** A server on 127.0.0.1 answering the n-th request (from 0) as `answer` says. */
async function serve(answer: (n: number, request: IncomingMessage, response: ServerResponse) => void): Promise<string> {
    let n = 0;
    server = createServer((request, response) => answer(n++, request, response));
    await new Promise<void>((resolve) => server!.listen(0, "127.0.0.1", resolve));
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
}

describe("the SDK's fetch: budget, retries and timeouts", () => {
    it("times out a body that stalls after the headers, on every attempt", async () => {
        const url = await serve((_n, _request, response) => {
            response.writeHead(200, { "content-type": "application/json" });
            response.write('{"result": [');
        });
        const budget = new RequestBudget(() => {});
        const fetchIt = budgetedFetch(budget, { timeoutMs: 50, retries: 1 });
        await assert.rejects(fetchIt(url), (error: Error) => error.name === "TimeoutError");
        assert.equal(budget.totals.requests, 2);
    });

    it("waits as a 429's Retry-After asks, says so, then succeeds", async () => {
        const url = await serve((n, _request, response) => {
            if (n === 0) response.writeHead(429, { "retry-after": "0.05" }).end("{}");
            else response.writeHead(200, { "content-type": "application/json" }).end('{"ok": true}');
        });
        const said: string[] = [];
        const budget = new RequestBudget((message) => said.push(message));
        const response = await budgetedFetch(budget, { timeoutMs: 1000, retries: 2 })(url);
        assert.equal(response.status, 200);
        assert.deepEqual(await response.json(), { ok: true });
        assert.deepEqual(said, ["rate-limited by Cloudflare; waiting 1 s as Retry-After asks"]);
        assert.equal(budget.totals.requests, 2);
    });

    it("hands the last answer to the SDK when the retries are spent, and does not retry a 400", async () => {
        const url = await serve((n, _request, response) => response.writeHead(n < 5 ? 503 : 400, { "retry-after": "0" }).end("{}"));
        const budget = new RequestBudget(() => {});
        assert.equal((await budgetedFetch(budget, { timeoutMs: 1000, retries: 2 })(url)).status, 503);
        assert.equal(budget.totals.requests, 3);
        // Two more 503s, then a 400, which ends the retries though three remain.
        const again = new RequestBudget(() => {});
        assert.equal((await budgetedFetch(again, { timeoutMs: 1000, retries: 5 })(url)).status, 400);
        assert.equal(again.totals.requests, 3);
    });

    it("stops at once when aborted, leaving no listener on the signal", async () => {
        const url = await serve(() => {});
        const controller = new AbortController();
        const budget = new RequestBudget(() => {});
        const pending = budgetedFetch(budget, { timeoutMs: 60_000, retries: 3 })(url, { signal: controller.signal });
        setImmediate(() => controller.abort());
        await assert.rejects(pending, (error: Error) => error.name === "AbortError");
        assert.equal(budget.totals.requests, 1);
    });

    it("reads Retry-After in seconds, as a date, or in milliseconds, capped at the window", () => {
        const now = Date.parse("2026-12-01T20:00:00Z");
        const at = (headers: Record<string, string>) => retryAfterMs(new Headers(headers), now, 300_000);
        assert.equal(at({ "retry-after": "12" }), 12_000);
        assert.equal(at({ "retry-after": "Tue, 01 Dec 2026 20:00:30 GMT" }), 30_000);
        assert.equal(at({ "retry-after-ms": "250" }), 250);
        assert.equal(at({ "retry-after": "86400" }), 300_000);
        assert.equal(at({}), undefined);
    });
});
