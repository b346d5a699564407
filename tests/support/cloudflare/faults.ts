/**
 * Faults on demand, for one operation (by operationId) or all: how the
 * stand-in misbehaves so that the tools' error paths can be tested.
 */

export type Fault =
    /** 429 with `Retry-After` (seconds). */
    | { kind: "rate-limit"; retryAfterSeconds: number }
    /** A 5xx with Cloudflare's failure envelope. */
    | { kind: "server-error"; status: number }
    /** The token refused: 401 (invalid) or 403 (lacks a permission). */
    | { kind: "refuse"; status: 401 | 403 }
    /** Answer normally, this much later. */
    | { kind: "delay"; ms: number }
    /** Do what was asked at once, and send the answer this much later (or never, if the client goes first): a write that landed while its caller died. */
    | { kind: "answer-late"; ms: number }
    /** Destroy the socket without answering. */
    | { kind: "drop" }
    /** Send the status and headers, then never the body. */
    | { kind: "stall-body" }
    /** Accept the request and never answer. */
    | { kind: "hang" };

export interface FaultRule {
    fault: Fault;
    /** The operationId it applies to; every operation when absent. */
    operationId?: string;
    /** How many requests it spoils before it is spent; every request when absent. */
    times?: number;
}

export class Faults {
    private readonly rules: Array<FaultRule & { left: number }> = [];

    inject(rule: FaultRule): void {
        this.rules.push({ ...rule, left: rule.times ?? Number.POSITIVE_INFINITY });
    }

    clear(): void {
        this.rules.length = 0;
    }

    /** The fault for this request, if any rule still applies; it counts against that rule. */
    take(operationId: string): Fault | undefined {
        const rule = this.rules.find((r) => r.left > 0 && (r.operationId === undefined || r.operationId === operationId));
        if (!rule) return undefined;
        rule.left -= 1;
        return rule.fault;
    }
}
