package dev.vnetif.testkit;

import dev.vnetif.RawPort;
import dev.vnetif.Stack;
import dev.vnetif.VirtualNetwork;
import dev.vnetif.wire.ArpPacket;
import dev.vnetif.wire.EthernetFrame;
import dev.vnetif.wire.Ipv4Address;
import dev.vnetif.wire.Ipv4Packet;
import dev.vnetif.wire.MacAddress;
import dev.vnetif.wire.MalformedPacketException;
import dev.vnetif.wire.TcpSegment;
import java.net.Inet4Address;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingDeque;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.pekko.actor.testkit.typed.TestKitSettings;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.util.ByteString;

/**
 * A host played by the test, the way packetdrill or mirage-tcpip's RFC 5961 tests play the peer: a
 * {@link RawPort} with its own MAC and IPv4 address that sends hand-built TCP segments and checks
 * exactly what the stack answers.
 *
 * <pre>{@code
 * ScriptedPeer peer = ScriptedPeer.attach(net, system, "10.0.0.9");
 * peer.syn(40000).seq(100).mss(1460).to(host, 80);
 * TcpSegment synAck = peer.expectTcp("SA");
 * peer.ack(40000).seq(101).ack(synAck.seq() + 1).to(host, 80);
 * peer.rst(40000).seq(101 + 1000).to(host, 80);          // in the window, not exact
 * TcpSegment challenge = peer.expectTcp("A");              // RFC 5961 §3.2: a challenge ACK
 * }</pre>
 *
 * <p>The peer answers ARP requests for its address on the spot, inside the network (in virtual time
 * at the request's own virtual time), whatever the test is doing, and learns the MACs of the hosts
 * that talk to it. {@link #expectTcp} takes the next IPv4 datagram addressed to the peer (skipping
 * ARP and frames flooded to every port), checks its checksum and wants a TCP segment with exactly
 * the given {@link TcpFlags} spec; it waits like {@link SwitchProbe}: in real time, or in virtual
 * time when the actor system has it (the clock jumps until the answer comes or the maximum of
 * virtual time has passed). A failed expectation lists what the peer received, one line each
 * ({@link FrameSummary}, seconds since the peer's first frame).
 *
 * <p>Sequence and acknowledgment numbers are ints that wrap as TCP's do: {@code synAck.seq() + 1}
 * is right past 2^32. Not thread-safe: one test thread drives a peer.
 */
public final class ScriptedPeer implements AutoCloseable {
  private static final int HISTORY = 20;
  private static final Duration ATTACH_WAIT = Duration.ofSeconds(10);

  private final RawPort port;
  private final Ipv4Address address;
  private final Waiting waiting;
  private final Duration defaultMax;
  private final Waiting.Arrivals arrivals = new Waiting.Arrivals();
  private final LinkedBlockingDeque<Received> inbox = new LinkedBlockingDeque<>();
  private final Deque<String> history = new ArrayDeque<>();
  private final Map<Ipv4Address, MacAddress> neighbours = new ConcurrentHashMap<>();
  private final AtomicBoolean closed = new AtomicBoolean();
  private int identification = 1;
  private int received;
  private long firstNanos = Long.MIN_VALUE;

  /** A frame as the peer got it: its number and line are fixed on arrival. */
  private record Received(ByteString bytes, String line) {}

  /** A datagram for the peer, with the line of the frame that carried it. */
  private record Datagram(Ipv4Packet packet, String line) {}

  private ScriptedPeer(RawPort port, Ipv4Address address, ActorSystem<?> system) {
    this.port = port;
    this.address = address;
    this.waiting = Waiting.of(system);
    this.defaultMax =
        Duration.ofNanos(TestKitSettings.create(system).SingleExpectDefaultTimeout().toNanos());
    port.onDelivery(this::deliver);
  }

  /** A peer named "peer" at {@code address} (e.g. {@code "10.0.0.9"}) on a new raw port. */
  public static ScriptedPeer attach(VirtualNetwork net, ActorSystem<?> system, String address) {
    return attach(net, system, "peer", address);
  }

  /**
   * A peer at {@code address} on a new raw port called {@code name}, with a MAC from the network's
   * seed. Waits (in the network's time) until the port is on the switch.
   *
   * @throws IllegalArgumentException if {@code address} is not an IPv4 address
   */
  public static ScriptedPeer attach(
      VirtualNetwork net, ActorSystem<?> system, String name, String address) {
    Ipv4Address ip = Ipv4Address.of(address);
    RawPort port = Waiting.of(system).await(net.attachRawPort(name), ATTACH_WAIT, "attaching");
    return new ScriptedPeer(port, ip, system);
  }

  /** A peer at {@code address} on a raw port the test attached itself. */
  public static ScriptedPeer on(RawPort port, ActorSystem<?> system, Inet4Address address) {
    return new ScriptedPeer(port, Ipv4Address.fromInet(address), system);
  }

  public Inet4Address address() {
    return address.toInet();
  }

  public MacAddress mac() {
    return port.mac();
  }

