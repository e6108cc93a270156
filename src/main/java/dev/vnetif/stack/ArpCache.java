package dev.vnetif.stack;

import dev.vnetif.wire.Ipv4Address;
import dev.vnetif.wire.MacAddress;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The ARP table of one host (RFC 826) and the packets waiting for an answer. Pure state: time comes
 * in as an argument and the caller sends requests and runs the retry timer.
 *
 * <p>The table is bounded ({@link ArpSettings#maxEntries()}) and an expired mapping is removed, not
 * only ignored, so that ARP packets from made-up senders cannot grow it: mappings are kept in the
 * order they expire (every one lives {@link ArpSettings#entryTimeout()} from when it was learned),
 * and each call that takes the time first removes the expired ones at the old end — amortized O(1),
 * one comparison when none is due.
 */
final class ArpCache {

  /**
   * A frame held until its next hop is resolved — complete but for its destination MAC, which the
   * host writes in when the answer comes (so it is never encoded twice) — and who to tell how it
   * ended (null when nobody waits for it).
   */
  record PendingPacket(byte[] frame, DeliveryListener listener) {
    /** Equal frames (by content) for the same listener: a record over an array needs saying so. */
    @Override
    public boolean equals(Object o) {
      return o instanceof PendingPacket other
          && Arrays.equals(frame, other.frame)
          && Objects.equals(listener, other.listener);
    }

    @Override
    public int hashCode() {
      return 31 * Arrays.hashCode(frame) + Objects.hashCode(listener);
    }

    @Override
    public String toString() {
      return "PendingPacket[" + frame.length + " bytes, listener=" + listener + "]";
    }
  }

  /** Told once whether a held datagram went out or was given up on. */
  interface DeliveryListener {
    void sent();

    void unresolved();
  }

  private record Entry(MacAddress mac, long expiresAtNanos) {}

  /** An address being resolved: requests sent so far and the packets waiting for it. */
  static final class Resolution {
    final Ipv4Address address;
    final ArrayDeque<PendingPacket> waiting = new ArrayDeque<>();
    int requestsSent;

    private Resolution(Ipv4Address address) {
      this.address = address;
    }
  }

  /** What {@link #enqueue} did with a packet. */
  enum Enqueued {
    STARTED_RESOLUTION,
    QUEUED,
    QUEUED_DROPPED_OLDEST
  }

  private final ArpSettings settings;

  /** In insertion order, which is expiry order: a relearned mapping is removed and put back. */
  private final LinkedHashMap<Ipv4Address, Entry> entries = new LinkedHashMap<>();

  private final Map<Ipv4Address, Resolution> resolving = new HashMap<>();
  private PendingPacket lastDropped;

  /**
   * No mapping expires before this (when {@link #entries} is not empty): the expiry of the oldest
   * mapping, or earlier once that one was replaced. Lets {@link #expire} return after one
   * comparison.
   */
  private long earliestExpiryNanos;

  ArpCache(ArpSettings settings) {
    this.settings = settings;
  }

  /** The MAC for {@code address}, or null when unknown or expired. */
  MacAddress lookup(Ipv4Address address, long nowNanos) {
    expire(nowNanos);
    Entry entry = entries.get(address);
    if (entry == null) {
      return null;
    }
    if (nowNanos - entry.expiresAtNanos >= 0) {
      // Only when the caller's clock went backwards between calls: expiry order did not hold.
      entries.remove(address);
      return null;
    }
    return entry.mac;
  }

  /** True for an address in the table or being resolved (call {@link #expire} first). */
  boolean isKnown(Ipv4Address address) {
    return entries.containsKey(address) || resolving.containsKey(address);
  }

  /**
   * True when {@link #learn} would record a mapping for {@code address} now: it is in the table,
   * being resolved, or the table has room once expired mappings are removed.
   */
  boolean hasRoomFor(Ipv4Address address, long nowNanos) {
    expire(nowNanos);
    return entries.size() < settings.maxEntries() || isKnown(address);
  }

  /**
   * Records a mapping and returns the resolution it completes (whose waiting packets the caller
   * must now send), or null. When the table is full, the answer to a resolution of ours takes the
   * place of the mapping closest to expiry, and any other new address is not recorded (callers
   * check {@link #hasRoomFor} first to count that).
   */
  Resolution learn(Ipv4Address address, MacAddress mac, long nowNanos) {
    expire(nowNanos);
    Resolution resolution = resolving.remove(address);
    Entry previous = entries.remove(address);
    if (previous == null && entries.size() >= settings.maxEntries()) {
      if (resolution == null) {
        return null;
      }
      Iterator<Entry> oldest = entries.values().iterator();
      oldest.next();
      oldest.remove();
    }
    long expiresAt = nowNanos + settings.entryTimeout().toNanos();
    if (entries.isEmpty()) {
      earliestExpiryNanos = expiresAt;
    }
    entries.put(address, new Entry(mac, expiresAt));
    return resolution;
  }

  /**
   * Removes every mapping expired at {@code nowNanos}. They sit at the old end of the table: this
   * stops at the first one still valid.
   */
  void expire(long nowNanos) {
    if (entries.isEmpty() || nowNanos - earliestExpiryNanos < 0) {
      return;
    }
    Iterator<Entry> it = entries.values().iterator();
    while (it.hasNext()) {
      Entry entry = it.next();
      if (nowNanos - entry.expiresAtNanos < 0) {
        earliestExpiryNanos = entry.expiresAtNanos;
        return;
      }
      it.remove();
    }
  }

  /**
   * Queues a packet for an unresolved address. When the queue is full the oldest packet is dropped
   * (and reported through {@link #takeDropped()}); a new address starts a resolution for which the
   * caller sends the first request.
   */
  Enqueued enqueue(Ipv4Address address, PendingPacket packet) {
    Resolution resolution = resolving.get(address);
    boolean started = resolution == null;
    if (started) {
      resolution = new Resolution(address);
      resolving.put(address, resolution);
    }
    resolution.waiting.addLast(packet);
    if (resolution.waiting.size() > settings.maxPendingPackets()) {
      lastDropped = resolution.waiting.removeFirst();
      return Enqueued.QUEUED_DROPPED_OLDEST;
    }
    return started ? Enqueued.STARTED_RESOLUTION : Enqueued.QUEUED;
  }

  /** The packet the last {@link #enqueue} pushed out, once. */
  PendingPacket takeDropped() {
    PendingPacket dropped = lastDropped;
    lastDropped = null;
    return dropped;
  }

  /**
   * Counts a request about to be sent. Returns false (and counts nothing) when the address is not
   * being resolved or its budget of {@code maxRequests} is spent; the caller then gives up with
   * {@link #abandon}.
   */
  boolean requestSent(Ipv4Address address) {
    Resolution resolution = resolving.get(address);
    if (resolution == null || resolution.requestsSent >= settings.maxRequests()) {
      return false;
    }
    resolution.requestsSent++;
    return true;
  }

  /** True when another request may be sent for an address still unresolved. */
  boolean mayRetry(Ipv4Address address) {
    Resolution resolution = resolving.get(address);
    return resolution != null && resolution.requestsSent < settings.maxRequests();
  }

  boolean isResolving(Ipv4Address address) {
    return resolving.containsKey(address);
  }

  /** Gives up on an address; returns the packets that were waiting for it. */
  List<PendingPacket> abandon(Ipv4Address address) {
    Resolution resolution = resolving.remove(address);
    return resolution == null ? List.of() : List.copyOf(resolution.waiting);
  }

  int size() {
    return entries.size();
  }
}
