package dev.vnetif.cli;

import dev.vnetif.NetworkConfig;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code vnetif bench}: the end-to-end benchmark. Each workload runs over the virtual network
 * through our own API ({@code virtual}), over the virtual network through Pekko Streams and {@code
 * VirtualTcp} ({@code virtual-streams}), and over Pekko Streams {@code Tcp} on 127.0.0.1 ({@code
 * pekko-tcp}), in the same JVM and the same actor system (one after the other, never at once),
 * warmed up first, verified, and reported against Pekko's with their ratio. The two Streams sides
 * run the identical Streams code ({@link BenchStreamsTransport}). A side that fails a workload says
 * so in its column; the other sides' figures stand.
 */
@Command(
    name = "bench",
    mixinStandardHelpOptions = true,
    description =
        "Run bulk transfer, ping-pong, connection-rate, memory-per-connection and (opt-in) "
            + "connection-churn workloads over the virtual network (through its own API, and "
            + "through Pekko Streams over VirtualTcp) and over Pekko Streams Tcp on 127.0.0.1, and "
            + "print each against Pekko's with their ratio: one table for the virtual network, "
            + "one (Streams) for VirtualTcp, both sides running the same Streams code.")
final class BenchCommand implements Callable<Integer> {
  static final List<String> WORKLOADS = List.of("bulk", "pingpong", "connrate", "memory", "churn");

  @Option(
      names = "--workloads",
      paramLabel = "LIST",
      split = ",",
      defaultValue = "bulk,pingpong,connrate,memory",
      description =
          "Workloads to run, comma-separated, of bulk, pingpong, connrate, memory, churn "
              + "(default ${DEFAULT-VALUE}; churn takes minutes, so it is opt-in).")
  List<String> workloads;

  @Option(
      names = "--sides",
      paramLabel = "SIDES",
      defaultValue = "all",
      description =
          "What to measure, comma-separated: virtual (the virtual network through its own "
              + "TcpFlow API), streams (Pekko Streams over VirtualTcp on the virtual network), "
              + "pekko (Pekko Streams over Tcp on 127.0.0.1); both for virtual,pekko; all for the "
              + "three (default ${DEFAULT-VALUE}). A ratio needs pekko beside virtual or streams.")
  String sides;

  @Option(
      names = "--mtu",
      paramLabel = "BYTES",
      defaultValue = "1500",
      description = "MTU of both virtual hosts (default ${DEFAULT-VALUE}).")
  int mtu;

  @Option(
      names = "--bulk-size",
      paramLabel = "SIZE",
      description =
          "Bytes per bulk transfer, e.g. 500MB, 1GiB, 1000000. Default: sized "
              + "per side from its warm-up to last about 4 s (at least 3 s).")
  String bulkSize;

  @Option(
      names = "--pingpong-count",
      paramLabel = "N",
      description = "Sequential 64-byte round trips (default 20000; 500 with --quick).")
  Integer pingPongCount;

  @Option(
      names = "--connections",
      paramLabel = "N",
      description = "Connections opened, one byte echoed, closed (default 2000; 100 with --quick).")
  Integer connections;

  @Option(
      names = "--held-connections",
      paramLabel = "N",
      description =
          "Connections held open at once in memory (default 2000; 200 with --quick). 100000 "
              + "needs about 2 GiB of heap (-Xmx2g); Pekko runs out of file descriptors first.")
  Integer heldConnections;

  @Option(
      names = "--connrate-concurrency",
      paramLabel = "N",
      defaultValue = "4",
      description =
          "Connections in progress at once in connrate, the same for both "
              + "(default ${DEFAULT-VALUE}).")
  int concurrency;

  @Option(
      names = "--churn-connections",
      paramLabel = "N",
      description = "Connections the churn workload makes (default 200000; 2000 with --quick).")
  Integer churnConnections;

  @Option(
      names = "--churn-pekko-connections",
      paramLabel = "N",
      description =
          "Connections of churn over Pekko Streams (pekko and streams), from one client host: "
              + "Pekko's loopback cannot keep up with the virtual side's count "
              + "(default: a tenth of --churn-connections).")
  Integer churnPekkoConnections;

