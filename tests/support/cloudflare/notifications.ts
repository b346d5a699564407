/**
 * Notification policies (per account), and the catalogue of alert types.
 * Policies are identified by UUIDs; create and update answer only the ID.
 */
import { bodyObject, found, success, wholeList, type Call, type Handler } from "./answers";
import { fillDefaults } from "./schema";
import { newUuid, timestamp, type NotificationPolicy } from "./store";

const POLICY = "/accounts/{account_id}/alerting/v3/policies/{policy_id}";
const NOT_FOUND = { code: 17001, message: "Policy not found" };

/** The load-balancing part of Cloudflare's alert catalogue (the alert types this program can use). */
const ALERT_TYPES = {
    "Load Balancing": [
        {
            type: "load_balancing_health_alert",
            display_name: "Load Balancing Health Alert",
            description: "Alerts when the health of a load balancing pool or origin changes.",
            filter_options: [],
        },
        {
            type: "load_balancing_pool_enablement_alert",
            display_name: "Load Balancing Pool Enablement",
            description: "Alerts when a load balancing pool is enabled or disabled.",
            filter_options: [],
        },
    ],
};

function policyFrom(call: Call, previous: NotificationPolicy | undefined): NotificationPolicy {
    const now = timestamp();
    const policy = { ...bodyObject(call), id: previous?.id ?? newUuid(), created: previous?.created ?? now, modified: now } as NotificationPolicy;
    fillDefaults("get", POLICY, policy);
    return policy;
}

export const notificationHandlers: Record<string, Handler> = {
    "notification-alert-types-get-alert-types": () => success(ALERT_TYPES),
    "notification-policies-list-notification-policies": (call) => wholeList(call.account().policies),
    "notification-policies-create-a-notification-policy": (call) => {
        const policy = policyFrom(call, undefined);
        call.account().policies.push(policy);
        return success({ id: policy.id });
    },
    "notification-policies-get-a-notification-policy": (call) => success(found(call.account().policies, call.params.policy_id!, NOT_FOUND)),
    "notification-policies-update-a-notification-policy": (call) => {
        const policies = call.account().policies;
        const previous = found(policies, call.params.policy_id!, NOT_FOUND);
        const policy = policyFrom(call, previous);
        policies[policies.indexOf(previous)] = policy;
        return success({ id: policy.id });
    },
    "notification-policies-delete-a-notification-policy": (call) => {
        const policies = call.account().policies;
        policies.splice(policies.indexOf(found(policies, call.params.policy_id!, NOT_FOUND)), 1);
        // The schema's answer is the bare envelope: no `result`.
        return { status: 200, body: { success: true, errors: [], messages: [] } };
    },
};
