package dev.vnetif;

import static dev.vnetif.testsupport.TcpTestSupport.endpoint;
import static dev.vnetif.testsupport.TcpTestSupport.randomBytes;
import static dev.vnetif.testsupport.TcpTestSupport.readAll;
import static dev.vnetif.testsupport.TcpTestSupport.sha256Hex;
import static dev.vnetif.testsupport.TcpTestSupport.writeAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vnetif.tcp.LossDetection;
import dev.vnetif.testsupport.TcpTestSupport;
import dev.vnetif.testsupport.VirtualTimeKit;
import dev.vnetif.wire.TcpSegment;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * The tail-loss case, end to end in virtual time: a 100,000-byte transfer over a 10 ms path
 * whose last two data segments are lost on their first transmission. Nothing follows them, so no
 * duplicate ACK can reveal the loss. With RACK-TLP (RFC 8985 §7) a probe two SRTTs after the last
 * ACK resends the final segment, its SACK shows RACK the other hole, and the transfer ends a few
 * round trips later; with three-duplicate-ACK detection only the RTO (200 ms at least, RFC 6298
 * §2.4) repairs it.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(60)
class TailLossTest {
  static final Duration LIMIT = Duration.ofSeconds(30);
  static final int SIZE = 100_000;
  static final int PORT = 80;

  final VirtualTimeKit sim = VirtualTimeKit.create("tail-loss");

  @AfterAll
  void stop() {
    sim.close();
  }

  /** How one run went. */
  record Outcome(Duration tailRepair, TcpFlowStats sender, int dropped) {}

  Outcome transfer(LossDetection detection) {
    NetworkConfig base = NetworkConfig.fromConfig(sim.system().settings().config());
    VirtualNetwork net =
        VirtualNetwork.create(sim.system(), base.withTcp(base.tcp().withLossDetection(detection)));
    try {
      Stack client = sim.await(net.createStack("10.0.0.2/24"), LIMIT, "client");
      Stack server = sim.await(net.createStack("10.0.0.3/24"), LIMIT, "server");
      // The switch calls the predicate on its own actor, one frame at a time: it may keep state.
      int[] iss = new int[1];
      Set<Integer> lost = new HashSet<>();
      Duration[] lastDropAt = new Duration[1];
      int mss = 1448; // 1460 less the timestamps option
      int tailStart = (SIZE - 1) / mss * mss - mss; // the second-to-last segment's offset
      Predicate<Frame> lastTwoSegmentsOnce =
          frame -> {
            TcpSegment s = frame.tcp().orElse(null);
            if (s == null || s.destinationPort() != PORT) {
              return false;
            }
            if (s.isSyn()) {
              iss[0] = s.seq();
              return false;
            }
            int offset = s.seq() - (iss[0] + 1);
            if (s.payload().isEmpty() || offset < tailStart || !lost.add(offset)) {
              return false;
            }
            lastDropAt[0] = sim.now();
            return true;
          };
      sim.await(
          net.setConditions(
              LinkConditions.none()
                  .drop(lastTwoSegmentsOnce, "the last two segments, once")
                  .delay(Duration.ofMillis(5))),
          LIMIT,
          "conditions");

      byte[] data = randomBytes(12, SIZE);
      CompletableFuture<TcpTestSupport.ReadSummary> received = new CompletableFuture<>();
      CompletableFuture<Duration> allArrived = new CompletableFuture<>();
      server
          .tcp()
          .listen(
              PORT,
              flow ->
                  readAll(
                          flow,
                          soFar -> {
                            if (soFar == SIZE) {
                              allArrived.complete(sim.now());
                            }
                            return CompletableFuture.completedFuture(null);
                          })
                      .whenComplete(
                          (r, e) -> {
                            if (e != null) {
                              received.completeExceptionally(e);
                            } else {
                              received.complete(r);
                            }
                          }));
      TcpFlow flow =
          sim.await(client.tcp().createConnection(endpoint(server, PORT)), LIMIT, "connect");
      CompletionStage<?> sent = writeAll(flow, data, 16 * 1024);
      Duration done = sim.await(allArrived, LIMIT, "all 100,000 bytes at the server");
      sim.await(sent, LIMIT, "writes");
      TcpFlowStats stats = flow.stats();
      sim.await(flow.shutdown(ShutdownMode.WRITE), LIMIT, "FIN");
      TcpTestSupport.ReadSummary summary = sim.await(received, LIMIT, "the reader");
      assertEquals(sha256Hex(data), summary.hex(), "SHA-256 of what arrived");
      return new Outcome(done.minus(lastDropAt[0]), stats, lost.size());
    } finally {
      sim.await(net.shutdown(), LIMIT, "shutdown");
    }
  }

  @Test
  void rackTlpRepairsTheTailWithinAFewRoundTripsAndNoTimeout() {
    Outcome rack = transfer(LossDetection.RACK_TLP);
    Outcome dupAck = transfer(LossDetection.DUP_ACK);
    System.out.printf(
        "tail loss, 100,000 bytes, RTT 10 ms: RACK-TLP repaired in %s (SRTT %s, probes %d,"
            + " timeouts %d); three duplicate ACKs: %s (timeouts %d)%n",
        rack.tailRepair(),
        rack.sender().srtt(),
        rack.sender().tailLossProbes(),
        rack.sender().timeouts(),
        dupAck.tailRepair(),
        dupAck.sender().timeouts());
    assertEquals(2, rack.dropped(), "the last two segments were lost");
    assertEquals(2, dupAck.dropped());
    long srtt = rack.sender().srtt().toNanos();
    // The path's RTT is 10 ms; delayed ACKs make some samples longer.
    assertTrue(srtt >= 10_000_000 && srtt <= 30_000_000, "SRTT of a 10 ms path: " + srtt);
    // The probe goes 2·SRTT (the PTO) after the last ACK; its SACK returns one RTT later, and the
    // retransmission of the other hole takes half an RTT: within 2·SRTT + the PTO.
    assertEquals(0, rack.sender().timeouts(), "no RTO: " + rack.sender());
    assertEquals(1, rack.sender().tailLossProbes(), "one probe: " + rack.sender());
    assertTrue(
        rack.tailRepair().toNanos() <= 4 * srtt,
        "tail repaired in " + rack.tailRepair() + ", more than 2·SRTT + PTO = 4 SRTT");
    assertTrue(dupAck.sender().timeouts() >= 1, "the RTO repaired it: " + dupAck.sender());
    assertTrue(
        dupAck.tailRepair().compareTo(Duration.ofMillis(200)) >= 0,
        "without RACK-TLP the RTO (200 ms at least) repairs it: " + dupAck.tailRepair());
    assertEquals(0, dupAck.sender().tailLossProbes());
  }
}
