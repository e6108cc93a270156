package dev.vnetif.cli;

import com.sun.management.UnixOperatingSystemMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.OperatingSystemMXBean;
import java.util.Locale;

/**
 * The process's file descriptors, where the JVM tells them (Unix): Pekko's side of the memory
 * workload needs two per connection (client and accepted socket), and a process out of them does
 * not fail cleanly (Pekko's listener logs an accept error per attempt while the client waits), so
 * the count is checked before it starts.
 */
final class FileDescriptors {
  private FileDescriptors() {}

  /**
   * Refuses {@code connections} sockets pairs the process cannot open, naming where it would stop.
   *
   * @throws BenchFailure "too many open files at N" when the limit is below what they need
   */
  static void checkRoomFor(int connections, int perConnection) {
    OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
    if (!(os instanceof UnixOperatingSystemMXBean unix)) {
      return; // not knowable here: the run will tell
    }
    long max = unix.getMaxFileDescriptorCount();
    long open = unix.getOpenFileDescriptorCount();
    // Some room for what the JVM and Pekko open meanwhile (jars, selectors, log files).
    long room = max - open - 64;
    long fits = Math.max(0, room / perConnection);
    if (fits < connections) {
      throw new BenchFailure(
          String.format(
              Locale.ROOT,
              "%,d connections need %,d file descriptors, the process may open %,d (%,d open"
                  + " already; raise ulimit -n)",
              connections,
              (long) connections * perConnection,
              max,
              open),
          null,
          String.format(Locale.ROOT, "too many open files at %,d", fits));
    }
  }
}
