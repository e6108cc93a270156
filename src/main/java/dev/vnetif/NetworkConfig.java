package dev.vnetif;

import com.typesafe.config.Config;
import dev.vnetif.link.SwitchSettings;
import dev.vnetif.stack.ArpSettings;
import dev.vnetif.tcp.CongestionControlFactory;
import dev.vnetif.tcp.LossDetection;
import dev.vnetif.tcp.TcpConfig;
import java.time.Duration;

/**
 * The settings of one virtual network. {@link #fromConfig(Config)} reads them from the {@code
 * vnetif} section (see {@code reference.conf} for every key and its meaning); the {@code with...}
 * methods return modified copies.
 *
 * @param seed drives MACs, identifiers, ephemeral ports and faults; same seed, same run
 * @param maxFrameSize largest Ethernet frame the switch forwards
 * @param defaultMtu MTU of hosts created without one
 * @param ttl TTL of datagrams hosts originate
 * @param checksumOffload hosts skip verifying received checksums
 * @param arp ARP behaviour of every host
 * @param pingPayloadSize data bytes in an echo request sent by {@link Stack#ping}
 * @param tcp TCP settings of every host (its MSS is replaced by MTU − 40 per host)
 * @param synBacklog half-open connections a listener holds at most
 * @param ephemeralLow first local port for outgoing connections (RFC 6056)
 * @param ephemeralHigh last local port for outgoing connections
 * @param macAgeingTime how long the switch keeps a learned MAC without hearing from it (IEEE 802.1D
 *     §7.9.2; {@code vnetif.switch.mac-ageing-time})
 * @param macTableLimit MACs the switch's forwarding table holds at most ({@code
 *     vnetif.switch.mac-table-limit})
 */
