package dev.vnetif.link;

import java.util.List;

/**
 * A snapshot of a switch's counters.
 *
 * @param ports one entry per attached port, in port order
 * @param oversizedDrops frames larger than the maximum frame size
 * @param runtDrops frames too short to carry an Ethernet header
 * @param unknownPortDrops frames sent by a port that is no longer attached
 * @param macTableEntries MACs in the forwarding table now (aged entries are not counted)
 * @param macLearnsRefused source MACs not learned because the forwarding table was full, since the
 *     switch started; their frames were still forwarded (see {@link
 *     SwitchSettings#macTableLimit()})
 */
public record SwitchStats(
    List<PortStats> ports,
    long oversizedDrops,
    long runtDrops,
    long unknownPortDrops,
    long macTableEntries,
    long macLearnsRefused) {

  /** The counters as they were before the forwarding table was reported (kept for callers). */
  public SwitchStats(
      List<PortStats> ports, long oversizedDrops, long runtDrops, long unknownPortDrops) {
    this(ports, oversizedDrops, runtDrops, unknownPortDrops, 0, 0);
  }

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
