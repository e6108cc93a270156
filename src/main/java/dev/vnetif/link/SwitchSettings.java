package dev.vnetif.link;

/**
 * What a switch needs to know at start.
 *
 * @param seed drives the MAC addresses assigned to ports, so runs replay exactly
 * @param maxFrameSize the largest Ethernet frame (header + payload, no FCS) the switch forwards;
 *     larger frames are dropped and counted, like mirage-vnetif's {@code Frame_size_enforced}
 *     backend
 * @param clock the network's time source, for tap timestamps
 */
public record SwitchSettings(long seed, int maxFrameSize, NetworkClock clock) {
  public SwitchSettings {
    if (maxFrameSize < 64) {
      throw new IllegalArgumentException(
          "maxFrameSize must be at least 64 bytes, got " + maxFrameSize);
    }
    if (clock == null) {
      throw new IllegalArgumentException("clock must not be null");
    }
  }
}
