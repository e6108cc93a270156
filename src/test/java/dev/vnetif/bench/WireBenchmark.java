package dev.vnetif.bench;

import dev.vnetif.wire.Checksum;
import dev.vnetif.wire.EthernetFrame;
import dev.vnetif.wire.Ipv4Address;
import dev.vnetif.wire.Ipv4Frame;
import dev.vnetif.wire.Ipv4Packet;
import dev.vnetif.wire.MacAddress;
import dev.vnetif.wire.MalformedPacketException;
import dev.vnetif.wire.TcpOptions;
import dev.vnetif.wire.TcpSegment;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.util.ByteString;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Per-frame cost of the wire layer for a full-sized TCP segment: the checksum alone, building the
 * flat frame (one copy, both checksums), and parsing it back with verification — what each segment
 * costs the sending and the receiving host. The payload is a slice of a 64 KiB write, as the send
 * buffer hands it out: {@code copyAndSum1460} is what a frame builder does with it, {@code
 * checksumSlice1460} what verifying a received segment (a slice of its frame) costs, next to {@code
 * checksum1460} over a plain array.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class WireBenchmark {
  final byte[] payloadBytes = new byte[1460];
  final ByteString payload;
  final TcpSegment segment;
  final MacAddress a = MacAddress.of("02:00:00:00:00:01");
  final MacAddress b = MacAddress.of("02:00:00:00:00:02");
  final Ipv4Address ipA = Ipv4Address.of("10.0.0.2");
  final Ipv4Address ipB = Ipv4Address.of("10.0.0.3");
  final ByteString frame;
  final byte[] target = new byte[1514];

  public WireBenchmark() {
    new SplittableRandom(1).nextBytes(payloadBytes);
    byte[] write = new byte[65536];
    new SplittableRandom(2).nextBytes(write);
    System.arraycopy(payloadBytes, 0, write, 1000, payloadBytes.length);
    payload = ByteString.fromArrayUnsafe(write).slice(1000, 1000 + payloadBytes.length);
    segment =
        new TcpSegment(49152, 80, 1000, 2000, TcpSegment.ACK, 512, 0, TcpOptions.NONE, payload);
    frame = Ipv4Frame.encode(b, a, ipA, ipB, 64, 1, segment);
  }

  @Benchmark
  public int checksum1460() {
    return Checksum.sum(payloadBytes, 0, payloadBytes.length, 0);
  }

  @Benchmark
  public int copyAndSum1460() {
    return Checksum.copyAndSum(payload, target, 54, 0);
  }

  @Benchmark
  public int checksumSlice1460() {
    return Checksum.sum(payload, 0, payload.length(), 0);
  }

  @Benchmark
  public ByteString encodeFlatFrame() {
    return Ipv4Frame.encode(b, a, ipA, ipB, 64, 1, segment);
  }

  @Benchmark
  public TcpSegment parseAndVerifyFrame() throws MalformedPacketException {
    EthernetFrame eth = EthernetFrame.parse(frame);
    Ipv4Packet ip = Ipv4Packet.parse(eth.payload(), true);
    return TcpSegment.parse(ip.payload(), ip.source(), ip.destination(), true);
  }
}
