import * as cloudflare from "@pulumi/cloudflare";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { EDGE_AUTH_HEADER_DEFAULT } from "./defaults";
import { componentType } from "./naming";

/** The rule's default reference inside the zone's ruleset: how the component recognises its own rule. */
export const EDGE_AUTH_RULE_REF = "cloudflare_cequence_edge_auth";

/** The phase of the zone's request-header transform rules. */
const REQUEST_TRANSFORM_PHASE = "http_request_late_transform";

/** Letters and digits only, so any HTTP header can carry the value unquoted. */
const SECRET_LENGTH = 48;

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
     * characters). It is adopted, and every rule in it that this component did
     * not create is kept as it is.
     */
    existingRulesetId?: string;
    /**
     * The rule's `ref`, by which this component tells its rule from the
     * others in the zone's one ruleset. Stacks that share a zone need
     * different refs. Default `cloudflare_cequence_edge_auth`.
     */
    ruleRef?: string;
}

/**
 * A secret request header that Cloudflare adds to every request for the
 * stack's public hostnames, so Cequence and the origin can refuse traffic that
 * did not come through this zone (Cloudflare's IP ranges alone admit every
 * Cloudflare customer). Two secrets, a and b, allow rotation without downtime.
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
        const ownRule: cloudflare.types.input.RulesetRule = {
            ref: ruleRef,
            description: "cloudflare-cequence: edge authentication header for Cequence and the origin",
            expression: pulumi.output(args.publicHostnames).apply(hostExpression),
            action: "rewrite",
            actionParameters: { headers: { [headerName]: { operation: "set", value: this.activeSecret } } },
            enabled: true,
        };
        const adopted = args.existingRulesetId
            ? cloudflare.getRulesetOutput({ zoneId: args.zoneId, id: args.existingRulesetId }, { parent: this })
            : undefined;
        const ruleset = new cloudflare.Ruleset(
            `${name}-ruleset`,
            {
                zoneId: args.zoneId,
                kind: "zone",
                phase: REQUEST_TRANSFORM_PHASE,
                // `name` forces a replacement, which the engine refuses for an imported ruleset: keep what is there.
                name: adopted ? adopted.name : "default",
                description: adopted ? adopted.description : "Request header transform rules",
                rules: adopted
                    ? adopted.rules.apply((existing) => [...existing.filter((rule) => rule.ref !== ruleRef).map(keepRule), ownRule])
                    : [ownRule],
            },
            {
                parent: this,
                // Other teams' rules live in the same ruleset: destroying the stack must not remove them.
                retainOnDelete: true,
                import: args.existingRulesetId ? `zones/${args.zoneId}/${args.existingRulesetId}` : undefined,
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
 * Another team's request-header rule, carried over unchanged. Its header
 * values are often secrets of their own, so they stay secret in this stack.
 */
function keepRule(rule: cloudflare.types.output.GetRulesetRule): cloudflare.types.input.RulesetRule {
    return {
        ref: rule.ref || rule.id,
        description: rule.description,
        expression: rule.expression,
        action: rule.action,
        actionParameters: pulumi.secret({ headers: rule.actionParameters.headers }),
        enabled: rule.enabled,
    };
}
