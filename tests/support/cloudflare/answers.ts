/**
 * Cloudflare's answer envelope, and what an operation's handler gets: the
 * request, resolved to its account and zone, and the state.
 */
import type { Account, CloudflareState, Json, Zone } from "./store";

export interface Answer {
    status: number;
    /** Absent for a body-less answer (204). */
    body?: Json;
    headers?: Record<string, string>;
}

/** A refusal as Cloudflare words it; thrown by handlers, answered as the failure envelope. */
export class ApiError extends Error {
    constructor(
        readonly status: number,
        readonly code: number,
        message: string,
    ) {
        super(message);
    }
}

export function failure(status: number, code: number, message: string): Answer {
    return { status, body: { success: false, errors: [{ code, message }], messages: [], result: null } };
}

export function success(result: unknown, extra: Json = {}): Answer {
    return { status: 200, body: { success: true, errors: [], messages: [], result, ...extra } };
}

export interface Call {
    params: Record<string, string>;
    query: URLSearchParams;
    /** The parsed JSON body; undefined when there is none. */
    body: unknown;
    state: CloudflareState;
    /** The account in the path, or the zone's account. */
    account: () => Account;
    /** The zone in the path. */
    zone: () => Zone;
    /** The API token the request carried, if it carried one. */
    bearerToken: () => string | undefined;
}

export type Handler = (call: Call) => Answer;

/** A list that Cloudflare answers in one page (pools, monitors, load balancers, policies). */
export function wholeList(items: readonly unknown[]): Answer {
    return success(items, { result_info: { page: 1, per_page: items.length, count: items.length, total_count: items.length, total_pages: 1 } });
}

/**
 * One page of a paginated list. Past the last page the result is empty,
 * which is how the SDK's page iterators know to stop.
 */
export function pageOf(items: readonly unknown[], query: URLSearchParams, limits: { defaultPerPage: number; maxPerPage: number }): Answer {
    const page = positiveInteger(query.get("page"), "page") ?? 1;
    const perPage = Math.min(positiveInteger(query.get("per_page"), "per_page") ?? limits.defaultPerPage, limits.maxPerPage);
    const slice = items.slice((page - 1) * perPage, page * perPage);
    return success(slice, {
        result_info: { page, per_page: perPage, count: slice.length, total_count: items.length, total_pages: Math.max(1, Math.ceil(items.length / perPage)) },
    });
}

function positiveInteger(text: string | null, name: string): number | undefined {
    if (text === null) return undefined;
    const value = Number(text);
    if (!Number.isInteger(value) || value < 1) throw new ApiError(400, 1004, `${name} must be a positive integer`);
    return value;
}

/** The body as an object; anything else is Cloudflare's malformed-body refusal. */
export function bodyObject(call: Call): Json {
    const { body } = call;
    if (body === null || typeof body !== "object" || Array.isArray(body)) throw new ApiError(400, 9207, "Request body is invalid.");
    return body as Json;
}

/** The object of that ID in the list, or Cloudflare's 404 with the kind's own code. */
export function found<T extends { id: string }>(items: readonly T[], id: string, notFound: { code: number; message: string }): T {
    const item = items.find((i) => i.id === id);
    if (!item) throw new ApiError(404, notFound.code, notFound.message);
    return item;
}

/** Removes the object of that ID from the list, in place. */
export function remove<T extends { id: string }>(items: T[], id: string): void {
    const index = items.findIndex((i) => i.id === id);
    if (index !== -1) items.splice(index, 1);
}
