package dev.vnetif;

/**
 * Which way across a host's switch port a set of {@link LinkConditions} applies, in the switch's
 * words: {@link #INGRESS} is what enters the switch from the host (the host's sends), {@link
 * #EGRESS} what leaves the switch toward the host (what the host receives).
 */
public enum Direction {
  /** Frames the host sends, as they enter the switch. */
  INGRESS,
  /** Frames the switch delivers to the host, as they leave the switch. */
  EGRESS
}
