package dev.vnetif.cli;

import dev.vnetif.tcp.LossDetection;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code vnetif goodput}: the goodput of our TCP (CUBIC, or NewReno with {@code -C newreno}) over a
 * grid of random loss and RTT, each cell a timed transfer in virtual time, next to what the Mathis
 * and PFTK models predict for the same MSS, RTT and loss. The one way to produce the table in the
 * README, so that a change to the TCP (SACK) is measured the same way.
 */
@Command(
    name = "goodput",
    mixinStandardHelpOptions = true,
    description =
        "Measure TCP goodput over a grid of random loss x RTT in virtual time, and print it as a "
            + "markdown table next to the Mathis (MSS/RTT*1.22/sqrt(p)) and PFTK (Padhye et al., "
            + "b = 2, T0 = the minimum RTO) models. Each cell is a transfer between two hosts "
            + "whose every switch port loses frames with probability p and delays them by RTT/2, "
            + "behind a --rate that never binds the lossy cells; a lossy cell runs until its "
            + "sender has retransmitted --min-losses segments or for --min-virtual, whichever "
            + "comes first, a lossless one for --lossless-virtual.",
    footer =
        "Exit status: 0 when every cell's transfer completed with its content intact, 1 when one "
            + "did not, 2 on a usage error.")
final class GoodputCommand implements Callable<Integer> {

  @Option(
      names = "--losses",
      split = ",",
      paramLabel = "PERCENT",
      defaultValue = "0,0.1,1,5",
      description = "Loss rates in percent, each applied to every port (default ${DEFAULT-VALUE}).")
  List<String> losses;

  @Option(
      names = "--rtts",
      split = ",",
      paramLabel = "TIME",
      defaultValue = "10ms,100ms",
      description =
          "Round-trip times; each direction is delayed by half (default ${DEFAULT-VALUE}).")
  List<String> rtts;

  @Option(
      names = "--min-virtual",
      paramLabel = "TIME",
      defaultValue = "200s",
      description =
          "A lossy cell has run long enough after this much virtual time (default "
              + "${DEFAULT-VALUE}), or sooner with --min-losses.")
  String minVirtual;

  @Option(
      names = "--min-losses",
      paramLabel = "N",
      defaultValue = "1000",
      description =
          "A lossy cell has run long enough once its sender retransmitted N segments (default "
              + "${DEFAULT-VALUE}), or sooner with --min-virtual.")
  long minLosses;

  @Option(
      names = "--lossless-virtual",
      paramLabel = "TIME",
      defaultValue = "5s",
      description =
          "How long a cell without loss runs, in virtual time (default ${DEFAULT-VALUE}); it "
              + "reaches its window limit, 256 KiB a round trip, within the first second.")
  String losslessVirtual;

  @Option(
      names = "--rate",
      paramLabel = "RATE",
      defaultValue = "1Gbit",
      description =
          "Rate limit on every port (default ${DEFAULT-VALUE}), far above any lossy cell's "
              + "goodput, so that frames cross one after another as on any link; 0 for none "
              + "(then a whole window arrives at one instant and is acknowledged by fewer ACKs).")
  String rate;

  @Option(
      names = {"-C", "--congestion-control", "--congestion"},
      paramLabel = "ALGO",
      description =
          "Congestion control of the senders: cubic or newreno (default: "
              + "vnetif.tcp.congestion-control, cubic unless configured otherwise).")
  String congestionControl;

  @Option(
      names = "--loss-detection",
      paramLabel = "WAY",
      description =
          "How the senders find lost segments: rack (RACK-TLP, RFC 8985) or dupack (three "
              + "duplicate ACKs, RFC 6675) (default: vnetif.tcp.loss-detection, rack unless "
              + "configured otherwise).")
  String lossDetection;

  @Option(
      names = "--seed",
      paramLabel = "N",
      defaultValue = "1",
      description = "Seed of every cell's network (default ${DEFAULT-VALUE}).")
  long seed;

  @Option(
      names = "--jobs",
      paramLabel = "N",
      defaultValue = "1",
      description =
          "Cells simulated at once, each on a thread of its own (default ${DEFAULT-VALUE}: the "
              + "wall time of each cell is its own).")
  int jobs;

  @Option(
      names = {"-J", "--json"},
      description = "Print one JSON document instead of the table.")
  boolean json;

