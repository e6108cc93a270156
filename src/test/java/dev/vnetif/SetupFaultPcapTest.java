package dev.vnetif;

import static dev.vnetif.testsupport.TcpTestSupport.endpoint;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vnetif.testsupport.VirtualTimeKit;
import dev.vnetif.wire.EthernetFrame;
import dev.vnetif.wire.Ipv4Packet;
import dev.vnetif.wire.MalformedPacketException;
import dev.vnetif.wire.TcpSegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.pekko.util.ByteString;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A scripted fault during connection setup, which a proxy cannot give: the first two SYN-ACKs are
 * dropped by the switch, so the client retransmits its SYN at the RFC 6298 times — 1 s after the
 * first (the initial RTO, §2.1), then 2 s later (the timer backed off, §5.5) — read from the
 * capture. In virtual time, so the capture's timestamps are the exact instants, to the microsecond.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(60) // wall-clock bound; every wait inside is bounded in virtual time
class SetupFaultPcapTest {
  /** Bound on each wait, in virtual time. */
  static final Duration TIMEOUT = Duration.ofSeconds(15);

  final VirtualTimeKit sim = VirtualTimeKit.create("setup-fault");

  @AfterAll
  void stopTestKit() {
    sim.close();
  }

  <T> T await(CompletionStage<T> stage, Duration limit, String what) {
    return sim.await(stage, limit, what);
  }

  @TempDir Path dir;

  @Test
  @DisplayName(
      "the SYN-ACKs of the first two SYNs dropped: the SYN goes out at 0 s, 1 s and 3 s (pcap)")
  void synRetransmissionsAtTheRfc6298Times() throws Exception {
    VirtualNetwork net = VirtualNetwork.create(sim.system());
    try {
      Stack client = await(net.createStack("10.0.0.2/24"), TIMEOUT, "client");
      Stack server = await(net.createStack("10.0.0.3/24"), TIMEOUT, "server");
      server.tcp().listen(80, flow -> CompletableFuture.completedFuture(null));
      // The client's SYNs are counted as they enter the switch (a condition that never drops);
      // every SYN-ACK is dropped until the third SYN went by. That is the SYN-ACKs answering the
      // first two SYNs — and the server's own SYN-ACK retransmission, which goes out at the same
      // 1 s as the client's second SYN (its RTO started with ours).
      AtomicInteger syns = new AtomicInteger();
      AtomicInteger synAcksDropped = new AtomicInteger();
      await(
          net.setConditions(
              client,
              Direction.INGRESS,
              LinkConditions.none()
                  .drop(
                      f -> {
                        if (f.tcp().filter(t -> hasOnly(t, TcpSegment.SYN)).isPresent()) {
                          syns.incrementAndGet();
                        }
                        return false;
                      },
                      "count SYNs")),
          TIMEOUT,
          "counting");
      await(
          net.setConditions(
              server,
              client,
              LinkConditions.none()
                  .drop(
                      f -> {
                        boolean drop =
                            f.tcp()
                                    .filter(t -> hasOnly(t, TcpSegment.SYN | TcpSegment.ACK))
                                    .isPresent()
                                && syns.get() < 3;
                        if (drop) {
                          synAcksDropped.incrementAndGet();
                        }
                        return drop;
                      },
                      "SYN-ACKs before the third SYN")),
          TIMEOUT,
          "conditions");
      Path file = dir.resolve("setup-fault.pcap");
      TcpFlow flow =
          await(
              net.recordPcap(file, () -> client.tcp().createConnection(endpoint(server, 80))),
              TIMEOUT,
              "connect through two lost SYN-ACKs");
      flow.abort();

      List<Long> synTimes = new ArrayList<>();
      for (Captured c : read(file)) {
        TcpSegment segment = tcpOf(c.frame());
        if (segment != null
            && (segment.flags() & (TcpSegment.SYN | TcpSegment.ACK)) == TcpSegment.SYN) {
          synTimes.add(c.micros());
        }
      }
      assertEquals(3, synTimes.size(), "SYNs in the capture: " + synTimes);
      long first = synTimes.get(0);
      long second = synTimes.get(1) - first;
      long third = synTimes.get(2) - first;
      System.out.printf("SYN retransmissions at +%d us and +%d us%n", second, third);
      assertEquals(1_000_000, second, "first retransmission, in microseconds after the SYN");
      assertEquals(3_000_000, third, "second retransmission, in microseconds after the SYN");
      ConditionStats stats = await(net.conditionStats(), TIMEOUT, "stats");
      assertEquals(synAcksDropped.get(), stats.dropped(), stats.toString());
      assertTrue(synAcksDropped.get() >= 2, "SYN-ACKs dropped: " + synAcksDropped.get());
    } finally {
      await(net.shutdown(), TIMEOUT, "shutdown");
    }
  }

  static boolean hasOnly(TcpSegment t, int flags) {
    return (t.flags() & (TcpSegment.SYN | TcpSegment.ACK)) == flags;
  }

  record Captured(long micros, ByteString frame) {}

  /** The records of a classic pcap file as we write it (microseconds, native or swapped). */
  static List<Captured> read(Path file) throws Exception {
    ByteBuffer in = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
    if (in.getInt(0) != 0xa1b2c3d4) {
      in.order(ByteOrder.BIG_ENDIAN);
    }
    assertEquals(0xa1b2c3d4, in.getInt(0), "pcap magic (microsecond timestamps)");
    List<Captured> records = new ArrayList<>();
    int at = 24;
    while (at + 16 <= in.limit()) {
      long seconds = in.getInt(at) & 0xFFFF_FFFFL;
      long micros = in.getInt(at + 4) & 0xFFFF_FFFFL;
      int length = in.getInt(at + 8);
      byte[] frame = new byte[length];
      in.get(at + 16, frame);
      records.add(new Captured(seconds * 1_000_000 + micros, ByteString.fromArray(frame)));
      at += 16 + length;
    }
    return records;
  }

  static TcpSegment tcpOf(ByteString frame) {
    try {
      EthernetFrame eth = EthernetFrame.parse(frame);
      if (eth.etherType() != EthernetFrame.ETHERTYPE_IPV4) {
        return null;
      }
      Ipv4Packet ip = Ipv4Packet.parse(eth.payload(), false);
      if (ip.protocol() != Ipv4Packet.PROTO_TCP) {
        return null;
      }
      return TcpSegment.parse(ip.payload(), ip.source(), ip.destination(), false);
    } catch (MalformedPacketException e) {
      return null;
    }
  }
}
