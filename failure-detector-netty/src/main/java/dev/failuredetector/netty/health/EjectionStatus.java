package dev.failuredetector.netty.health;

/**
 * How many peers are suspected at one moment, and whether that is a panic for the {@link
 * MassEjectionGuard}.
 *
 * @param suspected peers suspected from silence ({@code SUSPECTED}, or {@code FAILED} by {@code
 *     TIMEOUT})
 * @param peers registered peers
 * @param panic whether the guard's share is exceeded
 * @param holdingUp whether suspected peers are being reported up because of the panic
 */
public record EjectionStatus(int suspected, int peers, boolean panic, boolean holdingUp) {}