public record NetworkConfig(
    long seed,
    int maxFrameSize,
    int defaultMtu,
    int ttl,
    boolean checksumOffload,
    ArpSettings arp,
    int pingPayloadSize,
    TcpConfig tcp,
    int synBacklog,
    int ephemeralLow,
    int ephemeralHigh,
    Duration macAgeingTime,
    int macTableLimit) {

  public NetworkConfig {
    if (maxFrameSize < 64) {
      throw new IllegalArgumentException(
          "vnetif.switch.max-frame-size must be >= 64, got " + maxFrameSize);
    }
    if (defaultMtu < 68 || defaultMtu > 65535) {
      throw new IllegalArgumentException(
          "vnetif.host.mtu must be within 68..65535, got " + defaultMtu);
    }
    if (ttl < 1 || ttl > 255) {
      throw new IllegalArgumentException("vnetif.host.ttl must be within 1..255, got " + ttl);
    }
    if (pingPayloadSize < 0) {
      throw new IllegalArgumentException(
          "vnetif.host.ping-payload-size must be >= 0, got " + pingPayloadSize);
    }
    if (arp == null || tcp == null) {
      throw new IllegalArgumentException("arp and tcp settings must not be null");
    }
    if (ephemeralLow < 1 || ephemeralHigh > 65535 || ephemeralLow > ephemeralHigh) {
      throw new IllegalArgumentException(
          "vnetif.tcp.ephemeral-ports must satisfy 1 <= low <= high"
              + " <= 65535, got "
              + ephemeralLow
              + ".."
              + ephemeralHigh);
    }
    if (synBacklog < 1) {
      throw new IllegalArgumentException("vnetif.tcp.syn-backlog must be >= 1, got " + synBacklog);
    }
    if (macAgeingTime == null || macAgeingTime.isNegative() || macAgeingTime.isZero()) {
      throw new IllegalArgumentException(
          "vnetif.switch.mac-ageing-time must be positive, got " + macAgeingTime);
    }
    if (macTableLimit < 1) {
      throw new IllegalArgumentException(
          "vnetif.switch.mac-table-limit must be >= 1, got " + macTableLimit);
    }
  }

  /** A network whose switch has the default MAC table: 300 s ageing, 8,192 entries at most. */
  public NetworkConfig(
      long seed,
      int maxFrameSize,
      int defaultMtu,
      int ttl,
      boolean checksumOffload,
      ArpSettings arp,
      int pingPayloadSize,
      TcpConfig tcp,
      int synBacklog,
      int ephemeralLow,
      int ephemeralHigh) {
    this(
        seed,
        maxFrameSize,
        defaultMtu,
        ttl,
        checksumOffload,
        arp,
        pingPayloadSize,
        tcp,
        synBacklog,
        ephemeralLow,
        ephemeralHigh,
        SwitchSettings.DEFAULT_MAC_AGEING_TIME,
        SwitchSettings.DEFAULT_MAC_TABLE_LIMIT);
  }

  /** Reads the {@code vnetif} section of {@code config} (the actor system's config, usually). */
  public static NetworkConfig fromConfig(Config config) {
    Config v = config.getConfig("vnetif");
    Config arp = v.getConfig("host.arp");
    return new NetworkConfig(
        v.getLong("seed"),
        v.getInt("switch.max-frame-size"),
        v.getInt("host.mtu"),
        v.getInt("host.ttl"),
        v.getBoolean("host.checksum-offload"),
        new ArpSettings(
            arp.getDuration("entry-timeout"),
            arp.getDuration("retry-interval"),
            arp.getInt("max-requests"),
            arp.getInt("max-pending-packets"),
            arp.getInt("max-entries")),
        v.getInt("host.ping-payload-size"),
        tcpFromConfig(v.getConfig("tcp")),
        v.getInt("tcp.syn-backlog"),
        v.getInt("tcp.ephemeral-ports.low"),
        v.getInt("tcp.ephemeral-ports.high"),
        v.getDuration("switch.mac-ageing-time"),
        v.getInt("switch.mac-table-limit"));
  }

  private static TcpConfig tcpFromConfig(Config t) {
    return TcpConfig.defaults()
        .withBuffers(bytes(t, "receive-buffer"), bytes(t, "send-buffer"))
        .withRto(
            t.getDuration("initial-rto").toNanos(),
            t.getDuration("min-rto").toNanos(),
            t.getDuration("max-rto").toNanos())
        .withRetransmissions(t.getInt("max-retransmissions"), t.getInt("syn-retries"))
        .withMsl(t.getDuration("msl").toNanos())
        .withDelayedAck(t.getDuration("delayed-ack").toNanos())
        .withNagle(t.getBoolean("nagle"))
        .withMinshallNagle(t.getBoolean("nagle-minshall"))
        .withWindowScaling(t.getBoolean("window-scaling"))
        .withTimestamps(t.getBoolean("timestamps"))
        .withSack(t.getBoolean("sack"))
        .withSynCookies(t.getBoolean("syn-cookies"))
        .withChallengeAckLimit(t.getInt("challenge-ack-limit"))
        .withCongestionControl(congestionControl(t.getString("congestion-control")))
        .withLossDetection(lossDetection(t.getString("loss-detection")));
  }

  private static LossDetection lossDetection(String name) {
    try {
      return LossDetection.named(name);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "vnetif.tcp.loss-detection must be rack or dupack, got '" + name + "'", e);
    }
  }

  private static CongestionControlFactory congestionControl(String name) {
    try {
      return CongestionControlFactory.named(name);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "vnetif.tcp.congestion-control must be cubic or newreno, got '" + name + "'", e);
    }
  }

  private static int bytes(Config c, String path) {
    long value = c.getBytes(path);
    if (value < 1 || value > (1 << 30)) {
      throw new IllegalArgumentException(
          "vnetif.tcp." + path + " must be within 1 B..1 GiB, got " + value);
    }
    return (int) value;
  }

  /** The same network with another listener backlog. */
  public NetworkConfig withSynBacklog(int backlog) {
    return new NetworkConfig(
        seed,
        maxFrameSize,
        defaultMtu,
        ttl,
        checksumOffload,
        arp,
        pingPayloadSize,
        tcp,
        backlog,
        ephemeralLow,
        ephemeralHigh,
        macAgeingTime,
        macTableLimit);
  }

  /** The same network with another range of local ports for outgoing connections. */
  public NetworkConfig withEphemeralPorts(int low, int high) {
    return new NetworkConfig(
        seed,
        maxFrameSize,
        defaultMtu,
        ttl,
        checksumOffload,
        arp,
        pingPayloadSize,
        tcp,
        synBacklog,
        low,
        high,
        macAgeingTime,
        macTableLimit);
  }

  /** The same network with other TCP settings. */
  public NetworkConfig withTcp(TcpConfig settings) {
    return new NetworkConfig(
        seed,
        maxFrameSize,
        defaultMtu,
        ttl,
        checksumOffload,
        arp,
        pingPayloadSize,
        settings,
        synBacklog,
        ephemeralLow,
        ephemeralHigh,
        macAgeingTime,
        macTableLimit);
  }

  public NetworkConfig withSeed(long newSeed) {
    return new NetworkConfig(
        newSeed,
        maxFrameSize,
        defaultMtu,
        ttl,
        checksumOffload,
        arp,
        pingPayloadSize,
        tcp,
        synBacklog,
        ephemeralLow,
        ephemeralHigh,
        macAgeingTime,
        macTableLimit);
  }

  public NetworkConfig withMaxFrameSize(int size) {
    return new NetworkConfig(
        seed,
        size,
        defaultMtu,
        ttl,
        checksumOffload,
        arp,
        pingPayloadSize,
        tcp,
        synBacklog,
        ephemeralLow,
        ephemeralHigh,
        macAgeingTime,
        macTableLimit);
  }

  public NetworkConfig withDefaultMtu(int mtu) {
    return new NetworkConfig(
        seed,
        maxFrameSize,
        mtu,
        ttl,
        checksumOffload,
        arp,
        pingPayloadSize,
        tcp,
        synBacklog,
        ephemeralLow,
        ephemeralHigh,
        macAgeingTime,
        macTableLimit);
  }

  public NetworkConfig withArp(ArpSettings settings) {
    return new NetworkConfig(
        seed,
        maxFrameSize,
        defaultMtu,
        ttl,
        checksumOffload,
        settings,
        pingPayloadSize,
        tcp,
        synBacklog,
        ephemeralLow,
        ephemeralHigh,
        macAgeingTime,
        macTableLimit);
  }

  /** The same network with another switch forwarding table: its ageing time and size limit. */
  public NetworkConfig withMacTable(Duration ageingTime, int limit) {
    return new NetworkConfig(
        seed,
        maxFrameSize,
        defaultMtu,
        ttl,
        checksumOffload,
        arp,
        pingPayloadSize,
        tcp,
        synBacklog,
        ephemeralLow,
        ephemeralHigh,
        ageingTime,
        limit);
  }
}
