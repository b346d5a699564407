import * as cloudflare from "@pulumi/cloudflare";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { EDGE_AUTH_HEADER_DEFAULT } from "./defaults";
import { allDependencies, type DependsOn } from "./dependencies";
import { componentType } from "./naming";

/** The rule's default reference inside the zone's ruleset: how the component recognises its own rule. */
export const EDGE_AUTH_RULE_REF = "cloudflare_cequence_edge_auth";

/** The phase of the zone's request-header transform rules. */
const REQUEST_TRANSFORM_PHASE = "http_request_late_transform";

/** The ruleset the component creates, when the zone has none yet. */
const NEW_RULESET = Object.freeze({ name: "default", description: "Request header transform rules" });

/** Letters and digits only, so any HTTP header can carry the value unquoted. */
const SECRET_LENGTH = 48;

/**
 * The zone's request-header transform ruleset as it is now: the zone's entrypoint
 * of that phase, which every stack and team of the zone shares.
 */
export interface LiveRequestTransforms {
    /** The ruleset's ID; empty when the zone has none yet, and this stack will create it. */
    id: string;
    /** The ruleset's name. */
    name: string;
    /** The ruleset's description. */
    description: string;
    /** Every rule in it, in order, as the provider reads them. */
    rules: cloudflare.types.output.GetRulesetRule[];
}

/** Which ruleset to read, and how to know this stack's rule in it. */
export interface RequestTransformsQuery {
    /** Cloudflare zone ID. */
    zoneId: string;
    /** The ruleset to adopt, as `EdgeAuthArgs.existingRulesetId`. */
    existingRulesetId?: string;
    /** This stack's rule's ref, as `EdgeAuthArgs.ruleRef`. */
    ruleRef?: string;
    /** The ref this stack's rule had before, as `EdgeAuthArgs.formerRuleRef`. */
    formerRuleRef?: string;
}

export interface EdgeAuthArgs {
    /**
     * Cloudflare zone ID (32 hex characters). A plain string: with
     * `existingRulesetId` it forms the import ID.
     */
    zoneId: string;
    /** Every public hostname of the stack; only requests for these get the header. */
    publicHostnames: pulumi.Input<pulumi.Input<string>[]>;
    /** Name of the secret header. Default `X-Edge-Auth`. A plain string: it is a key in the rule's header map. */
    headerName?: string;
    /** Which secret Cloudflare sends now: `"a"` or `"b"`. Default `"a"`. */
    activeSlot?: pulumi.Input<string>;
    /** Bump to generate a new secret for slot a. Default 0. */
    rotationA?: pulumi.Input<number>;
    /** Bump to generate a new secret for slot b. Default 0. */
    rotationB?: pulumi.Input<number>;
    /**
     * ID of the zone's existing request-header transform ruleset (32 hex
     * characters), made by another stack or team. It is adopted. Without it,
     * the component creates the zone's ruleset when there is none, and refuses
     * (before anything is created) when there is one it has no rule in.
     */
    existingRulesetId?: string;
    /**
     * The rule's `ref`, by which this component tells its rule from the
     * others in the zone's one ruleset. Stacks that share a zone need
     * different refs. Default `cloudflare_cequence_edge_auth`.
     */
    ruleRef?: string;
    /**
     * The ref this component's rule had before (an earlier `ruleRef`). A rule
     * with it is taken as this component's, and replaced, only when it covers
     * exactly `publicHostnames`: another stack may have the same former ref.
     */
    formerRuleRef?: string;
}

/**
 * A secret request header that Cloudflare adds to every request for the
 * stack's public hostnames, so Cequence and the origin can refuse traffic that
 * did not come through this zone (Cloudflare's IP ranges alone admit every
 * Cloudflare customer). Two secrets, a and b, allow rotation without downtime.
 *
 * The zone has one request-header transform ruleset, shared with other stacks
 * and teams, and an update replaces its whole rule list ("include in the request
 * all rules you want to keep in the ruleset, or else they will be removed":
 * https://developers.cloudflare.com/ruleset-engine/basic-operations/add-rule-phase-rulesets/).
 * So every run reads the
 * ruleset as it is now and writes back every rule this component did not
 * write, unchanged and in its place, with its own rule in its place or last.
 */
export class EdgeAuth extends pulumi.ComponentResource {
    /** The header's name. */
    public readonly headerName: pulumi.Output<string>;
    /** The slot Cloudflare sends now, `a` or `b`. */
    public readonly activeSlot: pulumi.Output<string>;
    /** The value Cloudflare sends now (a secret), for the monitors. */
    public readonly activeSecret: pulumi.Output<string>;
    /** Slot a's secret. */
    public readonly secretA: pulumi.Output<string>;
    /** Slot b's secret. */
    public readonly secretB: pulumi.Output<string>;
    /** The ruleset's ID. */
    public readonly rulesetId: pulumi.Output<string>;

