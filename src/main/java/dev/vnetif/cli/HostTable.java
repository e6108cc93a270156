package dev.vnetif.cli;

import dev.vnetif.Stack;
import java.io.PrintWriter;

/** The network a command built, one line per host, so a run can be read and replayed. */
final class HostTable {
  private HostTable() {}

  static void print(PrintWriter out, NetworkSession session) {
    out.printf("network: %s, seed %d%n", session.scenario.name(), session.seed());
    for (Stack host : session.hosts) {
      out.printf(
          "  %-8s %-18s %s  mtu %d  port %d%n",
          host.name(), host.cidr(), host.mac(), host.mtu(), host.switchPort());
    }
    out.println();
  }
}
