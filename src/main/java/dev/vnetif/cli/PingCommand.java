package dev.vnetif.cli;

import dev.vnetif.LinkConditions;
import dev.vnetif.PingReply;
import dev.vnetif.Stack;
import dev.vnetif.link.NetworkClock;
import dev.vnetif.wire.Ipv4Address;
import java.io.PrintWriter;
import java.net.Inet4Address;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code vnetif ping}: ICMP echo between two virtual hosts, reported like ping(8). */
@Command(
    name = "ping",
    mixinStandardHelpOptions = true,
    description = "Build a virtual network and ping from one host to another, like ping(8).",
    footer = {
      ConditionOptions.FOOTER,
      "Exit status: 0 when a reply came, 1 when none did, 2 on a usage error."
    })
final class PingCommand implements Callable<Integer> {

  @Mixin NetworkOptions network;

  @Mixin ConditionOptions conditions;

  @Option(
      names = "--from",
      paramLabel = "HOST",
      description = "Sender (name or address). " + "Default: the scenario's first host.")
  String from;

  @Option(
      names = "--to",
      paramLabel = "HOST",
      description =
          "Destination: a host's name, or "
              + "any IPv4 address (on or off the network). Default: the scenario's second host.")
  String to;

  @Option(
      names = "-c",
      paramLabel = "COUNT",
      defaultValue = "4",
      description = "Stop after COUNT requests (default ${DEFAULT-VALUE}).")
  int count;

  @Option(
      names = "-i",
      paramLabel = "SECONDS",
      defaultValue = "1",
      description = "Wait SECONDS between requests (default ${DEFAULT-VALUE}).")
  double interval;

  @Option(
      names = "-s",
      paramLabel = "SIZE",
      defaultValue = "56",
      description = "Data bytes per request (default ${DEFAULT-VALUE}).")
  int size;

  @Option(
      names = "-W",
      paramLabel = "SECONDS",
      defaultValue = "1",
      description = "Time to wait for each reply (default ${DEFAULT-VALUE}).")
  double timeout;

  @Spec CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    if (count < 1) {
      throw new IllegalArgumentException("-c must be at least 1, got " + count);
    }
    if (interval < 0 || timeout <= 0) {
      throw new IllegalArgumentException(
          "-i must be >= 0 and -W > 0, got -i " + interval + " -W " + timeout);
    }
    LinkConditions flagConditions = conditions.conditions();
    PrintWriter out = spec.commandLine().getOut();
    try (NetworkSession session = new NetworkSession(network)) {
      Stack source = from != null ? session.host(from) : session.hosts.get(0);
      Inet4Address target = to != null ? destination(session, to) : session.hosts.get(1).address();
      List<ConditionBlock> applied = session.applyConditions(flagConditions);
      HostTable.print(out, session);
      ConditionTable.printApplied(out, applied);
      PingStatistics stats = run(out, source, target);
      out.println();
      out.printf("--- %s ping statistics ---%n", target.getHostAddress());
      out.println(stats.summary());
      if (!applied.isEmpty()) {
        out.println();
        ConditionTable.print(out, session.seed(), session.conditionStats());
      }
      if (session.pcapFile() != null) {
        out.printf("capture written to %s%n", session.pcapFile());
      }
      out.flush();
      return stats.received() > 0 ? 0 : 1;
    }
  }

  /** A host of the scenario by name, or else an IPv4 address literal. */
  private static Inet4Address destination(NetworkSession session, String nameOrAddress) {
    try {
      return session.host(nameOrAddress).address();
    } catch (IllegalArgumentException notAHost) {
      try {
        return Ipv4Address.of(nameOrAddress).toInet();
      } catch (IllegalArgumentException notAnAddress) {
        throw notAHost;
      }
    }
  }

  private PingStatistics run(PrintWriter out, Stack source, Inet4Address target) throws Exception {
    String dst = target.getHostAddress();
    out.printf(
        "PING %s (%s) from %s %s: %d(%d) bytes of data.%n",
        dst, dst, source.address().getHostAddress(), source.name(), size, size + 28);
    out.flush();
    PingStatistics stats = new PingStatistics(NetworkClock.system()::nanoTime);
    Duration wait = Duration.ofNanos((long) (timeout * 1e9));
    long intervalNanos = (long) (interval * 1e9);
    for (int sent = 1; sent <= count; sent++) {
      long started = WallClock.nanos();
      stats.sent();
      try {
        PingReply reply =
            source
                .echo(target, size, wait)
                .toCompletableFuture()
                .get(wait.toMillis() + 5_000, TimeUnit.MILLISECONDS);
        stats.received(reply.rtt());
        out.printf(
            "%d bytes from %s: icmp_seq=%d ttl=%d time=%.3f ms%n",
            reply.payloadSize() + 8,
            reply.from().getHostAddress(),
            reply.sequence(),
            reply.ttl(),
            reply.rtt().toNanos() / 1e6);
      } catch (ExecutionException | CompletionException e) {
        Throwable cause = e.getCause();
        if (cause instanceof TimeoutException) {
          out.printf("no reply for icmp_seq=%d within %.1f s%n", sent, timeout);
        } else {
          out.printf(
              "From %s icmp_seq=%d %s%n",
              source.address().getHostAddress(), sent, cause.getMessage());
        }
      }
      out.flush();
      long rest = intervalNanos - (WallClock.nanos() - started);
      if (sent < count && rest > 0) {
        TimeUnit.NANOSECONDS.sleep(rest);
      }
    }
    return stats;
  }
}