  public RawPort port() {
    return port;
  }

  /** The peer's socket at {@code port}, for expectations of a {@link SwitchProbe}. */
  public InetSocketAddress socket(int port) {
    return new InetSocketAddress(address.toInet(), port);
  }

  // ------------------------------------------------------------------ sending

  /** A SYN from {@code sourcePort}: fill in the numbers, then {@code .to(host, port)}. */
  public SegmentBuilder syn(int sourcePort) {
    return segment(sourcePort, "S");
  }

  /** A bare ACK ({@code "A"}) from {@code sourcePort}. */
  public SegmentBuilder ack(int sourcePort) {
    return segment(sourcePort, "A");
  }

  /** A RST without ACK ({@code "R"}) from {@code sourcePort}. */
  public SegmentBuilder rst(int sourcePort) {
    return segment(sourcePort, "R");
  }

  /** A FIN with ACK ({@code "FA"}) from {@code sourcePort}. */
  public SegmentBuilder fin(int sourcePort) {
    return segment(sourcePort, "FA");
  }

  /** Data pushed with ACK ({@code "PA"}) from {@code sourcePort}, carrying {@code text}. */
  public SegmentBuilder data(int sourcePort, String text) {
    return segment(sourcePort, "PA").payload(text);
  }

  /** A segment from {@code sourcePort} with the flags of a {@link TcpFlags} spec. */
  public SegmentBuilder segment(int sourcePort, String flags) {
    return new SegmentBuilder(this, sourcePort, TcpFlags.parse(flags));
  }

  /** Sends {@code segment} to {@code host}; returns it. */
  public TcpSegment send(Stack host, TcpSegment segment) {
    send(host.mac(), Ipv4Address.fromInet(host.address()), List.of(segment));
    return segment;
  }

  /**
   * Sends {@code segment} to {@code destination}'s address (its port is the segment's), at the MAC
   * the peer learned from that host's frames.
   *
   * @throws IllegalStateException if the peer has heard nothing from that address yet
   */
  public TcpSegment send(Inet4Address destination, TcpSegment segment) {
    Ipv4Address dst = Ipv4Address.fromInet(destination);
    send(macOf(dst), dst, List.of(segment));
    return segment;
  }

  /**
   * Sends {@code segments} to {@code host} as one switch delivery, in order: the host handles them
   * as one batch (an ACK and a RST in the same input, say).
   */
  public void sendBatch(Stack host, List<TcpSegment> segments) {
    send(host.mac(), Ipv4Address.fromInet(host.address()), segments);
  }

  /** Sends any IPv4 payload ({@code protocol} as in {@link Ipv4Packet}) to {@code host}. */
  public void sendIp(Stack host, int protocol, ByteString payload) {
    Ipv4Address dst = Ipv4Address.fromInet(host.address());
    Ipv4Packet packet = Ipv4Packet.of(address, dst, protocol, 64, identification++, true, payload);
    port.send(
        EthernetFrame.encode(
            host.mac(), port.mac(), EthernetFrame.ETHERTYPE_IPV4, packet.encode()));
  }

  /** Announces the peer with a gratuitous ARP (RFC 5227 §3), so hosts need not ask. */
  public void announce() {
    ArpPacket arp = ArpPacket.gratuitous(port.mac(), address);
    port.send(
        EthernetFrame.encode(
            MacAddress.BROADCAST, port.mac(), EthernetFrame.ETHERTYPE_ARP, arp.encode()));
  }

  private void send(MacAddress dstMac, Ipv4Address dst, List<TcpSegment> segments) {
    List<ByteString> frames = new ArrayList<>();
    for (TcpSegment segment : segments) {
      Ipv4Packet packet =
          Ipv4Packet.of(
              address,
              dst,
              Ipv4Packet.PROTO_TCP,
              64,
              identification++,
              true,
              segment.encode(address, dst));
      frames.add(
          EthernetFrame.encode(dstMac, port.mac(), EthernetFrame.ETHERTYPE_IPV4, packet.encode()));
    }
    port.send(frames);
  }

  private MacAddress macOf(Ipv4Address host) {
    MacAddress mac = neighbours.get(host);
    if (mac == null) {
      throw new IllegalStateException(
          "peer "
              + address
              + " has heard nothing from "
              + host
              + " yet, so does not know its MAC: send to its Stack instead");
    }
    return mac;
  }

  // ------------------------------------------------------------------ expecting

  /**
   * The next TCP segment for the peer, which must have exactly {@code flags} (a {@link TcpFlags}
   * spec), within the default maximum (the TestKit's single-expect default, 3 s).
   */
  public TcpSegment expectTcp(String flags) {
    return expectTcp(flags, defaultMax);
  }

