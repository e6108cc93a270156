package dev.vnetif.cli;

import dev.vnetif.NetworkConfig;
import dev.vnetif.cli.BenchTransport.BulkResult;
import dev.vnetif.cli.BenchTransport.ConnectionRateResult;
import dev.vnetif.cli.BenchTransport.MemoryResult;
import dev.vnetif.cli.BenchTransport.PingPongResult;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code vnetif bench}: the end-to-end benchmark. Each workload runs over the virtual network and
 * over Pekko Streams TCP on 127.0.0.1 in the same JVM and the same actor system (one after the
 * other, never at once), warmed up first, verified, and reported side by side with their ratio.
 */
@Command(
    name = "bench",
    mixinStandardHelpOptions = true,
    description =
        "Run bulk transfer, ping-pong, connection-rate and memory-per-connection "
            + "workloads over the virtual network and over Pekko Streams TCP on 127.0.0.1, and "
            + "print both with their ratio.")
final class BenchCommand implements Callable<Integer> {
  static final List<String> WORKLOADS = List.of("bulk", "pingpong", "connrate", "memory");
  private static final long MIB = 1 << 20;

  /** Auto-sized bulk: warm-up transfers double until one lasts this long... */
  private static final long CALIBRATION_NANOS = 1_000_000_000L;

  /** ...then the measured one is sized to last about this long at that rate. */
  private static final long BULK_TARGET_NANOS = 4_000_000_000L;

  private static final long BULK_MINIMUM_NANOS = 3_000_000_000L;

