/**
 * Zones, the token behind a request, and Cloudflare's IP ranges: what is
 * read, never written, through the API.
 */
import { createHash } from "node:crypto";
import { SAMPLE_CLOUDFLARE_IP_RANGES } from "../../../tools/plan/offlineCalls";
import { verifyUserToken } from "./accountAccess";
import { pageOf, success, type Call, type Handler } from "./answers";
import type { Zone, ZonePlan } from "./store";

// Cloudflare's answer for a zone ID that names nothing.
export const UNKNOWN_ZONE = { code: 7003, message: "Could not route to /zones/…, perhaps your object identifier is invalid?" };

/** Each plan's name, as the API's Zone object names it. */
const PLAN_NAMES: Record<ZonePlan, string> = { free: "Free Website", pro: "Pro Website", business: "Business Website", enterprise: "Enterprise Website" };

/** The Zone object's `plan` (https://developers.cloudflare.com/api/resources/zones/methods/get/), which the 2024 schema lacks. */
function planJson(plan: ZonePlan) {
    return {
        id: createHash("md5").update(plan).digest("hex"),
        name: PLAN_NAMES[plan],
        legacy_id: plan,
        is_subscribed: true,
        can_subscribe: false,
        externally_managed: false,
        legacy_discount: false,
        currency: "USD",
        frequency: plan === "free" ? "" : "monthly",
        price: 0,
    };
}

function zoneJson(call: Call, zone: Zone) {
    const account = call.state.account(zone.accountId);
    return {
        id: zone.id,
        name: zone.name,
        account: { id: zone.accountId, name: account?.name ?? "" },
        owner: { id: zone.accountId, name: account?.name ?? "", type: "organization" },
        created_on: zone.created_on,
        modified_on: zone.created_on,
        // Newer than the schema (its README): the API's Zone has them, as the `cloudflare` SDK's Zone type does.
        status: zone.status,
        paused: zone.paused,
        type: "full",
        plan: planJson(zone.plan),
        activated_on: zone.created_on,
        development_mode: 0,
        meta: { cdn_only: false, custom_certificate_quota: 1, dns_only: false, foundation_dns: false, page_rule_quota: 125, phishing_detected: false, step: 2 },
        name_servers: ["bob.ns.cloudflare.com", "lola.ns.cloudflare.com"],
        original_dnshost: null,
        original_name_servers: null,
        original_registrar: null,
        vanity_name_servers: [],
    };
}

const ZONE_ORDER: Record<string, (zone: Zone) => string> = { name: (z) => z.name, "account.id": (z) => z.accountId };

export const zoneHandlers: Record<string, Handler> = {
    "zones-get": (call) => {
        const { query } = call;
        const name = query.get("name");
        const accountId = query.get("account.id");
        const status = query.get("status");
        const zones = call.state.zones.filter(
            (z) => (name === null || z.name === name.toLowerCase()) && (accountId === null || z.accountId === accountId) && (status === null || status === z.status),
        );
        const order = ZONE_ORDER[query.get("order") ?? ""];
        if (order) zones.sort((a, b) => order(a).localeCompare(order(b)) * (query.get("direction") === "desc" ? -1 : 1));
        const page = pageOf(zones, query, { defaultPerPage: 20, maxPerPage: 50 });
        const body = page.body!;
        return { ...page, body: { ...body, result: (body.result as Zone[]).map((zone) => zoneJson(call, zone)) } };
    },
    "zones-0-get": (call) => success(zoneJson(call, call.zone())),
    "user-api-tokens-verify-token": verifyUserToken,
    "cloudflare-i-ps-cloudflare-ip-details": () =>
        success({
            ipv4_cidrs: SAMPLE_CLOUDFLARE_IP_RANGES.ipv4Cidrs,
            ipv6_cidrs: SAMPLE_CLOUDFLARE_IP_RANGES.ipv6Cidrs,
            etag: createHash("md5").update(JSON.stringify(SAMPLE_CLOUDFLARE_IP_RANGES)).digest("hex"),
        }),
};
