package dev.vnetif.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vnetif.NetworkConfig;
import dev.vnetif.cli.BenchSidesTest.Run;
import dev.vnetif.cli.BenchTransport.BulkResult;
import dev.vnetif.cli.BenchTransport.PingPongResult;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.stream.javadsl.Flow;
import org.apache.pekko.stream.javadsl.Keep;
import org.apache.pekko.stream.javadsl.Tcp;
import org.apache.pekko.util.ByteString;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The Streams side of {@code vnetif bench}: Pekko Streams over {@code VirtualTcp}, running the same
 * Streams code as over Pekko's {@code Tcp}, at sizes that run in seconds; its bytes checked, its
 * section of the table, and {@code --sides}.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class BenchStreamsTest {
  private static final String NUMBER = "\\d+(?:\\.\\d+)?";
  private static final Duration DEADLINE = Duration.ofSeconds(60);

  /** Two bulk writes and a short one: the last piece of the stream is not a whole write. */
  private static final long BULK_BYTES = 2L * BenchPayloads.CHUNK_SIZE + 1_000;

  private static ActorTestKit kit;
  private static NetworkConfig config;

  @BeforeAll
  static void start() {
    kit = ActorTestKit.create("bench-streams");
    config = NetworkConfig.fromConfig(kit.system().settings().config());
  }

  @AfterAll
  static void stop() {
    kit.shutdownTestKit();
  }

  @Test
  @DisplayName(
      "bulk over VirtualTcp: every byte sent arrives, each piece checked at its stream offset")
  void bulkOverVirtualTcp() throws Exception {
    try (BenchStreamsTransport streams =
        BenchStreamsTransport.virtual(kit.system(), config, 1500)) {
      assertEquals(BenchStreamsTransport.STREAMS, streams.name());
      BulkResult r = streams.bulk(BULK_BYTES, DEADLINE);
      assertEquals(BULK_BYTES, r.bytes());
      assertTrue(r.nanos() > 0 && r.megabytesPerSecond() > 0, r.toString());
    }
  }

  @Test
  @DisplayName("ping-pong over VirtualTcp: every round trip echoed exactly and timed")
  void pingPongOverVirtualTcp() throws Exception {
    try (BenchStreamsTransport streams =
        BenchStreamsTransport.virtual(kit.system(), config, 1500)) {
      PingPongResult r = streams.pingPong(300, DEADLINE);
      assertEquals(300, r.roundTrips());
      assertTrue(Arrays.stream(r.latencyNanos()).allMatch(n -> n > 0), "a round trip untimed");
      assertTrue(r.medianMicros() <= r.p99Micros(), r.medianMicros() + " > " + r.p99Micros());
    }
  }

  @Test
  @DisplayName(
      "the Streams code checks what arrives: a bulk transfer whose last write arrives shifted by "
          + "one byte fails with the offset, an echo with one byte changed fails the round trip")
  void wrongBytesAreCaught() throws Exception {
    try (BenchStreamsTransport good = BenchStreamsTransport.virtual(kit.system(), config, 1500)) {
      StreamsTcp virtual = good.tcp();
      BenchStreamsTransport bulk =
          new BenchStreamsTransport(
              "corrupted",
              "the last bulk write rotated",
              kit.system(),
              toServer(virtual, 2),
              () -> {});
      BenchFailure wrongBulk =
          assertThrows(BenchFailure.class, () -> bulk.bulk(BULK_BYTES, DEADLINE));
      assertTrue(
          wrongBulk.getMessage().contains("bulk: wrong bytes at stream offset"),
          wrongBulk.getMessage());

      BenchStreamsTransport pingPong =
          new BenchStreamsTransport(
              "corrupted", "the sixth echo changed", kit.system(), toClient(virtual, 5), () -> {});
      BenchFailure wrongEcho =
          assertThrows(BenchFailure.class, () -> pingPong.pingPong(20, DEADLINE));
      assertTrue(
          wrongEcho.getMessage().matches("pingpong: round trip \\d echoed .* differ.*"),
          wrongEcho.getMessage());
    }
  }

  @Test
  @DisplayName(
      "--sides streams,pekko: the Streams section alone, VirtualTcp's and Tcp's figures for bulk"
          + " and ping-pong and their ratio, oriented so that above 1 is VirtualTcp doing better")
  void streamsSectionWithRatio() {
    Run r =
        BenchSidesTest.run(
            new BenchCommand(),
            "--sides",
            "streams,pekko",
            "--workloads",
            "bulk,pingpong",
            "--bulk-size",
            "4MiB",
            "--pingpong-count",
            "300");
    assertEquals(0, r.exitCode(), r.all());
    assertTrue(r.out().contains("Streams: the same Pekko Streams code over VirtualTcp"), r.out());
    assertTrue(
        Pattern.compile("(?m)^workload +virtual-streams +pekko-tcp +ratio$")
            .matcher(r.out())
            .find(),
        r.out());
    assertFalse(
        Pattern.compile("(?m)^workload +virtual ").matcher(r.out()).find(),
        "no table for the virtual side that did not run:\n" + r.out());
    double[] bulk = figures(r.out(), "bulk \\(MB/s\\)");
    assertEquals(bulk[0] / bulk[1], bulk[2], 0.01 * bulk[2] + 0.002, r.out());
    double[] rate = figures(r.out(), "pingpong \\(round trips/s\\)");
    assertEquals(rate[0] / rate[1], rate[2], 0.01 * rate[2] + 0.002, r.out());
    double[] median = figures(r.out(), "pingpong median \\(us\\)");
    // Latencies: Pekko's over ours, so that above 1 is still ours doing better.
    assertEquals(median[1] / median[0], median[2], 0.05 * median[2] + 0.002, r.out());
    figures(r.out(), "pingpong p99 \\(us\\)");
    assertTrue(r.out().contains("bulk over virtual-streams: 4 MiB (4194304 bytes)"), r.out());
    assertTrue(
        r.out().contains("pingpong over virtual-streams: 300 sequential round trips"), r.out());
  }

  @Test
  @DisplayName("--sides virtual,streams: a column each, no ratio, Pekko's side never built")
  void withoutPekkoNoRatio() {
    BenchCommand command = new BenchCommand();
    command.pekkoSide =
        system -> {
          throw new AssertionError("the Pekko side must not be built");
        };
    Run r =
        BenchSidesTest.run(
            command, "--sides", "virtual,streams", "--workloads", "pingpong", "--quick");
    assertEquals(0, r.exitCode(), r.all());
    assertTrue(Pattern.compile("(?m)^workload +virtual$").matcher(r.out()).find(), r.out());
    assertTrue(Pattern.compile("(?m)^workload +virtual-streams$").matcher(r.out()).find(), r.out());
    assertFalse(r.out().contains("ratio >"), r.out());
    assertFalse(r.out().contains("pekko-tcp"), r.out());
  }

  @Test
  @DisplayName("a bad --sides, alone or in a list, is refused before anything runs, named")
  void badSides() {
    for (String sides : new String[] {"kernel", "virtual,kernel", "streams,", ""}) {
      Run r = BenchSidesTest.run(new BenchCommand(), "--sides", sides);
      assertEquals(2, r.exitCode(), sides + ": " + r.all());
      assertTrue(
          r.err()
              .contains(
                  "--sides takes virtual, streams and pekko, comma-separated, or both or all, got '"
                      + sides
                      + "'"),
          r.err());
      assertEquals("", r.out(), sides);
    }
  }

  /** The row's figures: ours, Pekko's, the ratio. */
  private static double[] figures(String out, String measure) {
    String streams = out.substring(out.indexOf("Streams: "));
    Matcher m =
        Pattern.compile(
                "(?m)^" + measure + " +(" + NUMBER + ") +(" + NUMBER + ") +(" + NUMBER + ")$")
            .matcher(streams);
    assertTrue(m.find(), "no Streams row " + measure + " in\n" + out);
    return new double[] {
      Double.parseDouble(m.group(1)), Double.parseDouble(m.group(2)), Double.parseDouble(m.group(3))
    };
  }

  /** {@code inner}, with the client's write number {@code index} rotated by one byte. */
  private static StreamsTcp toServer(StreamsTcp inner, long index) {
    return withConnector(
        inner,
        port ->
            Flow.of(ByteString.class)
                .zipWithIndex()
                .map(p -> p.second() == index ? rotated(p.first()) : p.first())
                .viaMat(inner.outgoingConnection(port), Keep.right()));
  }

  /** {@code inner}, with the first byte of the client's read number {@code index} changed. */
  private static StreamsTcp toClient(StreamsTcp inner, long index) {
    return withConnector(
        inner,
        port ->
            inner
                .outgoingConnection(port)
                .zipWithIndex()
                .map(p -> p.second() == index ? flipped(p.first()) : p.first()));
  }

  private static StreamsTcp withConnector(
      StreamsTcp inner,
      IntFunction<Flow<ByteString, ByteString, CompletionStage<Tcp.OutgoingConnection>>> f) {
    return new StreamsTcp(
        inner.serverHost(), inner.clientHost(), inner.binder(), f, inner.roomCheck());
  }

  private static ByteString rotated(ByteString piece) {
    return piece.drop(1).concat(piece.take(1));
  }

  private static ByteString flipped(ByteString piece) {
    byte[] bytes = piece.toArray();
    bytes[0] ^= 0x5a;
    return ByteString.fromArray(bytes);
  }
}
