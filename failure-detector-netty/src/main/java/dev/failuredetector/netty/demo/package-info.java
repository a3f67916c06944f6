/**
 * Runnable tools: {@link dev.failuredetector.netty.demo.NodeMain} (one node as a process) and
 * {@link dev.failuredetector.netty.demo.ClusterDemo} (five nodes on loopback, one killed and
 * restarted).
 */
package dev.failuredetector.netty.demo;
