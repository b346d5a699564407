/**
 * A zone's URL normalization settings (GET /zones/{zone_id}/url_normalization),
 * which `status` and `preflight` read for a stack with `paths`. The OpenAPI
 * subset lacks this operation, so it is served outside the subset, and its
 * answer is checked against the small schema below instead.
 *
 * NOT FROM THE SUBSET: the schema is written here, and holds only what the
 * tools read. Its source is Cloudflare's API reference, "Get URL Normalization
 * settings" (https://developers.cloudflare.com/api/resources/url_normalization/methods/get/):
 * "Envelope<{ scope, type }>", `scope` "The scope of the URL normalization",
 * one of "incoming", "both", "none"; `type` "The type of URL normalization
 * performed by Cloudflare", one of "cloudflare", "rfc3986". The `cloudflare`
 * SDK 7.3.0 types it the same (`URLNormalizationGetResponse`,
 * resources/url-normalization/url-normalization.d.ts).
 */
import Ajv2019 from "ajv/dist/2019";
import { success, type Handler } from "./answers";

export const URL_NORMALIZATION_TEMPLATE = "/zones/{zone_id}/url_normalization";

/** The operation's ID in Cloudflare's full schema, for the request log and faults. */
export const URL_NORMALIZATION_GET = "url-normalization-get-url-normalization-settings";

const message = { type: "object", required: ["code", "message"], properties: { code: { type: "integer" }, message: { type: "string" } } };

/** The success answer: the common envelope around `{ scope, type }`, closed. */
const GET_ANSWER = {
    type: "object",
    required: ["success", "errors", "messages", "result"],
    additionalProperties: false,
    properties: {
        success: { const: true },
        errors: { type: "array", items: message },
        messages: { type: "array", items: message },
        result: {
            type: "object",
            required: ["scope", "type"],
            additionalProperties: false,
            properties: { scope: { enum: ["incoming", "both", "none"] }, type: { enum: ["cloudflare", "rfc3986"] } },
        },
    },
};

/** Validates a success answer of the GET. */
export const validateUrlNormalizationAnswer = new Ajv2019({ strict: false, allErrors: true }).compile(GET_ANSWER);

export const getUrlNormalization: Handler = (call) => {
    const { scope, type } = call.zone().urlNormalization;
    return success({ scope, type });
};
