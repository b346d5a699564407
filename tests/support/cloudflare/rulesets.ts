/**
 * Zone rulesets and phase entrypoints. Where users get bitten:
 * - a zone has ONE entrypoint ruleset (kind "zone") per phase: creating a
 *   second one is refused, so another team's rules in the same phase
 *   (http_request_late_transform) live in the same ruleset;
 * - PUT replaces the whole rule list, so rules a writer did not send are gone;
 * - rules keep their ID when sent with it or with the same `ref`.
 */
import { ApiError, bodyObject, found, success, type Call, type Handler } from "./answers";
import { newId, timestamp, type Json, type Rule, type Ruleset, type Zone } from "./store";

// As the rulesets API words them (its codes are not in the schema; these are as observed).
const NOT_FOUND = { code: 10003, message: "could not find ruleset" };
const ENTRYPOINT_EXISTS = {
    code: 20217,
    message: "A similar configuration with rules already exists and overwriting will have unintended consequences. If you are trying to update an existing configuration, use the PUT method.",
};
const ZONE_KINDS = new Set(["zone", "custom"]);

function entrypoint(zone: Zone, phase: string): Ruleset | undefined {
    return zone.rulesets.find((ruleset) => ruleset.kind === "zone" && ruleset.phase === phase);
}

const SERVER_SET = new Set(["id", "version", "last_updated"]);

/** A rule's content, to tell whether an update changed it. */
function contentOf(rule: Json): string {
    return JSON.stringify(Object.entries(rule).filter(([key]) => !SERVER_SET.has(key)).sort(([a], [b]) => (a < b ? -1 : 1)));
}

/** The rules as stored: IDs kept by `id` or `ref`, new ones minted, changed ones versioned. */
function rulesFrom(sent: unknown, previous: readonly Rule[]): Rule[] {
    if (!Array.isArray(sent)) return [];
    const now = timestamp();
    return (sent as Json[]).map((raw) => {
        const fields = Object.fromEntries(Object.entries(raw).filter(([key]) => !SERVER_SET.has(key)));
        const before = previous.find((rule) => (raw.id !== undefined ? rule.id === raw.id : rule.ref === fields.ref));
        if (raw.id !== undefined && !before) throw new ApiError(400, 20008, `rule ${String(raw.id)} does not exist in this ruleset`);
        const id = before?.id ?? newId();
        const rule = { description: "", enabled: true, ...fields, id, ref: (fields.ref as string | undefined) ?? before?.ref ?? id } as unknown as Rule;
        const unchanged = before !== undefined && contentOf(before) === contentOf(rule);
        rule.version = before ? (unchanged ? before.version : String(Number(before.version) + 1)) : "1";
        rule.last_updated = before && unchanged ? before.last_updated : now;
        return rule;
    });
}

function save(zone: Zone, sent: Json, previous: Ruleset | undefined, defaults: { kind: string; phase: string }): Ruleset {
    const ruleset: Ruleset = {
        name: (sent.name as string | undefined) ?? previous?.name ?? "default",
        description: (sent.description as string | undefined) ?? (previous?.description as string | undefined) ?? "",
        kind: previous?.kind ?? defaults.kind,
        phase: previous?.phase ?? defaults.phase,
        id: previous?.id ?? newId(),
        rules: rulesFrom(sent.rules, previous?.rules ?? []),
        version: String(previous ? Number(previous.version) + 1 : 1),
        last_updated: timestamp(),
    };
    if (previous) zone.rulesets[zone.rulesets.indexOf(previous)] = ruleset;
    else zone.rulesets.push(ruleset);
    return ruleset;
}

function summary(ruleset: Ruleset): Json {
    const { rules: _rules, ...rest } = ruleset;
    return rest;
}

function byId(call: Call): Ruleset {
    return found(call.zone().rulesets, call.params.ruleset_id!, NOT_FOUND);
}

export const rulesetHandlers: Record<string, Handler> = {
    listZoneRulesets: (call) => success(call.zone().rulesets.map(summary)),
    createZoneRuleset: (call) => {
        const zone = call.zone();
        const sent = bodyObject(call);
        const kind = String(sent.kind);
        const phase = String(sent.phase);
        if (!ZONE_KINDS.has(kind)) throw new ApiError(400, 20001, `a zone cannot hold a ruleset of kind ${kind}`);
        if (kind === "zone" && entrypoint(zone, phase)) throw new ApiError(400, ENTRYPOINT_EXISTS.code, ENTRYPOINT_EXISTS.message);
        return success(save(zone, sent, undefined, { kind, phase }));
    },
    getZoneEntrypointRuleset: (call) => {
        const ruleset = entrypoint(call.zone(), call.params.ruleset_phase!);
        if (!ruleset) throw new ApiError(404, NOT_FOUND.code, `could not find entrypoint ruleset in the '${call.params.ruleset_phase!}' phase`);
        return success(ruleset);
    },
    updateZoneEntrypointRuleset: (call) => {
        const zone = call.zone();
        const phase = call.params.ruleset_phase!;
        return success(save(zone, bodyObject(call), entrypoint(zone, phase), { kind: "zone", phase }));
    },
    getZoneRuleset: (call) => success(byId(call)),
    updateZoneRuleset: (call) => success(save(call.zone(), bodyObject(call), byId(call), { kind: "zone", phase: "" })),
    deleteZoneRuleset: (call) => {
        const zone = call.zone();
        const ruleset = byId(call);
        zone.rulesets.splice(zone.rulesets.indexOf(ruleset), 1);
        return { status: 204 };
    },
};