  /** A size as --bulk-size takes it: a count and an optional decimal or binary unit. */
  @Option(
      names = "--workloads",
      paramLabel = "LIST",
      split = ",",
      defaultValue = "bulk,pingpong,connrate,memory",
      description =
          "Workloads to run, comma-separated, of bulk, pingpong, connrate, memory "
              + "(default ${DEFAULT-VALUE}).")
  List<String> workloads;

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
      description =
          "Connections opened, one byte echoed, closed (default 2000; 100 with " + "--quick).")
  Integer connections;

  @Option(
      names = "--held-connections",
      paramLabel = "N",
      description =
          "Connections held open at once in memory (default 2000; 200 with " + "--quick).")
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
      names = "--quick",
      description =
          "A small, fast run: 8 MiB bulk, 500 round trips, "
              + "100 connections; figures are rough.")
  boolean quick;

  @Option(
      names = "--config",
      paramLabel = "FILE",
      description = "Runtime config (HOCON). Default: conf/application.conf when present.")
  Path config;

  @Spec CommandSpec spec;

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
    Set<String> chosen = chosenWorkloads();
    Long bulkBytes = null; // sized from the warm-up
    if (bulkSize != null) {
      bulkBytes = parseSize(bulkSize);
    } else if (quick) {
      bulkBytes = 8 * MIB;
    }
    int roundTrips = pingPongCount != null ? pingPongCount : quick ? 500 : 20_000;
    int connectionCount = connections != null ? connections : quick ? 100 : 2_000;
    int heldCount = heldConnections != null ? heldConnections : quick ? 200 : 2_000;
    if (roundTrips < 1 || connectionCount < 1 || concurrency < 1 || heldCount < 1) {
      throw new IllegalArgumentException(
          "--pingpong-count, --connections, "
              + "--connrate-concurrency and --held-connections must be at least 1, got "
              + roundTrips
              + ", "
              + connectionCount
              + ", "
              + concurrency
              + ", "
              + heldCount);
    }
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    ActorSystem<Void> system =
        ActorSystem.create(Behaviors.empty(), "vnetif-bench", NetworkSession.loadConfig(config));
    try (BenchVirtualTransport virtual =
            BenchVirtualTransport.start(
                system, NetworkConfig.fromConfig(system.settings().config()), mtu);
        BenchPekkoTransport pekko = new BenchPekkoTransport(system)) {
      BenchReport.printMachine(out);
      out.println(
          "setup: one JVM, one actor system; each workload runs over virtual, then "
              + "over pekko-tcp, each warmed up by a shorter uncounted run");
      out.println("  " + virtual.describe());
      out.println("  " + pekko.describe());
      out.flush();
      BenchReport report = new BenchReport();
      List<BenchTransport> sides = List.of(virtual, pekko);
      if (chosen.contains("bulk")) {
        addBulk(sides, bulkBytes, report, err);
      }
      if (chosen.contains("pingpong")) {
        addPingPong(sides, roundTrips, report, err);
      }
      if (chosen.contains("connrate")) {
        addConnectionRate(sides, connectionCount, report, err);
      }
      if (chosen.contains("memory")) {
        addMemory(sides, heldCount, report, err);
      }
      report.printTable(out);
      return 0;
    } catch (BenchFailure failure) {
      out.flush();
      err.println("vnetif bench: FAILED: " + failure.getMessage());
      err.flush();
      return 1;
    } finally {
      system.terminate();
      system.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }
  }

  private void addBulk(List<BenchTransport> sides, Long bytes, BenchReport report, PrintWriter err)
      throws Exception {
    List<BulkResult> r = new ArrayList<>();
    for (BenchTransport side : sides) {
      r.add(bulk(side, bytes, report, err));
    }
    report.add(
        new BenchReport.Row(
            "bulk (MB/s)",
            r.get(0).megabytesPerSecond(),
            r.get(1).megabytesPerSecond(),
            true,
            "%.1f"));
  }

  private void addPingPong(
      List<BenchTransport> sides, int roundTrips, BenchReport report, PrintWriter err)
      throws Exception {
    List<PingPongResult> r = new ArrayList<>();
    for (BenchTransport side : sides) {
      r.add(pingPong(side, roundTrips, report, err));
    }
    report.add(
        new BenchReport.Row(
            "pingpong (round trips/s)",
            r.get(0).roundTripsPerSecond(),
            r.get(1).roundTripsPerSecond(),
            true,
            "%.0f"));
    report.add(
        new BenchReport.Row(
            "pingpong median (us)",
            r.get(0).medianMicros(),
            r.get(1).medianMicros(),
            false,
            "%.1f"));
    report.add(
        new BenchReport.Row(
            "pingpong p99 (us)", r.get(0).p99Micros(), r.get(1).p99Micros(), false, "%.1f"));
  }

  private void addConnectionRate(
      List<BenchTransport> sides, int count, BenchReport report, PrintWriter err) throws Exception {
    List<ConnectionRateResult> r = new ArrayList<>();
    for (BenchTransport side : sides) {
      r.add(connectionRate(side, count, report, err));
    }
    report.add(
        new BenchReport.Row(
            "connrate (connections/s)",
            r.get(0).connectionsPerSecond(),
            r.get(1).connectionsPerSecond(),
            true,
            "%.0f"));
  }

  private void addMemory(List<BenchTransport> sides, int count, BenchReport report, PrintWriter err)
      throws Exception {
    List<MemoryResult> r = new ArrayList<>();
    for (BenchTransport side : sides) {
      progress(err, "memory", side);
      side.heldConnections(Math.max(20, count / 4), countDeadline(count, 20)); // warm-up
      MemoryResult result = side.heldConnections(count, countDeadline(count, 20));
      report.note(
          String.format(
              Locale.ROOT,
              "memory over %s: %d connections held open (one "
                  + "byte echoed on each), heap %.1f -> %.1f MiB after full GCs; JVM heap only",
              side.name(),
              count,
              result.heapBefore() / (double) MIB,
              result.heapHeld() / (double) MIB));
      r.add(result);
    }
    report.add(
        new BenchReport.Row(
            "memory per connection (KiB)",
            r.get(0).kibPerConnection(),
            r.get(1).kibPerConnection(),
            false,
            "%.1f"));
  }

  private BulkResult bulk(BenchTransport side, Long bytes, BenchReport report, PrintWriter err)
      throws Exception {
    progress(err, "bulk", side);
    List<String> warmups = new ArrayList<>();
    long target;
    if (bytes != null) {
      long warmup = Math.max(BenchPayloads.CHUNK_SIZE, Math.min(bytes / 4, 64 * MIB));
      side.bulk(warmup, bulkDeadline(warmup));
      warmups.add(sizeText(warmup));
      target = bytes;
    } else {
      long size = 16 * MIB;
      BulkResult calibration;
      while (true) {
        calibration = side.bulk(size, bulkDeadline(size));
        warmups.add(sizeText(size));
        if (calibration.nanos() >= CALIBRATION_NANOS || size >= 64L * 1024 * MIB) {
          break;
        }
        size *= 2;
      }
      target = sizedForTarget(calibration);
    }
    System.gc();
    BulkResult result = side.bulk(target, bulkDeadline(target));
    // The warm-up can underrate a transport still compiling; a run that ends too soon
    // becomes one more warm-up, and the next is sized from its rate.
    for (int retry = 0;
        bytes == null && result.nanos() < BULK_MINIMUM_NANOS && retry < 3;
        retry++) {
      warmups.add(sizeText(result.bytes()));
      target = sizedForTarget(result);
      System.gc();
      result = side.bulk(target, bulkDeadline(target));
    }
    report.note(
        String.format(
            Locale.ROOT,
            "bulk over %s: %s (%d bytes) in %.2f s, %d writes " + "of 64 KiB; warm-up %s",
            side.name(),
            sizeText(result.bytes()),
            result.bytes(),
            result.nanos() / 1e9,
            BenchPayloads.bulkWrites(result.bytes()),
            String.join(" + ", warmups)));
    return result;
  }

  /** Bytes (whole writes) that last {@link #BULK_TARGET_NANOS} at {@code run}'s rate. */
  private static long sizedForTarget(BulkResult run) {
    double bytesPerNano = (double) run.bytes() / run.nanos();
    long writes = (long) Math.ceil(bytesPerNano * BULK_TARGET_NANOS / BenchPayloads.CHUNK_SIZE);
    return Math.max(writes, 1) * BenchPayloads.CHUNK_SIZE;
  }

  private PingPongResult pingPong(
      BenchTransport side, int roundTrips, BenchReport report, PrintWriter err) throws Exception {
    progress(err, "pingpong", side);
    int warmup = Math.max(100, roundTrips / 4);
    side.pingPong(warmup, countDeadline(warmup, 2));
    System.gc();
    PingPongResult result = side.pingPong(roundTrips, countDeadline(roundTrips, 2));
    report.note(
        String.format(
            Locale.ROOT,
            "pingpong over %s: %d sequential round trips of "
                + "64 bytes in %.2f s on one connection, min %.1f us, p90 %.1f us, max %.1f us; "
                + "warm-up %d",
            side.name(),
            roundTrips,
            result.nanos() / 1e9,
            result.percentileMicros(0),
            result.percentileMicros(0.90),
            result.percentileMicros(1),
            warmup));
    return result;
  }

  private ConnectionRateResult connectionRate(
      BenchTransport side, int count, BenchReport report, PrintWriter err) throws Exception {
    progress(err, "connrate", side);
    int warmup = Math.max(20, count / 4);
    side.connectionRate(warmup, concurrency, countDeadline(warmup, 20));
    System.gc();
    ConnectionRateResult result = side.connectionRate(count, concurrency, countDeadline(count, 20));
    report.note(
        String.format(
            Locale.ROOT,
            "connrate over %s: %d connections, %d at a time "
                + "(connect, 1 byte echoed, client closes, server closes) in %.2f s; warm-up %d",
            side.name(),
            count,
            concurrency,
            result.nanos() / 1e9,
            warmup));
    return result;
  }

  private static void progress(PrintWriter err, String workload, BenchTransport side) {
    err.printf("bench: %s over %s...%n", workload, side.name());
    err.flush();
  }

  /** Generous: a transfer slower than 1 MB/s is a stall, not a result. */
  private static Duration bulkDeadline(long bytes) {
    return Duration.ofSeconds(60 + bytes / 1_000_000);
  }

  private static Duration countDeadline(int count, int millisEach) {
    return Duration.ofSeconds(60).plusMillis((long) count * millisEach);
  }

  private Set<String> chosenWorkloads() {
    Set<String> chosen = new LinkedHashSet<>();
    for (String w : workloads) {
      String name = w.trim().toLowerCase(Locale.ROOT);
      if (!WORKLOADS.contains(name)) {
        throw new IllegalArgumentException(
            "unknown workload '" + w + "'; choose among " + String.join(", ", WORKLOADS));
      }
      chosen.add(name);
    }
    return chosen;
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

  private static String sizeText(long bytes) {
    return bytes % MIB == 0
        ? bytes / MIB + " MiB"
        : String.format(Locale.ROOT, "%.1f MB", bytes / 1e6);
  }
}
