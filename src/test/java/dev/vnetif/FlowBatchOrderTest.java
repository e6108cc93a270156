package dev.vnetif;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vnetif.testsupport.RawPeer;
import dev.vnetif.testsupport.VirtualTimeKit;
import dev.vnetif.wire.Ipv4Address;
import dev.vnetif.wire.TcpOptions;
import dev.vnetif.wire.TcpSegment;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.Done;
import org.apache.pekko.util.ByteString;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 8: a peer's input never crashes a flow, whatever its segments share one batch with. A
 * scripted peer puts an ACK, data or a FIN into the same switch delivery as a RST (so the flow gets
 * them in one {@code SegmentsIn}) while the application waits on a write or a read. The suite's
 * NoErrorLogsExtension fails any of these tests during which an actor logged an ERROR. In virtual
 * time: the peer waits for the host to go quiet without the wall clock.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(60) // wall-clock bound on each test; every wait inside is bounded in virtual time
class FlowBatchOrderTest {
  /** Bound on each wait, in virtual time. */
  static final Duration WAIT = Duration.ofSeconds(5);

  static final int PEER_ISS = 5_000_000;

  /** Larger than the send buffer (256 KiB by default), so part of it waits for room. */
  static final int BIG_WRITE = 1 << 20;

  final VirtualTimeKit sim = VirtualTimeKit.create("flow-batch-order");

  VirtualNetwork net;
  Stack host;
  RawPeer peer;
  Ipv4Address hostIp;

  @BeforeEach
  void setUp() {
    net = VirtualNetwork.create(sim.system());
    host = await(net.createStack("10.0.0.2/24"));
    hostIp = Ipv4Address.fromInet(host.address());
    peer = new RawPeer(await(net.attachRawPort("peer")), Ipv4Address.of("10.0.0.9"), sim.time());
  }

  @AfterEach
  void tearDown() {
    await(net.shutdown());
  }

  @AfterAll
  void stopTestKit() {
    sim.close();
  }

  <T> T await(CompletionStage<T> stage) {
    return sim.await(stage, WAIT, "stage");
  }

  Throwable failureOf(CompletionStage<?> stage) {
    return sim.failureOf(stage, WAIT, "stage");
  }

  void awaitCondition(java.util.function.BooleanSupplier condition, String what) {
    sim.awaitCondition(condition, WAIT, () -> what);
  }

  /** The host's accepted flow and the sequence numbers the peer needs to talk to it. */
  record Accepted(TcpFlow flow, int hostIss) {}

  /** Handshake from the peer's port 40000 to the host's port 80; returns the accepted flow. */
  Accepted connect() throws Exception {
    CompletableFuture<TcpFlow> accepted = new CompletableFuture<>();
    host.tcp()
        .listen(
            80,
            flow -> {
              accepted.complete(flow);
              return new CompletableFuture<>();
            });
    peer.sendTcp(
        host.mac(),
        hostIp,
        TcpSegment.of(40000, 80, PEER_ISS, 0, TcpSegment.SYN, 65535)
            .withOptions(TcpOptions.NONE.withMss(1460)));
    TcpSegment synAck = peer.nextTcp(WAIT);
    assertNotNull(synAck, "SYN-ACK");
    peer.sendTcp(host.mac(), hostIp, ack(synAck.seq() + 1));
    TcpFlow flow = await(accepted);
    return new Accepted(flow, synAck.seq());
  }

  static TcpSegment ack(int ackNumber) {
    return TcpSegment.of(40000, 80, PEER_ISS + 1, ackNumber, TcpSegment.ACK, 65535);
  }

  /** RST at {@code seq}: exactly RCV.NXT is what RFC 5961 §3.2 accepts without a challenge. */
  static TcpSegment rst(int seq) {
    return TcpSegment.of(40000, 80, seq, 0, TcpSegment.RST, 0);
  }

  /** The data segments the host sent until it went quiet; returns the byte after the last. */
  int receiveUntilQuiet(int hostIss) throws Exception {
    int next = hostIss + 1;
    TcpSegment s;
    int count = 0;
    while ((s = peer.nextTcp(Duration.ofMillis(300))) != null) {
      int end = s.seq() + s.payload().length();
      if (end - next > 0) {
        next = end;
      }
      count++;
    }
    assertTrue(count > 0, "the host sent data");
    return next;
  }

  /** A write of more than the send buffer, so that its tail waits for room. */
  static CompletionStage<Done> bigWrite(TcpFlow flow) {
    return flow.write(ByteString.fromArray(new byte[BIG_WRITE]));
  }

