package dev.vnetif.link;

import java.util.HashMap;
import java.util.Map;

/**
 * The switch's forwarding table: which port a source MAC was last seen on (IEEE 802.1D learning).
 * Entries move when a MAC appears on another port and are removed with their port. No ageing: a
 * virtual host keeps its port until it detaches.
 */
final class MacTable {
  private final Map<Long, SwitchPort> byMac = new HashMap<>();

  void learn(long mac, SwitchPort port) {
    SwitchPort known = byMac.get(mac);
    if (known != port) {
      byMac.put(mac, port);
    }
  }

  /** The port for a unicast MAC, or null when unknown (the frame is then flooded). */
  SwitchPort lookup(long mac) {
    return byMac.get(mac);
  }

  void forget(SwitchPort port) {
    byMac.values().removeIf(p -> p == port);
  }
}