  @Spec CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    List<GoodputCell.Spec> cells = cells();
    GoodputCell.Settings settings = settings();
    if (jobs < 1) {
      throw new IllegalArgumentException("--jobs must be at least 1, got " + jobs);
    }
    Duration t0 = NetworkSession.loadConfig(null).getDuration("vnetif.tcp.min-rto");
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    if (!json) {
      printPlan(out, settings, t0, cells.size());
    }
    long wallStart = WallClock.nanos();
    List<GoodputCell.Result> results = runAll(cells, settings, err);
    long virtual = results.stream().mapToLong(r -> r.time().virtualNanos()).sum();
    GoodputTable table =
        new GoodputTable(
            results, settings, t0, new SpeedUp(virtual, WallClock.nanos() - wallStart));
    if (json) {
      out.print(table.json());
    } else {
      table.printMarkdown(out);
    }
    out.flush();
    return table.anyFailed() ? 1 : 0;
  }

  /** Every RTT with every loss, in the order given: RTT by RTT. */
  private List<GoodputCell.Spec> cells() {
    List<GoodputCell.Spec> all = new ArrayList<>();
    for (String rtt : rtts) {
      Duration d = ConditionValues.duration(rtt.strip());
      for (String loss : losses) {
        all.add(new GoodputCell.Spec(d, percent(loss)));
      }
    }
    return all;
  }

  private GoodputCell.Settings settings() {
    if (minLosses < 1) {
      throw new IllegalArgumentException("--min-losses must be at least 1, got " + minLosses);
    }
    Duration min = positive("--min-virtual", minVirtual);
    Duration lossless = positive("--lossless-virtual", losslessVirtual);
    long bits = rate.strip().equals("0") ? 0 : ConditionValues.bitsPerSecond(rate.strip());
    String name =
        congestionControl != null
            ? congestionControl
            : NetworkSession.loadConfig(null).getString("vnetif.tcp.congestion-control");
    // Checked here, before any cell runs.
    String algorithm = NetworkSession.congestionControl(name).create(1460, 14_600).name();
    String detection =
        lossDetection != null
            ? lossDetection
            : NetworkSession.loadConfig(null).getString("vnetif.tcp.loss-detection");
    String detectionName =
        NetworkSession.lossDetection(detection) == LossDetection.RACK_TLP ? "rack" : "dupack";
    return new GoodputCell.Settings(min, minLosses, lossless, bits, seed, algorithm, detectionName);
  }

  private static Duration positive(String option, String text) {
    Duration d = ConditionValues.duration(text.strip());
    if (d.isZero() || d.isNegative()) {
      throw new IllegalArgumentException(option + " must be > 0, got " + text);
    }
    return d;
  }

  /** {@code 0.1} or {@code 0.1%}: percent either way, as the table prints it. */
  private static double percent(String text) {
    String number = text.strip();
    if (number.endsWith("%")) {
      number = number.substring(0, number.length() - 1);
    }
    try {
      return Double.parseDouble(number);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          "--losses takes percentages such as 0.1 or 5, got '" + text + "'", e);
    }
  }

  /** Each cell in its own actor system, --jobs at a time; results in the cells' order. */
  private List<GoodputCell.Result> runAll(
      List<GoodputCell.Spec> cells, GoodputCell.Settings settings, PrintWriter err)
      throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(jobs);
    try {
      List<Future<GoodputCell.Result>> futures = new ArrayList<>();
      for (GoodputCell.Spec cell : cells) {
        futures.add(
            pool.submit(
                () -> {
                  GoodputCell.Result r = GoodputCell.run(cell, settings);
                  progress(err, r);
                  return r;
                }));
      }
      List<GoodputCell.Result> results = new ArrayList<>();
      for (Future<GoodputCell.Result> f : futures) {
        try {
          results.add(f.get());
        } catch (ExecutionException e) {
          throw e.getCause() instanceof Exception cause ? cause : e;
        }
      }
      return results;
    } finally {
      pool.shutdownNow();
    }
  }

  /** A line on stderr as each cell ends: the table comes only once all have. */
  private static void progress(PrintWriter err, GoodputCell.Result r) {
    synchronized (err) {
      err.printf(
          Locale.ROOT,
          "goodput: %s: %s Mbit/s; %s%n",
          r.spec().describe(),
          r.error() == null ? GoodputTable.mbit(r.goodputBitsPerSecond()) : "failed",
          r.time().line());
      err.flush();
    }
  }

  private void printPlan(PrintWriter out, GoodputCell.Settings settings, Duration t0, int count) {
    out.printf(
        Locale.ROOT,
        "goodput: %d cells (RTT %s x loss %s%%), %s with %s loss detection, MTU 1500, seed %d,"
            + " in virtual time%n",
        count,
        String.join(", ", rtts),
        String.join(", ", losses),
        settings.congestionControl(),
        settings.lossDetection(),
        settings.seed());
    out.printf(
        Locale.ROOT,
        "every port: loss p, delay RTT/2, %s; a lossy cell runs until %d retransmissions or %s "
            + "of virtual time, a lossless one %s%n",
        settings.rateBitsPerSecond() > 0 ? "rate " + rate.strip() : "no rate limit",
        settings.minLosses(),
        ConditionValues.durationText(settings.minVirtual()),
        ConditionValues.durationText(settings.losslessVirtual()));
    out.printf(
        Locale.ROOT,
        "models: Mathis MSS/RTT*%.2f/sqrt(p); PFTK with b = %d, T0 = %s (the minimum RTO)%n%n",
        GoodputModels.MATHIS_C,
        GoodputModels.PFTK_SEGMENTS_PER_ACK,
        ConditionValues.durationText(t0));
    out.flush();
  }
}
