/** The policy pack's entry point: constructing the pack serves it to the Pulumi engine. */
import { PolicyPack } from "@pulumi/policy";
import { policies } from "./policies";

new PolicyPack("cloudflare-cequence", {
    enforcementLevel: "mandatory",
    policies: [...policies],
});
