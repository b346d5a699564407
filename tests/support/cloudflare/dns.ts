/**
 * DNS records of a zone. Where users get bitten:
 * - names are stored lower-cased and fully qualified (`@` is the apex, a
 *   relative name gets the zone appended), with no trailing dot; so is a
 *   CNAME's target;
 * - a name holding a CNAME holds no A or AAAA, and a second CNAME is refused
 *   too: 81053;
 * - a proxied record's TTL is 1 ("automatic"), whatever was sent.
 */
import { ApiError, bodyObject, found, pageOf, remove, success, type Call, type Handler } from "./answers";
import { newId, storedHostname, timestamp, type DnsRecord, type Json, type Zone } from "./store";

const NOT_FOUND = { code: 81044, message: "Record does not exist." };
const ADDRESS_TYPES = new Set(["A", "AAAA", "CNAME"]);
/** Types Cloudflare can proxy; only they carry `proxied`. */
const PROXIABLE = new Set(["A", "AAAA", "CNAME"]);
const AUTOMATIC_TTL = 1;
/** Cloudflare's largest page of DNS records. */
const DNS_MAX_PER_PAGE = 5000;

function fullName(zone: Zone, name: string): string {
    const lower = storedHostname(name);
    if (lower === "@" || lower === "") return zone.name;
    return lower === zone.name || lower.endsWith(`.${zone.name}`) ? lower : `${lower}.${zone.name}`;
}

function recordFrom(call: Call, previous: DnsRecord | undefined, merge: boolean): DnsRecord {
    const zone = call.zone();
    const sent = bodyObject(call);
    const now = timestamp();
    const record = {
        ...(merge && previous ? previous : {}),
        ...sent,
        id: previous?.id ?? newId(),
        created_on: previous?.created_on ?? now,
        modified_on: now,
    } as DnsRecord;
    record.name = fullName(zone, String(record.name ?? ""));
    if (record.type === "CNAME" && typeof record.content === "string") record.content = storedHostname(record.content);
    const proxiable = PROXIABLE.has(record.type);
    record.proxiable = proxiable;
    if (proxiable) record.proxied ??= false;
    record.ttl = proxiable && record.proxied ? AUTOMATIC_TTL : ((record.ttl as number | undefined) ?? AUTOMATIC_TTL);
    record.tags ??= [];
    refuseConflicts(zone, record);
    return record;
}

function refuseConflicts(zone: Zone, record: DnsRecord): void {
    const others = zone.records.filter((other) => other.id !== record.id && other.name === record.name);
    const clash = others.some((other) => ADDRESS_TYPES.has(record.type) && ADDRESS_TYPES.has(other.type) && (record.type === "CNAME" || other.type === "CNAME"));
    if (clash) throw new ApiError(400, 81053, "An A, AAAA, or CNAME record with that host already exists.");
    if (others.some((other) => other.type === record.type && other.content === record.content)) {
        throw new ApiError(400, 81058, "An identical record already exists.");
    }
}

type Matcher = (value: string) => boolean;

/** `field`, `field.exact`, `.contains`, `.startswith`, `.endswith`, each compared as `normalise` leaves both sides. */
function textFilters(query: URLSearchParams, field: string, normalise: (text: string) => string): Matcher[] {
    const tests: Record<string, (value: string, wanted: string) => boolean> = {
        "": (v, w) => v === w,
        ".exact": (v, w) => v === w,
        ".contains": (v, w) => v.includes(w),
        ".startswith": (v, w) => v.startsWith(w),
        ".endswith": (v, w) => v.endsWith(w),
    };
    return Object.entries(tests).flatMap(([suffix, test]) => {
        const wanted = query.get(`${field}${suffix}`);
        return wanted === null ? [] : [(value: string) => test(normalise(value), normalise(wanted))];
    });
}

function listed(call: Call): DnsRecord[] {
    const { query } = call;
    const filters: Array<(record: DnsRecord) => boolean> = [
        ...textFilters(query, "name", storedHostname).map((test) => (r: DnsRecord) => test(r.name)),
        // Content is matched case-insensitively, as the dashboard's search does.
        ...textFilters(query, "content", (text) => text.toLowerCase()).map((test) => (r: DnsRecord) => test(String(r.content ?? ""))),
    ];
    const type = query.get("type");
    if (type !== null) filters.push((r) => r.type === type);
    const proxied = query.get("proxied");
    if (proxied !== null) filters.push((r) => String(r.proxied ?? false) === proxied);
    const any = query.get("match") === "any";
    const records = call.zone().records.filter((r) => filters.length === 0 || (any ? filters.some((f) => f(r)) : filters.every((f) => f(r))));
    const order = query.get("order");
    if (order !== null) {
        const direction = query.get("direction") === "desc" ? -1 : 1;
        const key = (r: DnsRecord) => r[order] as string | number | boolean | undefined;
        records.sort((a, b) => {
            const [x, y] = [key(a), key(b)];
            return x === y ? 0 : (x ?? "") < (y ?? "") ? -direction : direction;
        });
    }
    return records;
}

function update(call: Call, merge: boolean) {
    const records = call.zone().records;
    const previous = found(records, call.params.dns_record_id!, NOT_FOUND);
    const next = recordFrom(call, previous, merge);
    records[records.indexOf(previous)] = next;
    return success(next);
}

export const dnsHandlers: Record<string, Handler> = {
    "dns-records-for-a-zone-list-dns-records": (call) => pageOf(listed(call), call.query, { defaultPerPage: 100, maxPerPage: DNS_MAX_PER_PAGE }),
    "dns-records-for-a-zone-create-dns-record": (call) => {
        const record = recordFrom(call, undefined, false);
        call.zone().records.push(record);
        return success(record);
    },
    "dns-records-for-a-zone-dns-record-details": (call) => success(found(call.zone().records, call.params.dns_record_id!, NOT_FOUND)),
    "dns-records-for-a-zone-update-dns-record": (call) => update(call, false),
    "dns-records-for-a-zone-patch-dns-record": (call) => update(call, true),
    "dns-records-for-a-zone-delete-dns-record": (call) => {
        const zone = call.zone();
        const record = found(zone.records, call.params.dns_record_id!, NOT_FOUND);
        remove(zone.records, record.id);
        return success({ id: record.id } satisfies Json);
    },
};
