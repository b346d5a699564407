export { AppOriginPool, type AppOriginPoolArgs } from "./appOriginPool";
export { CequencePool, type CequencePoolArgs } from "./cequencePool";
export { CnameCutover, type CnameCutoverArgs } from "./cnameCutover";
export { FailoverLoadBalancer, type FailoverLoadBalancerArgs } from "./failoverLoadBalancer";
export { MONITOR_DEFAULTS, type MonitorSettings } from "./defaults";
export type { MonitorArgs } from "./monitoredPool";
export { FailOpenAlerts, type FailOpenAlertsArgs } from "./failOpenAlerts";
export { TrueClientIp, type TrueClientIpArgs } from "./trueClientIp";
export { worstCaseFailOpenSeconds } from "./failOpen";
