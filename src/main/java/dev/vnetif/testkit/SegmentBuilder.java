package dev.vnetif.testkit;

import dev.vnetif.Stack;
import dev.vnetif.wire.TcpOptions;
import dev.vnetif.wire.TcpSegment;
import dev.vnetif.wire.Timestamps;
import java.net.InetSocketAddress;
import java.util.Objects;
import org.apache.pekko.util.ByteString;

/**
 * One TCP segment a {@link ScriptedPeer} is about to send, written like a packetdrill line:
 *
 * <pre>{@code
 * peer.syn(40000).seq(100).window(65535).mss(1460).to(host, 80);   // 0 > S 100:100(0) win 65535 <mss 1460>
 * peer.data(40000, "hello").seq(101).ack(hostIsn + 1).to(host, 80); // +0 > P. 101:106(5) ack ...
 * }</pre>
 *
 * Nothing is filled in for the script: sequence and acknowledgment numbers start at 0, the window
 * at 65535, no options, no payload. {@link #ack(long)} sets the number only; the flags are the ones
 * the peer's factory method gave, or {@link #flags(String)}. {@link #to} sends the segment and
 * returns it; {@link #build(int)} only builds it.
 */
public final class SegmentBuilder {
  private final ScriptedPeer peer;
  private final int sourcePort;
  private int flags;
  private int seq;
  private int ack;
  private int window = 65535;
  private int urgentPointer;
  private TcpOptions options = TcpOptions.NONE;
  private ByteString payload = ByteString.emptyByteString();

  SegmentBuilder(ScriptedPeer peer, int sourcePort, int flags) {
    this.peer = peer;
    this.sourcePort = sourcePort;
    this.flags = flags;
  }

  /** SEG.SEQ; a long so that packetdrill's unsigned numbers can be written as they are. */
  public SegmentBuilder seq(long seq) {
    this.seq = (int) seq;
    return this;
  }

  /** SEG.ACK (the ACK bit comes from the flags). */
  public SegmentBuilder ack(long ack) {
    this.ack = (int) ack;
    return this;
  }

  /** Replaces the flags with a {@link TcpFlags} spec. */
  public SegmentBuilder flags(String spec) {
    this.flags = TcpFlags.parse(spec);
    return this;
  }

  /** The raw 16-bit window field, not shifted by any window scale. */
  public SegmentBuilder window(int window) {
    this.window = window;
    return this;
  }

  public SegmentBuilder urgentPointer(int urgentPointer) {
    this.urgentPointer = urgentPointer;
    return this;
  }

  /** Adds the MSS option. */
  public SegmentBuilder mss(int mss) {
    options = options.withMss(mss);
    return this;
  }

  /** Adds the window scale option (shift count 0..14). */
  public SegmentBuilder windowScale(int shift) {
    options = options.withWindowScale(shift);
    return this;
  }

  /** Adds SACK-permitted. */
  public SegmentBuilder sackPermitted() {
    options = options.withSackPermitted();
    return this;
  }

  /** Adds the timestamps option. */
  public SegmentBuilder timestamps(int value, int echoReply) {
    options = options.withTimestamps(new Timestamps(value, echoReply));
    return this;
  }

  /** Replaces all options. */
  public SegmentBuilder options(TcpOptions options) {
    this.options = Objects.requireNonNull(options, "options");
    return this;
  }

  public SegmentBuilder payload(ByteString payload) {
    this.payload = Objects.requireNonNull(payload, "payload");
    return this;
  }

  /** The payload as UTF-8 text. */
  public SegmentBuilder payload(String text) {
    return payload(ByteString.fromString(text));
  }

  /**
   * The segment to {@code destinationPort}.
   *
   * @throws IllegalArgumentException if a port, the window or the options are out of range
   */
  public TcpSegment build(int destinationPort) {
    return new TcpSegment(
        sourcePort, destinationPort, seq, ack, flags, window, urgentPointer, options, payload);
  }

  /** Sends the segment to {@code host} at {@code port}; returns it. */
  public TcpSegment to(Stack host, int port) {
    return peer.send(host, build(port));
  }

  /** Sends the segment to a host the peer has heard from (it knows its MAC); returns it. */
  public TcpSegment to(InetSocketAddress destination) {
    if (!(destination.getAddress() instanceof java.net.Inet4Address inet)) {
      throw new IllegalArgumentException("not an IPv4 destination: " + destination);
    }
    return peer.send(inet, build(destination.getPort()));
  }
}
