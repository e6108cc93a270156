package dev.vnetif.cli;

import dev.vnetif.Stack;
import dev.vnetif.StackConfig;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code vnetif iperf}: bulk TCP between two virtual hosts, after mirage-tcpip's test_iperf. The
 * server reads to EOF what the client writes in fixed-size writes (or writes, with {@code
 * --reverse}; or both at once, with {@code --bidir}); both ends hash the payload, and the run
 * reports throughput, the sender's TCP counters and whether the digests match.
 */
@Command(
    name = "iperf",
    mixinStandardHelpOptions = true,
    description =
        "Build a virtual network and measure bulk TCP between two hosts, like "
            + "iperf: the client writes SIZE pseudo-random bytes, the server reads them to EOF, "
            + "and both check the content with SHA-256.",
    footer =
        "Exit status: 0 when every byte arrived intact, 1 when the transfer failed or "
            + "the content differs, 2 on a usage error.")
final class IperfCommand implements Callable<Integer> {
  static final int MAX_WRITE_SIZE = 16 << 20;

  /** Ethernet header in front of the IPv4 datagram: the switch's frame limit minus this. */
  private static final int ETHERNET_HEADER = 14;

  @Mixin NetworkOptions network;

  @Option(
      names = "--from",
      paramLabel = "HOST",
      description = "Client (name or address). " + "Default: the scenario's first host.")
  String from;

  @Option(
      names = "--to",
      paramLabel = "HOST",
      description = "Server (name or address). " + "Default: the scenario's second host.")
  String to;

  @Option(
      names = "--size",
      paramLabel = "SIZE",
      defaultValue = "10M",
      description =
          "Bytes to send, with an optional K, M or G suffix (2^10, 2^20, 2^30) "
              + "(default ${DEFAULT-VALUE}).")
  String size;

  @Option(
      names = "--write-size",
      paramLabel = "SIZE",
      defaultValue = "3780",
      description = "Bytes per write, as mirage's test_iperf (default ${DEFAULT-VALUE}).")
  String writeSize;

  @Option(
      names = "--port",
      paramLabel = "PORT",
      defaultValue = "5001",
      description = "Port the server listens on (default ${DEFAULT-VALUE}).")
  int port;

  @Option(names = "--reverse", description = "The server sends to the client instead.")
  boolean reverse;

  @Option(names = "--bidir", description = "Both send SIZE bytes to each other at once.")
  boolean bidir;

  @Option(
      names = "--mtu",
      paramLabel = "BYTES",
      description = "MTU of the client and the server, instead of the scenario's.")
  Integer mtu;

  @Option(
      names = "--progress",
      negatable = true,
      description = "Draw a progress bar on stderr. Default: when on a terminal.")
  Boolean progress;

  @Option(
      names = "--timeout",
      paramLabel = "SECONDS",
      defaultValue = "300",
      description = "Give up (exit 1) when the transfer takes longer (default ${DEFAULT-VALUE}).")
  double timeout;