  @Option(
      names = "--churn-concurrency",
      paramLabel = "N",
      defaultValue = "64",
      description = "Churn connections in progress at once (default ${DEFAULT-VALUE}).")
  int churnConcurrency;

  @Option(
      names = "--churn-clients",
      paramLabel = "N",
      defaultValue = "32",
      description = "Virtual client hosts the churn connects from (default ${DEFAULT-VALUE}).")
  int churnClients;

  @Option(
      names = "--churn-ports",
      paramLabel = "N",
      description =
          "Ephemeral ports per virtual client host in churn, so that 4-tuples come back while "
              + "the server still holds them in TIME_WAIT (default: the network's range).")
  Integer churnPorts;

  @Option(
      names = "--churn-abort",
      paramLabel = "FRACTION",
      defaultValue = "0.1",
      description =
          "Share of churn connections the client aborts (RST) instead of closing, chosen by "
              + "--seed (default ${DEFAULT-VALUE}).")
  double churnAbort;

  @Option(
      names = "--seed",
      paramLabel = "N",
      defaultValue = "1",
      description = "Seed of the churn's abort choices (default ${DEFAULT-VALUE}).")
  long seed;

  @Option(
      names = "--quick",
      description =
          "A small, fast run: 8 MiB bulk, 500 round trips, 100 connections; figures are rough.")
  boolean quick;

  @Option(
      names = "--config",
      paramLabel = "FILE",
      description = "Runtime config (HOCON). Default: conf/application.conf when present.")
  Path config;

  @Spec CommandSpec spec;

  /** Builds the Pekko side; tests put a failing one here. */
  Function<ActorSystem<?>, BenchTransport> pekkoSide = BenchStreamsTransport::loopback;

  /** Runs the bench without the {@code vnetif} command around it. */
  public static void main(String[] args) {
    if (System.getProperty("logback.configurationFile") == null
        && Files.isRegularFile(VnetifCli.LOGBACK)) {
      System.setProperty("logback.configurationFile", VnetifCli.LOGBACK.toString());
    }
    LoggerFactory.getILoggerFactory();
    System.exit(new CommandLine(new BenchCommand()).execute(args));
  }

  @Override
  public Integer call() throws Exception {
    List<BenchWorkload> chosen = chosenWorkloads();
    Set<String> run = sides();
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    ActorSystem<Void> system =
        ActorSystem.create(Behaviors.empty(), "vnetif-bench", NetworkSession.loadConfig(config));
    List<BenchTransport> transports = new ArrayList<>();
    try {
      NetworkConfig networkConfig = NetworkConfig.fromConfig(system.settings().config());
      if (run.contains("virtual")) {
        transports.add(BenchVirtualTransport.start(system, networkConfig, mtu));
      }
      if (run.contains("streams")) {
        transports.add(BenchStreamsTransport.virtual(system, networkConfig, mtu));
      }
      if (run.contains("pekko")) {
        transports.add(pekkoSide.apply(system));
      }
      BenchReport.printMachine(out);
      out.println(
          "setup: one JVM, one actor system; each workload runs over "
              + String.join(", then over ", transports.stream().map(BenchTransport::name).toList())
              + ", each warmed up by a shorter uncounted run");
      transports.forEach(t -> out.println("  " + t.describe()));
      out.flush();
      BenchReport report = new BenchReport();
      for (BenchWorkload workload : chosen) {
        workload.run(transports, report, err);
      }
      report.printTable(out, transports.stream().map(BenchTransport::name).toList());
      // A Pekko figure that failed (file descriptors, the kernel) is reported, not fatal: the
      // bench is here to measure and check the virtual network.
      return report.oursFailed() ? 1 : 0;
    } finally {
      for (BenchTransport t : transports) {
        t.close();
      }
      system.terminate();
      system.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }
  }

