/**
 * Verdicts for load balancers: {@link dev.failuredetector.netty.health.HealthView} (each peer's
 * health, routing weight, the mass-ejection guard) served by {@link
 * dev.failuredetector.netty.health.HealthServer} over HTTP and HAProxy's agent-check protocol.
 */
package dev.failuredetector.netty.health;
