package dev.vnetif.bench;

import dev.vnetif.tcp.Tcb;
import dev.vnetif.tcp.TcbEvent;
import dev.vnetif.tcp.TcbOutput;
import dev.vnetif.tcp.TcpConfig;
import dev.vnetif.tcp.TcpState;
import dev.vnetif.wire.TcpOptions;
import dev.vnetif.wire.TcpSegment;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.util.ByteString;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * Per-segment cost of the {@link Tcb}: a receiver taking in-order 1460-byte segments (and
 * acknowledging every second one), and a sender processing the ACK of one segment and sending the
 * next. Run with {@code mvn -Pbench verify} (see the README).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class TcbBenchmark {
  static final int MSS = 1460;
  static final long MS = 1_000_000L;

  /** Discards what the Tcb produces, but makes the JIT believe it is used. */
  static final class Sink implements TcbOutput {
    Blackhole blackhole;
    long segments;

    @Override
    public void segment(TcpSegment segment) {
      segments++;
      blackhole.consume(segment);
    }

    @Override
    public void event(TcbEvent event) {
      blackhole.consume(event);
    }
  }

  /** An established connection receiving in-order data from the peer. */
  @State(Scope.Thread)
  public static class Receiver {
    final Sink sink = new Sink();
    Tcb tcb;
    int peerSeq;
    long now = 1_000_000_000L;
    TcpSegment template;
    final ByteString payload = ByteString.fromArray(new byte[MSS]);

    @Setup(Level.Trial)
    public void setUp(Blackhole blackhole) {
      sink.blackhole = blackhole;
      tcb = Tcb.connect(TcpConfig.defaults(), 80, 40000, 1000, sink, now);
      tcb.segmentArrived(
          new TcpSegment(
              40000,
              80,
              5000,
              1001,
              TcpSegment.SYN | TcpSegment.ACK,
              65535,
              0,
              TcpOptions.NONE.withMss(MSS).withWindowScale(7),
              ByteString.emptyByteString()),
          now);
      peerSeq = 5001;
    }

    /** A benchmark of a path that was not taken would measure nothing: check it was. */
    @TearDown(Level.Trial)
    public void check() {
      long delivered = tcb.stats().bytesReceived();
      long expected = ((long) peerSeq - 5001) & 0xFFFFFFFFL;
      if (delivered == 0 || tcb.state() != TcpState.ESTABLISHED) {
        throw new IllegalStateException("receiver took no data: " + tcb.stats());
      }
      System.out.printf(
          "%nreceiver: %d bytes delivered (sequence advanced %d), %d segments out%n",
          delivered, expected, sink.segments);
    }
  }

  @Benchmark
  public void inOrderReceive(Receiver r) {
    r.now += 10_000;
    r.tcb.segmentArrived(
        new TcpSegment(
            40000, 80, r.peerSeq, 1001, TcpSegment.ACK, 2048, 0, TcpOptions.NONE, r.payload),
        r.now);
    r.peerSeq += MSS;
    r.tcb.consumed(MSS, r.now); // the application reads it at once
  }

  /** An established connection with a full send buffer, acknowledged one segment at a time. */
  @State(Scope.Thread)
  public static class Sender {
    final Sink sink = new Sink();
    Tcb tcb;
    int acked;
    long now = 1_000_000_000L;
    final ByteString chunk = ByteString.fromArray(new byte[MSS]);

    /** The peer's SYN-ACK options: MSS and window scale, and SACK-permitted in {@link Sack}. */
    TcpOptions peerOptions() {
      return TcpOptions.NONE.withMss(MSS).withWindowScale(7);
    }

    @Setup(Level.Trial)
    public void setUp(Blackhole blackhole) {
      sink.blackhole = blackhole;
      tcb = Tcb.connect(TcpConfig.defaults(), 80, 40000, 1000, sink, now);
      tcb.segmentArrived(
          new TcpSegment(
              40000,
              80,
              5000,
              1001,
              TcpSegment.SYN | TcpSegment.ACK,
              65535,
              0,
              peerOptions(),
              ByteString.emptyByteString()),
          now);
      while (tcb.sendBufferFree() > 0) {
        tcb.send(chunk, false, now);
      }
      acked = 1001;
    }

    @TearDown(Level.Trial)
    public void check() {
      if (tcb.stats().bytesAcked() == 0 || tcb.state() != TcpState.ESTABLISHED) {
        throw new IllegalStateException("sender made no progress: " + tcb.stats());
      }
      System.out.printf(
          "%nsender: %d bytes acknowledged, %d segments out, %d retransmitted%n",
          tcb.stats().bytesAcked(), sink.segments, tcb.stats().retransmittedSegments());
    }
  }

  /**
   * As {@link Sender}, with SACK negotiated: every segment sent is a record on the SACK scoreboard
   * (RFC 6675), and every ACK drops the records it covers — a whole peer window of them in flight.
   */
  @State(Scope.Thread)
  public static class Sack extends Sender {
    @Override
    TcpOptions peerOptions() {
      return super.peerOptions().withSackPermitted();
    }
  }

  @Benchmark
  public void senderAckProcessingSack(Sack s) {
    senderAckProcessing(s);
  }

  @Benchmark
  public void senderAckProcessing(Sender s) {
    s.now += 10_000;
    s.acked += MSS;
    s.tcb.segmentArrived(
        new TcpSegment(
            40000,
            80,
            5001,
            s.acked,
            TcpSegment.ACK,
            2048,
            0,
            TcpOptions.NONE,
            ByteString.emptyByteString()),
        s.now);
    s.tcb.send(s.chunk, false, s.now); // keep the send buffer full
  }
}