  /** The sides {@code --sides} names, of virtual, streams and pekko. */
  private Set<String> sides() {
    Set<String> chosen = new LinkedHashSet<>();
    for (String word : sides.split(",", -1)) {
      switch (word.trim().toLowerCase(Locale.ROOT)) {
        case "virtual" -> chosen.add("virtual");
        case "streams", "virtual-streams" -> chosen.add("streams");
        case "pekko", "pekko-tcp" -> chosen.add("pekko");
        case "both" -> chosen.addAll(List.of("virtual", "pekko"));
        case "all" -> chosen.addAll(List.of("virtual", "streams", "pekko"));
        default ->
            throw new IllegalArgumentException(
                "--sides takes virtual, streams and pekko, comma-separated, or both or all, got '"
                    + sides
                    + "'");
      }
    }
    return chosen;
  }

  private List<BenchWorkload> chosenWorkloads() {
    Set<String> names = new LinkedHashSet<>();
    for (String w : workloads) {
      String name = w.trim().toLowerCase(Locale.ROOT);
      if (!WORKLOADS.contains(name)) {
        throw new IllegalArgumentException(
            "unknown workload '" + w + "'; choose among " + String.join(", ", WORKLOADS));
      }
      names.add(name);
    }
    sides(); // refuse a bad --sides before anything runs
    Long bulkBytes = null; // sized from the warm-up
    if (bulkSize != null) {
      bulkBytes = parseSize(bulkSize);
    } else if (quick) {
      bulkBytes = 8 * BulkWorkload.MIB;
    }
    int roundTrips = pingPongCount != null ? pingPongCount : quick ? 500 : 20_000;
    int connectionCount = connections != null ? connections : quick ? 100 : 2_000;
    int heldCount = heldConnections != null ? heldConnections : quick ? 200 : 2_000;
    int churnCount = churnConnections != null ? churnConnections : quick ? 2_000 : 200_000;
    int churnPekko =
        churnPekkoConnections != null ? churnPekkoConnections : Math.max(1, churnCount / 10);
    atLeastOne("--pingpong-count", roundTrips);
    atLeastOne("--connections", connectionCount);
    atLeastOne("--connrate-concurrency", concurrency);
    atLeastOne("--held-connections", heldCount);
    atLeastOne("--churn-connections", churnCount);
    atLeastOne("--churn-pekko-connections", churnPekko);
    atLeastOne("--churn-concurrency", churnConcurrency);
    atLeastOne("--churn-clients", churnClients);
    if (churnPorts != null && (churnPorts < 1 || churnPorts > 16_384)) {
      throw new IllegalArgumentException(
          "--churn-ports must be within 1..16384, got " + churnPorts);
    }
    if (!(churnAbort >= 0 && churnAbort <= 1)) {
      throw new IllegalArgumentException("--churn-abort must be within 0..1, got " + churnAbort);
    }
    List<BenchWorkload> chosen = new ArrayList<>();
    for (String name : names) {
      chosen.add(
          switch (name) {
            case "bulk" -> new BulkWorkload(bulkBytes);
            case "pingpong" -> new PingPongWorkload(roundTrips);
            case "connrate" -> new ConnRateWorkload(connectionCount, concurrency);
            case "memory" -> new MemoryWorkload(heldCount);
            default ->
                new ChurnWorkload(
                    new ChurnPlan(
                        churnCount,
                        churnConcurrency,
                        churnClients,
                        churnPorts == null ? 0 : churnPorts,
                        churnAbort,
                        seed),
                    churnPekko);
          });
    }
    return chosen;
  }

  private static void atLeastOne(String option, int value) {
    if (value < 1) {
      throw new IllegalArgumentException(option + " must be at least 1, got " + value);
    }
  }

  /**
   * {@code 1000}, {@code 500MB} (10^6), {@code 64MiB} (2^20), {@code 2G} (2^30): see {@link
   * ByteSize}.
   */
  static long parseSize(String text) {
    long bytes = ByteSize.parse("--bulk-size", text);
    if (bytes < 1) {
      throw new IllegalArgumentException("--bulk-size must be at least 1 byte, got " + text);
    }
    return bytes;
  }
}
