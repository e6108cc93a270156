package dev.vnetif;

import java.net.Inet4Address;
import java.time.Duration;

/** One ICMP echo reply, as {@code ping(8)} prints it. */
public record PingReply(Inet4Address from, int sequence, int ttl, int payloadSize, Duration rtt) {}