  @Spec CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    long bytes = ByteSize.parse("--size", size);
    int bytesPerWrite = writeSize();
    checkOptions();
    Scenario scenario = network.scenario();
    int clientIndex = hostIndex(scenario, from, 0);
    int serverIndex = hostIndex(scenario, to, 1);
    if (clientIndex == serverIndex) {
      throw new IllegalArgumentException(
          "--from and --to are the same host '"
              + scenario.hosts().get(clientIndex).name()
              + "'; iperf runs between two hosts");
    }
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    try (NetworkSession session = openSession(scenario, clientIndex, serverIndex)) {
      Stack client = session.hosts.get(clientIndex);
      Stack server = session.hosts.get(serverIndex);
      checkFrameSize(session, client);
      checkFrameSize(session, server);
      HostTable.print(out, session);
      IperfTransfer transfer =
          new IperfTransfer(
              client,
              server,
              port,
              reverse ? 0 : bytes,
              reverse || bidir ? bytes : 0,
              bytesPerWrite,
              session.seed());
      out.printf(
          "iperf: %s %s -> %s %s port %d, %d bytes %s in %d-byte writes%n",
          client.name(),
          client.address().getHostAddress(),
          server.name(),
          server.address().getHostAddress(),
          port,
          bytes,
          bidir ? "each way" : reverse ? "from the server" : "from the client",
          bytesPerWrite);
      out.println();
      out.flush();
      List<IperfReport> reports;
      try (ProgressBar bar =
          showProgress()
              ? ProgressBar.start(err, transfer.totalBytes(), transfer::bytesReceived)
              : null) {
        reports = transfer.run(Duration.ofNanos((long) (timeout * 1e9)));
      } catch (IperfTransfer.FailedException e) {
        err.println("vnetif iperf: " + e.getMessage());
        err.flush();
        return 1;
      }
      reports.forEach(report -> report.print(out));
      if (session.pcapFile() != null) {
        out.printf("capture written to %s%n", session.pcapFile());
      }
      out.flush();
      return reports.stream().allMatch(IperfReport::contentMatches) ? 0 : 1;
    }
  }

  private int writeSize() {
    long value = ByteSize.parse("--write-size", writeSize);
    if (value < 1 || value > MAX_WRITE_SIZE) {
      throw new IllegalArgumentException(
          "--write-size must be within 1.." + MAX_WRITE_SIZE + " bytes, got " + writeSize);
    }
    return (int) value;
  }

  private void checkOptions() {
    if (port < 1 || port > 65535) {
      throw new IllegalArgumentException("--port must be within 1..65535, got " + port);
    }
    if (mtu != null && (mtu < 68 || mtu > 65535)) {
      throw new IllegalArgumentException("--mtu must be within 68..65535, got " + mtu);
    }
    if (reverse && bidir) {
      throw new IllegalArgumentException("give either --reverse or --bidir, not both");
    }
    if (!(timeout > 0)) {
      throw new IllegalArgumentException("--timeout must be > 0 seconds, got " + timeout);
    }
  }

  /** The index of {@code nameOrAddress} in the scenario, or {@code fallback} when not given. */
  private static int hostIndex(Scenario scenario, String nameOrAddress, int fallback) {
    return nameOrAddress == null
        ? fallback
        : scenario.hosts().indexOf(scenario.find(nameOrAddress));
  }

  /**
   * The network of the scenario; with {@code --mtu}, of a copy of it in which the client and the
   * server have that MTU, built through a scenario file like any other.
   */
  private NetworkSession openSession(Scenario scenario, int... mtuHosts) throws Exception {
    if (mtu == null) {
      return new NetworkSession(network);
    }
    List<StackConfig> hosts = new ArrayList<>(scenario.hosts());
    for (int i : mtuHosts) {
      hosts.set(i, hosts.get(i).withMtu(mtu));
    }
    Path file = Files.createTempFile("vnetif-iperf-", ".conf");
    try {
      ScenarioFile.write(new Scenario(scenario.name(), scenario.seed(), hosts), file);
      NetworkOptions options = new NetworkOptions();
      options.config = network.config;
      options.seed = network.seed;
      options.pcap = network.pcap;
      options.scenario = file;
      return new NetworkSession(options);
    } finally {
      Files.deleteIfExists(file);
    }
  }

  /** A host whose MTU the switch cannot carry would stall on its first full segment. */
  private static void checkFrameSize(NetworkSession session, Stack host) {
    int maxFrame = session.network.config().maxFrameSize();
    if (host.mtu() + ETHERNET_HEADER > maxFrame) {
      throw new IllegalArgumentException(
          "mtu "
              + host.mtu()
              + " of host '"
              + host.name()
              + "' exceeds what the switch forwards (vnetif.switch.max-frame-size "
              + maxFrame
              + ", so mtu <= "
              + (maxFrame - ETHERNET_HEADER)
              + ")");
    }
  }

  private boolean showProgress() {
    return progress != null ? progress : System.console() != null;
  }
}
