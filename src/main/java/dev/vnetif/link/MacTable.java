package dev.vnetif.link;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/**
 * The switch's forwarding table (the filtering database of IEEE 802.1D §7.9): which port a source
 * MAC was last seen on. Entries move when a MAC appears on another port, are removed with their
 * port, age out, and are bounded in number, so that frames with made-up source MACs cannot grow it
 * without end:
 *
 * <ul>
 *   <li>Ageing (IEEE 802.1D §7.9.2, 300 s recommended): an entry that no frame from its MAC
 *       refreshed for the ageing time is removed; frames to that MAC are flooded again until it
 *       sends.
 *   <li>Limit: a new MAC is not learned while the table is full (counted in {@link
 *       #refusedLearns()}); its frames are still forwarded, and frames to it are flooded, as for
 *       any unknown MAC. Entries already held are never evicted for a newcomer: a flood of made-up
 *       MACs cannot push out the hosts that are really there.
 * </ul>
 *
 * <p>Cost per frame is O(1) and reads the clock once per call: entries are kept in a list ordered
 * by when they were last seen, so the aged ones are always at its old end. {@link #learn} removes
 * those (each entry is removed once, so this is amortized O(1); it never scans live entries) and
 * {@link #lookup} drops an aged entry it finds.
 */
final class MacTable {

  /** A MAC's port and when a frame from it was last seen; a node of the list by last-seen time. */
  private static final class Entry {
    final long mac;
    SwitchPort port;
    long lastSeenNanos;
    Entry older;
    Entry newer;

    Entry(long mac, SwitchPort port, long lastSeenNanos) {
      this.mac = mac;
      this.port = port;
      this.lastSeenNanos = lastSeenNanos;
    }
  }

  private final NetworkClock clock;
  private final long ageingNanos;
  private final int limit;
  private final Map<Long, Entry> byMac = new HashMap<>();

  /** Least recently seen: the first to age out. */
  private Entry oldest;

  private Entry newest;
  private long refusedLearns;

  /**
   * @param clock where "now" comes from (the network's clock)
   * @param ageingTime how long an entry lives without a frame from its MAC; positive
   * @param limit entries held at most; at least 1
   */
  MacTable(NetworkClock clock, Duration ageingTime, int limit) {
    if (ageingTime.isNegative() || ageingTime.isZero()) {
      throw new IllegalArgumentException("MAC ageing time must be positive, got " + ageingTime);
    }
    if (limit < 1) {
      throw new IllegalArgumentException("MAC table limit must be at least 1, got " + limit);
    }
    this.clock = clock;
    this.ageingNanos = ageingTime.toNanos();
    this.limit = limit;
  }

  /**
   * A frame from {@code mac} came in on {@code port}: records or refreshes the entry, moving it to
   * {@code port}. A new MAC is not recorded (and is counted) while the table is full.
   */
  void learn(long mac, SwitchPort port) {
    long now = clock.nanoTime();
    removeAged(now);
    Entry entry = byMac.get(mac);
    if (entry != null) {
      entry.port = port;
      entry.lastSeenNanos = now;
      if (entry != newest) {
        unlink(entry);
        append(entry);
      }
      return;
    }
    if (byMac.size() >= limit) {
      refusedLearns++;
      return;
    }
    entry = new Entry(mac, port, now);
    byMac.put(mac, entry);
    append(entry);
  }

  /** The port for a unicast MAC, or null when unknown or aged out (the frame is then flooded). */
  SwitchPort lookup(long mac) {
    Entry entry = byMac.get(mac);
    if (entry == null) {
      return null;
    }
    if (isAged(entry, clock.nanoTime())) {
      remove(entry);
      return null;
    }
    return entry.port;
  }

  /** Removes every entry that points at {@code port} (it left the switch). */
  void forget(SwitchPort port) {
    Entry entry = oldest;
    while (entry != null) {
      Entry next = entry.newer;
      if (entry.port == port) {
        remove(entry);
      }
      entry = next;
    }
  }

  /** Entries held, once those aged out by now are removed. */
  int size() {
    removeAged(clock.nanoTime());
    return byMac.size();
  }

  /** New MACs not learned because the table was full, since the switch started. */
  long refusedLearns() {
    return refusedLearns;
  }

  private boolean isAged(Entry entry, long now) {
    return now - entry.lastSeenNanos >= ageingNanos;
  }

  /** Aged entries sit at the old end of the list: stop at the first one still alive. */
  private void removeAged(long now) {
    while (oldest != null && isAged(oldest, now)) {
      remove(oldest);
    }
  }

  private void remove(Entry entry) {
    byMac.remove(entry.mac);
    unlink(entry);
  }

  private void append(Entry entry) {
    entry.older = newest;
    entry.newer = null;
    if (newest == null) {
      oldest = entry;
    } else {
      newest.newer = entry;
    }
    newest = entry;
  }

  private void unlink(Entry entry) {
    if (entry.older == null) {
      oldest = entry.newer;
    } else {
      entry.older.newer = entry.newer;
    }
    if (entry.newer == null) {
      newest = entry.older;
    } else {
      entry.newer.older = entry.older;
    }
    entry.older = null;
    entry.newer = null;
  }
}