  @Test
  @DisplayName(
      "an ACK that frees send-buffer room and a RST at RCV.NXT in one batch: the pending write fails with ConnectionResetException, nothing logged at ERROR")
  void ackAndResetInOneBatchFailThePendingWrite() throws Exception {
    Accepted a = connect();
    CompletionStage<Done> write = bigWrite(a.flow());
    int sent = receiveUntilQuiet(a.hostIss());
    peer.sendTcpBatch(host.mac(), hostIp, List.of(ack(sent), rst(PEER_ISS + 1)));
    assertInstanceOf(ConnectionResetException.class, failureOf(write));
    assertInstanceOf(ConnectionResetException.class, failureOf(a.flow().read()));
    awaitCondition(() -> host.stats().openFlows() == 0, "the reset flow left the table");
  }

  @Test
  @DisplayName(
      "FIN then RST in one batch: a pending read ends with Eof (the FIN came first), a pending write fails with ConnectionResetException")
  void finAndResetInOneBatch() throws Exception {
    Accepted a = connect();
    CompletionStage<Done> write = bigWrite(a.flow());
    CompletionStage<ReadResult> read = a.flow().read();
    int sent = receiveUntilQuiet(a.hostIss());
    TcpSegment fin =
        TcpSegment.of(40000, 80, PEER_ISS + 1, sent, TcpSegment.FIN | TcpSegment.ACK, 65535);
    peer.sendTcpBatch(host.mac(), hostIp, List.of(fin, rst(PEER_ISS + 2)));
    assertEquals(ReadResult.EOF, await(read));
    assertInstanceOf(ConnectionResetException.class, failureOf(write));
    awaitCondition(() -> host.stats().openFlows() == 0, "the reset flow left the table");
  }

  @Test
  @DisplayName(
      "data then RST in one batch: the data is read first, then reads fail with ConnectionResetException, as the pending write does")
  void dataAndResetInOneBatch() throws Exception {
    Accepted a = connect();
    CompletionStage<Done> write = bigWrite(a.flow());
    int sent = receiveUntilQuiet(a.hostIss());
    TcpSegment data =
        TcpSegment.of(40000, 80, PEER_ISS + 1, sent, TcpSegment.ACK | TcpSegment.PSH, 65535)
            .withPayload(ByteString.fromString("hello"));
    peer.sendTcpBatch(host.mac(), hostIp, List.of(data, rst(PEER_ISS + 6)));
    assertInstanceOf(ConnectionResetException.class, failureOf(write));
    assertEquals(new ReadResult.Data(ByteString.fromString("hello")), await(a.flow().read()));
    assertInstanceOf(ConnectionResetException.class, failureOf(a.flow().read()));
  }

  @Test
  @DisplayName(
      "ACK, FIN and RST in one batch with a write pending: the write fails with ConnectionResetException, a read gives Eof")
  void ackFinAndResetInOneBatch() throws Exception {
    Accepted a = connect();
    CompletionStage<Done> write = bigWrite(a.flow());
    int sent = receiveUntilQuiet(a.hostIss());
    TcpSegment fin =
        TcpSegment.of(40000, 80, PEER_ISS + 1, sent, TcpSegment.FIN | TcpSegment.ACK, 65535);
    peer.sendTcpBatch(host.mac(), hostIp, List.of(ack(sent), fin, rst(PEER_ISS + 2)));
    assertInstanceOf(ConnectionResetException.class, failureOf(write));
    assertEquals(ReadResult.EOF, await(a.flow().read()));
    awaitCondition(() -> host.stats().openFlows() == 0, "the reset flow left the table");
  }

  @Test
  @DisplayName(
      "ACKs of every byte and a RST in one batch with a writeNodelay pending: the ACKed part is done, the rest fails with ConnectionResetException")
  void nodelayWritesAcknowledgedThenReset() throws Exception {
    Accepted a = connect();
    CompletionStage<Done> small = a.flow().writeNodelay(ByteString.fromString("small"));
    CompletionStage<Done> big = bigWrite(a.flow());
    List<CompletionStage<Done>> later = new ArrayList<>();
    later.add(a.flow().writeNodelay(ByteString.fromString("after")));
    int sent = receiveUntilQuiet(a.hostIss());
    peer.sendTcpBatch(host.mac(), hostIp, List.of(ack(sent), rst(PEER_ISS + 1)));
    assertEquals(Done.getInstance(), await(small), "its bytes were acknowledged before the RST");
    assertInstanceOf(ConnectionResetException.class, failureOf(big));
    assertInstanceOf(ConnectionResetException.class, failureOf(later.get(0)));
  }
}