  /** Likewise, waiting up to {@code max} (of virtual time, in a simulation). */
  public TcpSegment expectTcp(String flags, Duration max) {
    int bits = TcpFlags.parse(flags);
    String wanted = "TCP " + TcpFlags.format(bits) + " to " + address;
    Datagram datagram = expectDatagram(wanted, max);
    Ipv4Packet packet = datagram.packet();
    if (packet.protocol() == Ipv4Packet.PROTO_TCP) {
      try {
        TcpSegment segment =
            TcpSegment.parse(packet.payload(), packet.source(), packet.destination(), true);
        if (segment.flags() == bits) {
          return segment;
        }
      } catch (MalformedPacketException e) {
        throw new AssertionError(
            "expected " + wanted + ", but the stack sent a malformed one:\n  " + datagram.line(),
            e);
      }
    }
    throw new AssertionError(
        "expected " + wanted + ", but the next datagram was not it:\n  " + datagram.line());
  }

  /**
   * The next IPv4 datagram addressed to the peer (ICMP errors, say), within the default maximum.
   */
  public Ipv4Packet expectDatagram() {
    return expectDatagram("an IPv4 datagram to " + address, defaultMax).packet();
  }

  /** Nothing addressed to the peer for {@code duration}; in virtual time, that much passes. */
  public void expectNothing(Duration duration) {
    Datagram datagram = nextDatagram(waiting.deadline(duration));
    if (datagram != null) {
      throw new AssertionError(
          "expected nothing for "
              + waiting.describe(duration)
              + ", but the peer received:\n  "
              + datagram.line());
    }
  }

  private Datagram expectDatagram(String wanted, Duration max) {
    Datagram datagram = nextDatagram(waiting.deadline(max));
    if (datagram == null) {
      throw new AssertionError(
          "expected "
              + wanted
              + " within "
              + waiting.describe(max)
              + ", but none came; the peer's last frames were:\n"
              + lastLines());
    }
    return datagram;
  }

  /** The next datagram for the peer before {@code deadline}, or null; other frames are skipped. */
  private Datagram nextDatagram(long deadline) {
    if (closed.get()) {
      throw new IllegalStateException("scripted peer " + address + " is closed");
    }
    Received frame;
    while ((frame = waiting.next(source, arrivals, deadline)) != null) {
      try {
        EthernetFrame ethernet = EthernetFrame.parse(frame.bytes());
        if (ethernet.etherType() == EthernetFrame.ETHERTYPE_IPV4) {
          Ipv4Packet packet = Ipv4Packet.parse(ethernet.payload(), true);
          if (packet.destination().equals(address)) {
            return new Datagram(packet, frame.line());
          }
        }
      } catch (MalformedPacketException e) {
        throw new AssertionError(
            "the peer received a malformed frame: " + e.getMessage() + "\n" + frame.line(), e);
      }
    }
    return null;
  }

  private final Waiting.Source<Received> source =
      new Waiting.Source<>() {
        @Override
        public Received poll() {
          return inbox.poll();
        }

        @Override
        public Received poll(Duration timeout) {
          try {
            return inbox.poll(timeout.toNanos(), TimeUnit.NANOSECONDS);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
          }
        }
      };

  /**
   * Runs on the port's actor for every frame the switch delivers: numbers it, answers ARP for the
   * peer's address at once, learns who sent it, and queues the rest for the expectations.
   */
  private boolean deliver(ByteString bytes) {
    String line = record(bytes);
    try {
      EthernetFrame ethernet = EthernetFrame.parse(bytes);
      if (ethernet.etherType() == EthernetFrame.ETHERTYPE_ARP) {
        ArpPacket arp = ArpPacket.parse(ethernet.payload());
        neighbours.put(arp.senderIp(), arp.senderMac());
        if (arp.isRequest() && arp.targetIp().equals(address)) {
          port.send(
              EthernetFrame.encode(
                  arp.senderMac(),
                  port.mac(),
                  EthernetFrame.ETHERTYPE_ARP,
                  arp.replyFrom(port.mac()).encode()));
        }
        return true;
      }
      if (ethernet.etherType() == EthernetFrame.ETHERTYPE_IPV4) {
        neighbours.put(Ipv4Packet.parse(ethernet.payload(), false).source(), ethernet.source());
      }
    } catch (MalformedPacketException e) {
      // Queued all the same: the expectation that takes it says what is wrong with it.
    }
    inbox.add(new Received(bytes, line));
    arrivals.signal();
    return true;
  }

  private String record(ByteString bytes) {
    synchronized (history) {
      long now = waiting.now();
      if (firstNanos == Long.MIN_VALUE) {
        firstNanos = now;
      }
      String line = FrameSummary.line(++received, now, firstNanos, "", FrameSummary.of(bytes));
      history.addLast(line);
      if (history.size() > HISTORY) {
        history.removeFirst();
      }
      return line;
    }
  }

  private String lastLines() {
    synchronized (history) {
      return FrameSummary.block(new ArrayList<>(history));
    }
  }

  /** Takes the port off the switch, waiting (in the network's time) until it is gone. */
  @Override
  public void close() {
    if (closed.compareAndSet(false, true)) {
      waiting.await(port.detach(), ATTACH_WAIT, "detaching scripted peer " + address);
    }
  }

  @Override
  public String toString() {
    return "ScriptedPeer[" + address + ", " + port.mac() + "]";
  }
}
