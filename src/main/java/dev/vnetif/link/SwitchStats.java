package dev.vnetif.link;

import java.util.List;

/**
 * A snapshot of a switch's counters.
 *
 * @param ports one entry per attached port, in port order
 * @param oversizedDrops frames larger than the maximum frame size
 * @param runtDrops frames too short to carry an Ethernet header
 * @param unknownPortDrops frames sent by a port that is no longer attached
 */
public record SwitchStats(
    List<PortStats> ports, long oversizedDrops, long runtDrops, long unknownPortDrops) {

  /** Counters of one port. rx is what the port sent into the switch, tx what it was given. */
  public record PortStats(
      int port,
      String name,
      String mac,
      long rxFrames,
      long rxBytes,
      long txFrames,
      long txBytes,
      long drops) {}
}
