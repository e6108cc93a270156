package dev.vnetif.cli;

import dev.vnetif.LinkConditions;
import dev.vnetif.Stack;
import dev.vnetif.StackConfig;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code vnetif iperf}: bulk TCP between two virtual hosts, spoken as iperf3 is. By default the
 * client sends for 10 s ({@code -t}) and a line per second ({@code -i}) shows the transfer, the
 * bitrate, the retransmissions and the congestion window, then the sender's and the receiver's
 * summary; {@code -n/--size} sends an exact amount instead (mirage-tcpip's test_iperf), {@code -R}
 * and {@code --bidir} turn or double the direction, {@code -O} leaves a warm-up out of the figures,
 * and {@code --json} prints iperf3's {@code -J} document. Both ends hash the payload: a mismatch
 * exits 1. With {@code --virtual-time} the network is a simulation: every time is virtual, and the
 * run ends with the virtual time, the wall time and their ratio.
 */
@Command(
    name = "iperf",
    mixinStandardHelpOptions = true,
    description =
        "Build a virtual network and measure bulk TCP between two hosts as iperf3 does: the "
            + "client sends pseudo-random bytes for -t seconds (or -n bytes), with a line per "
            + "interval and sender/receiver summaries; both ends check the content with SHA-256.",
    footer = {
      ConditionOptions.FOOTER,
      "Exit status: 0 when every byte arrived intact, 1 when the transfer failed or "
          + "the content differs, 2 on a usage error."
    })
final class IperfCommand implements Callable<Integer> {
  static final int MAX_WRITE_SIZE = 16 << 20;

  /** Ethernet header in front of the IPv4 datagram: the switch's frame limit minus this. */
  private static final int ETHERNET_HEADER = 14;

  @Mixin NetworkOptions network;

  @Mixin ConditionOptions conditions;

  @Mixin TimeOptions timeOptions;

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
      names = {"-t", "--time"},
      paramLabel = "SECONDS",
      description =
          "Send for this long, as iperf3 -t (default 10; not with --size; virtual seconds with "
              + "--virtual-time). A figure over seconds reflects the stack, not a JVM still "
              + "compiling it.")
  Double time;

  @Option(
      names = {"-n", "--size", "--bytes"},
      paramLabel = "SIZE",
      description =
          "Send exactly SIZE bytes instead of for a time (iperf3 -n), with an optional K, M or G "
              + "suffix (2^10, 2^20, 2^30).")
  String size;

  @Option(
      names = {"-i", "--interval"},
      paramLabel = "SECONDS",
      defaultValue = "1",
      description = "Seconds between interval reports, 0 for none (default ${DEFAULT-VALUE}).")
  double interval;

  @Option(
      names = {"-O", "--omit"},
      paramLabel = "SECONDS",
      defaultValue = "0",
      description =
          "Warm up for this long first: reported as (omitted), left out of the summary "
              + "(iperf3 -O; default ${DEFAULT-VALUE}; not with --size).")
  double omit;

  @Option(
      names = {"-J", "--json"},
      description = "Print one JSON document shaped after iperf3 -J instead of text.")
  boolean json;

  @Option(
      names = {"-l", "--write-size", "--length"},
      paramLabel = "SIZE",
      defaultValue = "3780",
      description = "Bytes per write, as mirage's test_iperf (default ${DEFAULT-VALUE}).")
  String writeSize;

  @Option(
      names = {"-p", "--port"},
      paramLabel = "PORT",
      defaultValue = "5001",
      description = "Port the server listens on (default ${DEFAULT-VALUE}).")
  int port;

  @Option(
      names = {"-R", "--reverse"},
      description = "The server sends to the client instead.")
  boolean reverse;

  @Option(names = "--bidir", description = "Both send at once, each for -t seconds or -n bytes.")
  boolean bidir;

  @Option(
      names = "--mtu",
      paramLabel = "BYTES",
      description = "MTU of the client and the server, instead of the scenario's.")
  Integer mtu;

  @Option(
      names = "--progress",
      negatable = true,
      description =
          "Draw a progress bar on stderr (with --size). Default: on a terminal with -i 0.")
  Boolean progress;

  @Option(
      names = "--timeout",
      paramLabel = "SECONDS",
      description =
          "Give up (exit 1) when the run takes longer (default: 300 with --size, a day of "
              + "virtual time with --virtual-time, else 60 more than -O plus -t).")
  Double timeout;

  @Option(
      names = "--report",
      paramLabel = "DIR",
      description =
          "Write the sending flow's time series into DIR: iperf.csv (cwnd, ssthresh, bytes in "
              + "flight, SRTT, RTO, goodput, retransmissions, a row per --report-interval of the "
              + "network's clock) and its chart, iperf.png (iperf-tx-c.* and iperf-rx-c.* with "
              + "--bidir).")
  Path report;

  @Option(
      names = "--report-interval",
      paramLabel = "TIME",
      defaultValue = "10ms",
      description =
          "Time between two rows of the --report series, e.g. 10ms, 1s (default "
              + "${DEFAULT-VALUE}; virtual time with --virtual-time).")
  String reportInterval;

  @Spec CommandSpec spec;

  /** iperf3's default test time. */
  static final double DEFAULT_SECONDS = 10;

  /** Time a timed run gets beyond -O plus -t before it is given up (connect, close, a stall). */
  private static final double TIMEOUT_MARGIN_SECONDS = 60;

  /** --size's default time limit in virtual time: a day. */
  private static final double VIRTUAL_SIZE_TIMEOUT_SECONDS = 86_400;

  /** The run's own deadline fails it; this is only a bound in case its timer never ran. */
  private static final Duration RUN_MARGIN = Duration.ofSeconds(30);

  @Override
  public Integer call() throws Exception {
    Long bytes = size == null ? null : ByteSize.parse("--size", size);
    int bytesPerWrite = writeSize();
    checkOptions();
    long reportNanos = reportIntervalNanos();
    if (report != null) {
      // Made now, as mkdir -p would: a DIR that cannot be is a usage error before the run, not
      // an I/O failure after it.
      OutputPaths.createDirectories("--report", report);
    }
    LinkConditions flagConditions = conditions.conditions();
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
      List<ConditionBlock> applied = session.applyConditions(flagConditions);
      checkTimeCanPass(session, bytes, applied);
      long each = bytes != null ? bytes : IperfTransfer.UNTIL_STOPPED;
      IperfTransfer transfer =
          new IperfTransfer(
              client,
              server,
              port,
              reverse ? 0 : each,
              reverse || bidir ? each : 0,
              bytesPerWrite,
              session.seed(),
              session.clock);
      IperfJson.Setup setup =
          new IperfJson.Setup(
              server.address().getHostAddress(),
              port,
              session.seed(),
              bytesPerWrite,
              client.mtu(),
              omit,
              bytes == null ? seconds() : 0,
              bytes == null ? 0 : bytes,
              reverse,
              bidir,
              session.clock.now(),
              session.congestionControlName());
      IperfText text = new IperfText(out, bidir);
      IperfSeriesReport series =
          report == null ? null : new IperfSeriesReport(report, reportNanos, session.clock);
      if (!json) {
        HostTable.print(out, session);
        ConditionTable.printApplied(out, applied);
        printPlan(out, client, server, bytes, bytesPerWrite);
      }
      IperfTransfer.Result result;
      Duration timeLimit = Duration.ofNanos((long) (timeoutSeconds(bytes) * 1e9));
      SpeedUp.Stopwatch stopwatch = SpeedUp.start(session.clock);
      try (ProgressBar bar =
          showProgress(bytes)
              ? ProgressBar.start(err, transfer.totalBytes(), transfer::bytesReceived)
              : null) {
        result =
            session.run(
                () -> {
                  CompletableFuture<IperfTransfer.Result> run =
                      transfer.start(
                          timeLimit,
                          plan(bytes),
                          flow -> {
                            if (series != null) {
                              series.start(transfer.streams());
                            }
                            if (!json) {
                              text.printConnected(
                                  server.address().getHostAddress(),
                                  port,
                                  flow.src().getAddress().getHostAddress(),
                                  flow.src().getPort(),
                                  reverse);
                            }
                          },
                          interval -> {
                            if (!json) {
                              text.printInterval(interval);
                            }
                          });
                  // The series' last row is each sender once the run ended, failed or not.
                  return series == null
                      ? run
                      : run.whenCompleteAsync((r, e) -> series.stop(), session.clock.executor());
                },
                timeLimit.plus(RUN_MARGIN));
      } catch (ExecutionException failed) {
        if (!(failed.getCause() instanceof IperfTransfer.FailedException e)) {
          throw failed;
        }
        writeSeries(series, json ? null : out);
        SpeedUp speedUp = session.isVirtual() ? stopwatch.stop() : null;
        if (json) {
          out.print(
              IperfJson.failure(setup, e.getMessage(), conditionsJson(session), timeJson(speedUp)));
          out.flush();
        } else if (!applied.isEmpty()) {
          out.println();
          ConditionTable.print(out, session.seed(), session.conditionStats());
          out.flush();
        }
        if (speedUp != null && !json) {
          out.println(speedUp.line());
          out.flush();
        }
        err.println("vnetif iperf: " + e.getMessage());
        err.flush();
        return 1;
      }
      SpeedUp speedUp = session.isVirtual() ? stopwatch.stop() : null;
      if (json) {
        writeSeries(series, null);
        out.print(IperfJson.report(setup, result, conditionsJson(session), timeJson(speedUp)));
      } else {
        text.printSummary(result.summaries());
        out.println();
        result.reports().forEach(report -> report.print(out));
        if (!applied.isEmpty()) {
          out.println();
          ConditionTable.print(out, session.seed(), session.conditionStats());
        }
        if (session.pcapFile() != null) {
          out.printf("capture written to %s%n", session.pcapFile());
        }
        writeSeries(series, out);
        if (speedUp != null) {
          out.println();
          out.println(speedUp.line());
        }
        out.println();
        out.println("iperf Done.");
      }
      out.flush();
      return result.reports().stream().allMatch(IperfReport::contentMatches) ? 0 : 1;
    }
  }

  /** The --report files, when asked for; {@code out}, when not null, is told where they went. */
  private static void writeSeries(IperfSeriesReport series, PrintWriter out) throws IOException {
    if (series == null) {
      return;
    }
    List<Path> files = series.write();
    if (out != null && !files.isEmpty()) {
      out.printf(
          "report written to %s%n", String.join(", ", files.stream().map(Path::toString).toList()));
    }
  }

  private static Map<String, Object> conditionsJson(NetworkSession session) throws Exception {
    return ConditionTable.json(session.seed(), session.conditionStats());
  }

  /** The virtual and wall time of the run under {@code --virtual-time}, else nothing. */
  private static Map<String, Object> timeJson(SpeedUp speedUp) {
    return speedUp == null ? null : speedUp.json();
  }

  /**
   * In virtual time a timed run ends when virtual time reaches -t, which it does only if frames
   * take time to cross the network; on links without a delay or a rate it would run for ever.
   */
  private static void checkTimeCanPass(
      NetworkSession session, Long bytes, List<ConditionBlock> applied) {
    if (session.isVirtual() && bytes == null && !TimeOptions.takesTime(applied)) {
      throw new IllegalArgumentException(
          "a timed run (-t) in virtual time needs links that take time (--delay, --rate or "
              + "--slot): without one the transfer takes no virtual time and -t never comes; "
              + "give one, or send --size bytes");
    }
  }

  private void printPlan(
      PrintWriter out, Stack client, Stack server, Long bytes, int bytesPerWrite) {
    String amount =
        bytes != null
            ? bytes + " bytes"
            : String.format(Locale.ROOT, "%s seconds", number(seconds()))
                + (omit > 0
                    ? String.format(Locale.ROOT, " after %s seconds of warm-up", number(omit))
                    : "");
    out.printf(
        "iperf: %s %s -> %s %s port %d, %s %s in %d-byte writes%n",
        client.name(),
        client.address().getHostAddress(),
        server.name(),
        server.address().getHostAddress(),
        port,
        amount,
        bidir ? "each way" : reverse ? "from the server" : "from the client",
        bytesPerWrite);
    out.println();
    out.flush();
  }

  /** 10 as "10", 2.5 as "2.5". */
  private static String number(double value) {
    return value == Math.rint(value)
        ? Long.toString((long) value)
        : String.format(Locale.ROOT, "%s", value);
  }

  private double seconds() {
    return time != null ? time : DEFAULT_SECONDS;
  }

  private IperfTimeline.Plan plan(Long bytes) {
    return new IperfTimeline.Plan(
        (long) (omit * 1e9), bytes != null ? 0 : (long) (seconds() * 1e9), (long) (interval * 1e9));
  }

  private double timeoutSeconds(Long bytes) {
    if (timeout != null) {
      return timeout;
    }
    if (bytes == null) {
      return omit + seconds() + TIMEOUT_MARGIN_SECONDS;
    }
    // Over the wall clock five minutes is what a user waits; a simulated slow, lossy link takes
    // far longer in virtual time (100 MB at 2 Mbit/s: 400 s) in little wall time.
    return timeOptions.virtualTime ? VIRTUAL_SIZE_TIMEOUT_SECONDS : 300;
  }

  private long reportIntervalNanos() {
    try {
      return ConditionValues.positiveDuration(reportInterval).toNanos();
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("--report-interval " + e.getMessage(), e);
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
    if (timeout != null && !(timeout > 0)) {
      throw new IllegalArgumentException("--timeout must be > 0 seconds, got " + timeout);
    }
    if (size != null && time != null) {
      // iperf3: "only one test end condition (-t, -n, -k) may be specified"
      throw new IllegalArgumentException("give either -t/--time or -n/--size, not both");
    }
    if (time != null && !(time > 0)) {
      throw new IllegalArgumentException("-t/--time must be > 0 seconds, got " + time);
    }
    if (!(interval == 0 || interval >= 0.1)) {
      throw new IllegalArgumentException(
          "-i/--interval must be 0 (no intervals) or at least 0.1 seconds, got " + interval);
    }
    if (!(omit >= 0)) {
      throw new IllegalArgumentException("-O/--omit must be >= 0 seconds, got " + omit);
    }
    if (size != null && omit > 0) {
      throw new IllegalArgumentException(
          "-O/--omit warms up a timed run; with --size every byte counts");
    }
    if (size == null && Boolean.TRUE.equals(progress)) {
      throw new IllegalArgumentException(
          "--progress draws the share of --size done; a timed run prints intervals instead");
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
   * server have that MTU.
   */
  private NetworkSession openSession(Scenario scenario, int... mtuHosts) throws Exception {
    if (mtu == null) {
      return new NetworkSession(network.session, scenario, timeOptions.virtualTime);
    }
    List<StackConfig> hosts = new ArrayList<>(scenario.hosts());
    for (int i : mtuHosts) {
      hosts.set(i, hosts.get(i).withMtu(mtu));
    }
    return new NetworkSession(network.session, scenario.withHosts(hosts), timeOptions.virtualTime);
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

  /** Asked for, or on a terminal when no interval lines share it; only a --size run has a total. */
  private boolean showProgress(Long bytes) {
    if (bytes == null || json) {
      return false;
    }
    return progress != null ? progress : System.console() != null && interval == 0;
  }
}
