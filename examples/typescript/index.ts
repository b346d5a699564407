/**
 * Using the components from another stack: one API hostname put behind
 * Cequence, composed by hand. In your own project: `npm install
 * cloudflare-cequence` (or a git URL), then import as below.
 */
import * as pulumi from "@pulumi/pulumi";
import { AppOriginPool, CequencePool, CnameCutover, FailoverLoadBalancer } from "cloudflare-cequence";

const config = new pulumi.Config();
const accountId = config.require("accountId");
const zoneId = config.require("zoneId");
const hostname = "api.example.com";

const cequence = new CequencePool("api-cequence", {
    accountId,
    cequenceHostname: config.require("cequenceHostname"),
    publicHostname: hostname,
    poolName: "cequence_api_example_com",
    monitor: { path: "/cequence-health", interval: 15 },
});

const origin = new AppOriginPool("api-origin", {
    accountId,
    originHostname: "origin-api.example.com",
    publicHostname: hostname,
    poolName: "origin_api_example_com",
});

const loadBalancer = new FailoverLoadBalancer("api-failover", {
    zoneId,
    hostname: "origin-api-lb.example.com",
    cequencePoolId: cequence.poolId,
    originPoolId: origin.poolId,
    publicHostname: hostname,
});

new CnameCutover("api-cutover", { zoneId, hostname, target: loadBalancer.hostname });

export const cequenceHealth = cequence.healthApiUrl;
export const lbHostname = loadBalancer.hostname;
