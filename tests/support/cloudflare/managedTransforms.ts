/**
 * Managed transforms of a zone: a fixed catalogue, each on or off. PATCH
 * changes only the transforms it names; the rest stay as they were. That is
 * why terraform-provider-cloudflare v5 refuses to create its resource while
 * any transform is on, and on update sends `enabled: false` for each
 * transform on that its plan no longer lists.
 */
import { ApiError, bodyObject, success, type Call, type Handler } from "./answers";
import { MANAGED_TRANSFORMS, type ManagedTransform, type Zone } from "./store";

const LISTS = { managed_request_headers: "request", managed_response_headers: "response" } as const;

function listing(zone: Zone, withAvailability: boolean) {
    const view = (transforms: ManagedTransform[]) =>
        transforms.map((t) => (withAvailability ? { id: t.id, enabled: t.enabled, available: true } : { id: t.id, enabled: t.enabled }));
    return { managed_request_headers: view(zone.managedTransforms.request), managed_response_headers: view(zone.managedTransforms.response) };
}

function patch(call: Call) {
    const zone = call.zone();
    const sent = bodyObject(call);
    for (const [key, side] of Object.entries(LISTS)) {
        for (const change of (sent[key] as Array<{ id: string; enabled: boolean }> | undefined) ?? []) {
            const transform = zone.managedTransforms[side].find((t) => t.id === change.id);
            if (!transform) throw new ApiError(400, 20016, `unknown managed transform ${change.id}; known: ${MANAGED_TRANSFORMS[side].join(", ")}`);
            transform.enabled = change.enabled;
        }
    }
    return success(listing(zone, true));
}

export const managedTransformHandlers: Record<string, Handler> = {
    "managed-transforms-list-managed-transforms": (call) => success(listing(call.zone(), false)),
    "managed-transforms-update-status-of-managed-transforms": patch,
};

/**
 * DELETE …/managed_headers turns every transform off. The provider's delete
 * sends it, but the schema subset lacks it, so the stand-in serves it
 * outside the schema (answering 204, as Cloudflare does).
 */
export function disableAllManagedTransforms(zone: Zone): void {
    for (const transform of [...zone.managedTransforms.request, ...zone.managedTransforms.response]) transform.enabled = false;
}
