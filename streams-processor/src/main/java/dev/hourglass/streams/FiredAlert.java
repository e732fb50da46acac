package dev.hourglass.streams;

/**
 * A FIRING alert not yet resolved, as the alert store keeps it per (rule, key).
 *
 * @param windowStart the hour that fired
 * @param observed the value that crossed the threshold
 * @param firedAt wall-clock time of the FIRING
 */
record FiredAlert(long windowStart, double observed, long firedAt) {}
