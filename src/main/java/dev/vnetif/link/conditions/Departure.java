package dev.vnetif.link.conditions;

import org.apache.pekko.util.ByteString;

/**
 * A frame leaving a conditioned link: its bytes (changed when a step corrupted it or appended
 * bytes) and when it leaves, in the same nanoseconds as the time it was offered at.
 */
public record Departure(ByteString frame, long atNanos) {}
