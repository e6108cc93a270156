package dev.vnetif.link;

import java.time.Duration;

/**
 * What a switch needs to know at start.
 *
 * @param seed drives the MAC addresses assigned to ports, so runs replay exactly
 * @param maxFrameSize the largest Ethernet frame (header + payload, no FCS) the switch forwards;
 *     larger frames are dropped and counted, like mirage-vnetif's {@code Frame_size_enforced}
 *     backend
 * @param clock the network's time source, for tap timestamps and MAC table ageing
 * @param macAgeingTime how long a learned MAC stays in the forwarding table without a frame from
 *     it; frames to it are flooded again after that (IEEE 802.1D §7.9.2)
 * @param macTableLimit MACs the forwarding table holds at most; a new MAC is not learned while it
 *     is full (its frames are still forwarded) and is counted in {@link
 *     SwitchStats#macLearnsRefused()}
 */
public record SwitchSettings(
    long seed, int maxFrameSize, NetworkClock clock, Duration macAgeingTime, int macTableLimit) {

  /** IEEE 802.1D §7.9.2's recommended ageing time, what bridges use unless told otherwise. */
  public static final Duration DEFAULT_MAC_AGEING_TIME = Duration.ofSeconds(300);

  /**
   * 8,192 entries, the table size of small managed switches: room for far more hosts than a virtual
   * network attaches, and under a megabyte of heap when a flood of made-up MACs fills it.
   */
  public static final int DEFAULT_MAC_TABLE_LIMIT = 8192;

  public SwitchSettings {
    if (maxFrameSize < 64) {
      throw new IllegalArgumentException(
          "maxFrameSize must be at least 64 bytes, got " + maxFrameSize);
    }
    if (clock == null) {
      throw new IllegalArgumentException("clock must not be null");
    }
    if (macAgeingTime == null || macAgeingTime.isNegative() || macAgeingTime.isZero()) {
      throw new IllegalArgumentException("macAgeingTime must be positive, got " + macAgeingTime);
    }
    if (macTableLimit < 1) {
      throw new IllegalArgumentException("macTableLimit must be at least 1, got " + macTableLimit);
    }
  }

  /** A switch whose forwarding table has the defaults: 300 s ageing, 8,192 entries at most. */
  public SwitchSettings(long seed, int maxFrameSize, NetworkClock clock) {
    this(seed, maxFrameSize, clock, DEFAULT_MAC_AGEING_TIME, DEFAULT_MAC_TABLE_LIMIT);
  }
}