    constructor(name: string, args: EdgeAuthArgs, opts?: pulumi.ComponentResourceOptions) {
        super(componentType("EdgeAuth"), name, {}, opts);
        const slotSecret = (slot: string, rotation: pulumi.Input<number> | undefined) =>
            new random.RandomPassword(
                `${name}-secret-${slot}`,
                { length: SECRET_LENGTH, special: false, keepers: { rotation: pulumi.output(rotation ?? 0).apply(String) } },
                { parent: this },
            ).result;
        this.secretA = pulumi.secret(slotSecret("a", args.rotationA));
        this.secretB = pulumi.secret(slotSecret("b", args.rotationB));
        const headerName = args.headerName ?? EDGE_AUTH_HEADER_DEFAULT;
        this.headerName = pulumi.output(headerName);
        this.activeSlot = pulumi.output(args.activeSlot ?? "a");
        this.activeSecret = pulumi.secret(
            pulumi.all([this.activeSlot, this.secretA, this.secretB]).apply(([slot, a, b]) => (slot === "b" ? b : a)),
        );

        const ruleRef = args.ruleRef ?? EDGE_AUTH_RULE_REF;
        const expression = pulumi.output(args.publicHostnames).apply(hostExpression);
        const ownRule: cloudflare.types.input.RulesetRule = {
            ref: ruleRef,
            description: "cloudflare-cequence: edge authentication header for Cequence and the origin",
            expression,
            action: "rewrite",
            actionParameters: { headers: { [headerName]: { operation: "set", value: this.activeSecret } } },
            enabled: true,
        };
        // Read after whatever this component waits for (the stack's own check of the zone, which read it first).
        const live = readRequestTransforms(
            { zoneId: args.zoneId, existingRulesetId: args.existingRulesetId, ruleRef, formerRuleRef: args.formerRuleRef },
            { parent: this },
            opts?.dependsOn,
        );
        const isOwn = (rule: cloudflare.types.output.GetRulesetRule, ownExpression: string) =>
            rule.ref === ruleRef || (args.formerRuleRef !== undefined && rule.ref === args.formerRuleRef && rule.expression === ownExpression);
        const adopting = args.existingRulesetId !== undefined;
        const ruleset = new cloudflare.Ruleset(
            `${name}-ruleset`,
            {
                zoneId: args.zoneId,
                kind: "zone",
                phase: REQUEST_TRANSFORM_PHASE,
                // `name` forces a replacement, which the engine refuses for an imported ruleset: keep what is there.
                name: adopting ? live.name : NEW_RULESET.name,
                description: adopting ? live.description : NEW_RULESET.description,
                rules: pulumi.all([live.rules, expression]).apply(([current, ownExpression]) =>
                    withOwnRule(current, (rule) => isOwn(rule, ownExpression), ownRule),
                ),
            },
            {
                parent: this,
                // Other teams' rules live in the same ruleset: destroying the stack must not remove them.
                retainOnDelete: true,
                import: adopting ? `zones/${args.zoneId}/${args.existingRulesetId}` : undefined,
            },
        );
        this.rulesetId = ruleset.id;
        this.registerOutputs({
            headerName: this.headerName,
            activeSlot: this.activeSlot,
            rulesetId: this.rulesetId,
            secretA: this.secretA,
            secretB: this.secretB,
        });
    }
}

/** `http.host in {"a" "b"}`: exactly the public hostnames, never an origin or LB hostname. */
function hostExpression(hostnames: string[]): string {
    return `(http.host in {${[...hostnames].sort().map((h) => JSON.stringify(h)).join(" ")}})`;
}

/**
 * The rules to write: every rule of the live ruleset that is not this
 * component's, unchanged and in its place; this component's rule where its
 * first one was (so two stacks writing in turn never reorder each other), or
 * last when it has none yet.
 */
function withOwnRule(
    live: cloudflare.types.output.GetRulesetRule[],
    isOwn: (rule: cloudflare.types.output.GetRulesetRule) => boolean,
    ownRule: cloudflare.types.input.RulesetRule,
): cloudflare.types.input.RulesetRule[] {
    const at = live.findIndex(isOwn);
    const kept = live.flatMap((rule, index) => (index === at ? [ownRule] : isOwn(rule) ? [] : [keepRule(rule)]));
    return at === -1 ? [...kept, ownRule] : kept;
}

/**
 * Another stack's or team's rule, carried over with every field the ruleset
 * takes (the read-only `categories` and the rule's `id` aside; the ref keeps
 * the rule's ID). Fields the provider reads as null are left out. Its action
 * parameters often hold secrets of their own, so they stay secret here.
 */
