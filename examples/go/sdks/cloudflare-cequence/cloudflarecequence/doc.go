// Cequence Unified API Protection in line behind a Cloudflare failover load balancer, as a Pulumi program and reusable components.
package cloudflarecequence
