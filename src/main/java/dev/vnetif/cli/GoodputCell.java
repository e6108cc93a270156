package dev.vnetif.cli;

import dev.vnetif.LinkConditions;
import dev.vnetif.Stack;
import dev.vnetif.StackConfig;
import dev.vnetif.TcpFlowStats;
import java.time.Duration;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.ExecutionException;

/**
 * One cell of {@code vnetif goodput}: a timed TCP transfer between two hosts, in virtual time, on a
 * network whose every port loses frames with probability {@code p} and delays them by half the RTT
 * (so each direction gets half of it), optionally behind a rate limit. It runs in an actor system
 * of its own, so that cells neither share state nor wait on each other.
 */
final class GoodputCell {

  /**
   * What a cell is asked to run.
   *
   * @param lossPercent as the user wrote it (0.1 for 0.1%), which is also how it prints
   */
  record Spec(Duration rtt, double lossPercent) {
    Spec {
      if (rtt.isNegative() || rtt.isZero()) {
        throw new IllegalArgumentException("an RTT must be > 0, got " + rtt);
      }
      if (!(lossPercent >= 0 && lossPercent < 100)) {
        throw new IllegalArgumentException("a loss must be within 0..100%, got " + lossPercent);
      }
    }

    double lossProbability() {
      return lossPercent / 100;
    }

    /** {@code 10 ms, 0.1% loss}. */
    String describe() {
      return GoodputTable.rttText(rtt) + ", " + GoodputTable.lossText(lossPercent) + " loss";
    }
  }

  /**
   * How long cells run and on what links.
   *
   * @param minVirtual a lossy cell has run long enough after this much virtual time...
   * @param minLosses ... or once its sender retransmitted this many segments, whichever first
   * @param losslessVirtual how long a cell without loss runs
   * @param rateBitsPerSecond a rate limit on every port, 0 for none
   * @param seed the network's seed, the same for every cell
   * @param congestionControl the senders' congestion control by name ({@code cubic}, {@code
   *     newreno})
   * @param lossDetection how the senders find losses, by name ({@code rack}, {@code dupack})
   */
  record Settings(
      Duration minVirtual,
      long minLosses,
      Duration losslessVirtual,
      long rateBitsPerSecond,
      long seed,
      String congestionControl,
      String lossDetection) {}

  /**
   * A cell's figures.
   *
   * @param goodputBitsPerSecond payload bytes the receiver read, in bits, over the time from the
   *     first write to its end of stream
   * @param mss the sender's MSS
   * @param sender the sending flow's counters at the end
   * @param time the virtual time the transfer took and the wall time it took to simulate
   * @param error why the transfer failed, or null
   */
  record Result(
      Spec spec,
      double goodputBitsPerSecond,
      long bytes,
      int mss,
      TcpFlowStats sender,
      SpeedUp time,
      String error) {}

  /** Bytes per write, as iperf's default: the sender's buffer is kept full either way. */
  private static final int WRITE_SIZE = 3780;

  /** Room for the end of a cell after its test time: the queued writes drain, both ends close. */
  private static final Duration CLOSE_MARGIN = Duration.ofSeconds(600);

  private static final int PORT = 5001;

  private GoodputCell() {}

  /** Runs the cell; the calling thread waits while virtual time moves. */
  static Result run(Spec spec, Settings settings) throws Exception {
    SessionOptions options = new SessionOptions();
    options.seed = settings.seed();
    options.congestionControl = settings.congestionControl();
    options.lossDetection = settings.lossDetection();
    Scenario hosts =
        new Scenario(
            "goodput " + spec.describe(),
            OptionalLong.empty(),
            List.of(
                StackConfig.of("10.0.0.2/24").withName("client"),
                StackConfig.of("10.0.0.3/24").withName("server")));
    SpeedUp.Stopwatch stopwatch;
    try (NetworkSession session = new NetworkSession(options, hosts, true)) {
      session.applyConditions(conditions(spec, settings));
      Stack client = session.hosts.get(0);
      Stack server = session.hosts.get(1);
      IperfTransfer transfer =
          new IperfTransfer(
              client,
              server,
              PORT,
              IperfTransfer.UNTIL_STOPPED,
              0,
              WRITE_SIZE,
              session.seed(),
              session.clock);
      boolean lossless = spec.lossProbability() == 0;
      Duration length = lossless ? settings.losslessVirtual() : settings.minVirtual();
      IperfTimeline.EarlyStop enoughLosses =
          lossless
              ? IperfTimeline.EarlyStop.NEVER
              : (elapsed, base, now) ->
                  now.get(0).retransmits() - base.get(0).retransmits() >= settings.minLosses();
      IperfTimeline.Plan plan =
          new IperfTimeline.Plan(
              0, length.toNanos(), Duration.ofSeconds(1).toNanos(), enoughLosses);
      Duration limit = length.plus(CLOSE_MARGIN);
      stopwatch = SpeedUp.start(session.clock);
      try {
        IperfTransfer.Result r =
            session.run(
                () -> transfer.start(limit, plan, flow -> {}, interval -> {}), limit.plus(limit));
        IperfSummary.Side received = r.summaries().get(0).receiver();
        IperfReport report = r.reports().get(0);
        String error = report.contentMatches() ? null : "content differs (SHA-256)";
        return new Result(
            spec,
            received.bitsPerSecond(),
            received.bytes(),
            r.clientMss(),
            report.senderStats(),
            stopwatch.stop(),
            error);
      } catch (ExecutionException e) {
        Throwable cause = IperfEndpoint.unwrap(e);
        TcpFlowStats stats =
            cause instanceof IperfTransfer.FailedException f ? f.clientStats() : null;
        return new Result(
            spec,
            0,
            transfer.bytesReceived(),
            stats == null ? 0 : stats.mss(),
            stats,
            stopwatch.stop(),
            cause.getMessage().lines().findFirst().orElse(cause.toString()));
      }
    }
  }

  /** Loss, then half the RTT of delay, then the rate: each direction pays half the RTT. */
  static LinkConditions conditions(Spec spec, Settings settings) {
    LinkConditions c = LinkConditions.none();
    if (spec.lossProbability() > 0) {
      c = c.loss(spec.lossProbability());
    }
    c = c.delay(spec.rtt().dividedBy(2));
    if (settings.rateBitsPerSecond() > 0) {
      c = c.rate(settings.rateBitsPerSecond());
    }
    return c;
  }
}