function keepRule(rule: cloudflare.types.output.GetRulesetRule): cloudflare.types.input.RulesetRule {
    const { action, description, enabled, exposedCredentialCheck, expression, logging, ratelimit, actionParameters } = rule;
    const kept = withoutNulls({ ref: rule.ref || rule.id, description, expression, action, enabled, exposedCredentialCheck, logging, ratelimit }) as Record<string, unknown>;
    const parameters = withoutNulls(actionParameters) as cloudflare.types.input.RulesetRuleActionParameters | undefined;
    return { ...(kept as { action: string; expression: string }), ...(parameters === undefined ? {} : { actionParameters: pulumi.secret(parameters) }) };
}

/** `value` without the fields (at any depth) that are null or undefined, and without objects left empty; undefined if nothing is left. */
function withoutNulls(value: unknown): unknown {
    if (value === null || value === undefined) return undefined;
    if (Array.isArray(value)) return value.map(withoutNulls).filter((item) => item !== undefined);
    if (typeof value !== "object") return value;
    const entries = Object.entries(value).flatMap(([key, field]) => {
        const kept = withoutNulls(field);
        return kept === undefined ? [] : [[key, kept] as const];
    });
    return entries.length === 0 ? undefined : Object.fromEntries(entries);
}

/**
 * Reads the zone's request-header transform ruleset as it is now (once
 * `after` exists), and
 * refuses, naming the key and the fix, what would make the update fail
 * halfway: a ruleset that cannot be read (the stack never writes it unread,
 * or other stacks' rules would go), an `existingRulesetId` that is not the
 * zone's request-header transform ruleset, or, without one, a ruleset that
 * someone else made (Cloudflare refuses a second one).
 */
export function readRequestTransforms(query: RequestTransformsQuery, opts: pulumi.InvokeOptions = {}, after?: DependsOn): pulumi.Output<LiveRequestTransforms> {
    // Not before `after`: when that fails, this fails with its error, and reads nothing.
    return allDependencies(after).apply(() => liveRequestTransforms(query, opts));
}

async function liveRequestTransforms(query: RequestTransformsQuery, opts: pulumi.InvokeOptions): Promise<LiveRequestTransforms> {
    const refuse = (key: string, message: string) => new pulumi.ResourceError(`${key}: ${message}`, opts.parent, true);
    const read = <T>(key: string, what: string, call: () => Promise<T>) =>
        call().catch((error: unknown) => {
            throw refuse(
                key,
                `cannot read ${what} (${error instanceof Error ? error.message : String(error)}). The stack writes the zone's request-header ` +
                    "transform ruleset whole, so it keeps the rules of other stacks and teams only by reading it first, and never writes it unread. " +
                    "Give the API token Zone → Transform Rules → Read (and Edit), or check the ID; nothing was changed.",
            );
        });
    const adopting = query.existingRulesetId !== undefined;
    let id = query.existingRulesetId;
    if (id === undefined) {
        const listed = await read("edgeAuth", `the rulesets of zone ${query.zoneId}`, () => cloudflare.getRulesets({ zoneId: query.zoneId }, opts));
        id = listed.rulesets.find((ruleset) => ruleset.kind === "zone" && ruleset.phase === REQUEST_TRANSFORM_PHASE)?.id;
        if (id === undefined) return { id: "", ...NEW_RULESET, rules: [] };
    }
    const rulesetId = id;
    const key = adopting ? "edgeAuth.existingRulesetId" : "edgeAuth";
    const ruleset = await read(key, `ruleset ${rulesetId} of zone ${query.zoneId}`, () => cloudflare.getRuleset({ zoneId: query.zoneId, id: rulesetId }, opts));
    if (adopting && (ruleset.kind !== "zone" || ruleset.phase !== REQUEST_TRANSFORM_PHASE)) {
        throw refuse(
            "edgeAuth.existingRulesetId",
            `ruleset ${rulesetId} is a ${ruleset.kind} ruleset of phase ${ruleset.phase}, not the zone's request-header transform ruleset ` +
                `(kind zone, phase ${REQUEST_TRANSFORM_PHASE}); set the ID of that one, or remove the key if the zone has none; nothing was changed.`,
        );
    }
    const ownRefs = [query.ruleRef ?? EDGE_AUTH_RULE_REF, query.formerRuleRef];
    if (!adopting && !ruleset.rules.some((rule) => ownRefs.includes(rule.ref))) {
        throw refuse(
            "edgeAuth.existingRulesetId",
            `zone ${query.zoneId} already has its request-header transform ruleset (${rulesetId}, "${ruleset.name}"), made by another stack ` +
                `or team, and Cloudflare allows one. Set edgeAuth.existingRulesetId: ${rulesetId} to adopt it (its rules are kept as they are); nothing was changed.`,
        );
    }
    return { id: rulesetId, name: ruleset.name, description: ruleset.description, rules: ruleset.rules };
}
