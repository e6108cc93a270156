package dev.vnetif.stack;

import dev.vnetif.tcp.ChallengeAckLimiter;
import dev.vnetif.tcp.TimeWait;
import dev.vnetif.wire.TcpSegment;
import java.util.HashMap;
import java.util.Map;

/**
 * A host's connections in TIME_WAIT, as compact {@link TimeWait} entries instead of flow actors
 * (Linux keeps an {@code inet_timewait_sock} per connection for the same reason). A map from
 * 4-tuple to entry, and a queue of deadlines: 2·MSL is the same for every connection of a host and
 * the clock only moves forward, so entries expire in the order they entered, and one timer for the
 * head of the queue serves them all.
 *
 * <p>A restarted wait (a retransmitted FIN) puts the entry at the tail again; the older place in
 * the queue is recognised as stale because its deadline no longer matches the entry's, and skipped.
 * Restarts of one entry closer together than 2·MSL/64 are one restart, so a peer that floods FINs
 * adds at most 64 places per entry to the queue, and the wait still ends no earlier than 2·MSL −
 * 2·MSL/64 after the last FIN.
 *
 * <p>Not thread-safe: owned by the host's actor.
 */
final class TimeWaitTable {
  /** No deadline. */
  static final long OFF = Long.MAX_VALUE;

  private static final int MIN_CAPACITY = 16;

  private final long twoMslNanos;
  private final long restartGranularity;
  private final ChallengeAckLimiter challengeAcks;
  private final Map<FlowKey, TimeWait> entries = new HashMap<>();

  // The deadline queue: a ring of (key, deadline) in two arrays, oldest at head.
  private FlowKey[] queuedKeys = new FlowKey[MIN_CAPACITY];
  private long[] queuedDeadlines = new long[MIN_CAPACITY];
  private int head;
  private int queued;

  private long reopened;

  /**
   * @param twoMslNanos how long an entry waits (2·MSL, RFC 9293 §3.4.2)
   * @param challengeAckLimit challenge ACKs per second for all entries together (RFC 5961 §7)
   */
  TimeWaitTable(long twoMslNanos, int challengeAckLimit) {
    this.twoMslNanos = twoMslNanos;
    this.restartGranularity = twoMslNanos / 64;
    this.challengeAcks = new ChallengeAckLimiter(challengeAckLimit);
  }

  /** Entries in TIME_WAIT now. */
  int size() {
    return entries.size();
  }

  /** SYNs that reopened a 4-tuple in TIME_WAIT, ever. */
  long reopened() {
    return reopened;
  }

  boolean contains(FlowKey key) {
    return entries.containsKey(key);
  }

  /** A connection entered TIME_WAIT at {@code now}: it waits 2·MSL from now. */
  void enter(FlowKey key, TimeWait timeWait, long now) {
    entries.put(key, timeWait);
    restart(key, timeWait, now);
  }

  /**
   * A segment for {@code key}: what its entry decides, with a challenge ACK the host's budget does
   * not allow turned into {@link TimeWait.Verdict#IGNORE}, a restart and an end already applied.
   * {@link TimeWait.Verdict#REOPEN} leaves the entry in place: the caller {@link #reopen}s it when
   * the port has a listener and hands it the SYN. Should the listener then drop that SYN (backlog
   * full, unlistened meanwhile), the entry is gone and the peer's retransmitted SYN is taken as a
   * fresh one (with an ISS of RFC 6528, not the one above the old SND.NXT). Null when {@code key}
   * is not in TIME_WAIT.
   */
  TimeWait.Verdict arrive(FlowKey key, TcpSegment segment, long now) {
    TimeWait entry = entries.get(key);
    if (entry == null) {
      return null;
    }
    TimeWait.Verdict verdict = entry.arrive(segment, now);
    switch (verdict) {
      case CHALLENGE_ACK -> {
        if (!challengeAcks.tryAcquire(now)) {
          return TimeWait.Verdict.IGNORE;
        }
      }
      case ACK_AND_RESTART -> {
        long lastStart = entry.deadline() - twoMslNanos;
        if (now - lastStart >= restartGranularity) {
          restart(key, entry, now);
        }
      }
      case END -> entries.remove(key);
      default -> {}
    }
    return verdict;
  }

  /** Our ACK for {@code segment}, which arrived for {@code key} (in TIME_WAIT). */
  TcpSegment ack(FlowKey key, TcpSegment segment, long now) {
    return entries.get(key).ack(segment, now);
  }

  /** Ends {@code key}'s TIME_WAIT for a new connection; returns that connection's ISS. */
  int reopen(FlowKey key) {
    TimeWait entry = entries.remove(key);
    reopened++;
    return entry.reopenIss();
  }

  /** Removes every entry due at {@code now}; returns how many. */
  int expire(long now) {
    int expired = 0;
    while (queued > 0) {
      FlowKey key = queuedKeys[head];
      long deadline = queuedDeadlines[head];
      TimeWait entry = entries.get(key);
      boolean current = entry != null && entry.deadline() == deadline;
      if (current && deadline - now > 0) {
        break;
      }
      if (current) {
        entries.remove(key);
        expired++;
      }
      queuedKeys[head] = null;
      head = (head + 1) % queuedKeys.length;
      queued--;
    }
    shrinkIfSparse();
    return expired;
  }

  /** The earliest deadline still queued, or {@link #OFF} (it may be stale: then nothing is due). */
  long nextDeadline() {
    return queued == 0 ? OFF : queuedDeadlines[head];
  }

  void clear() {
    entries.clear();
    queuedKeys = new FlowKey[MIN_CAPACITY];
    queuedDeadlines = new long[MIN_CAPACITY];
    head = 0;
    queued = 0;
  }

  private void restart(FlowKey key, TimeWait entry, long now) {
    long deadline = now + twoMslNanos;
    entry.expireAt(deadline);
    if (queued == queuedKeys.length) {
      resize(queuedKeys.length * 2);
    }
    int tail = (head + queued) % queuedKeys.length;
    queuedKeys[tail] = key;
    queuedDeadlines[tail] = deadline;
    queued++;
  }

  /** Halves the queue while it is less than a quarter full, so a burst does not hold memory. */
  private void shrinkIfSparse() {
    int capacity = queuedKeys.length;
    while (capacity > MIN_CAPACITY && queued < capacity / 4) {
      capacity /= 2;
    }
    if (capacity != queuedKeys.length) {
      resize(capacity);
    }
  }

  private void resize(int capacity) {
    FlowKey[] keys = new FlowKey[capacity];
    long[] deadlines = new long[capacity];
    for (int i = 0; i < queued; i++) {
      int from = (head + i) % queuedKeys.length;
      keys[i] = queuedKeys[from];
      deadlines[i] = queuedDeadlines[from];
    }
    queuedKeys = keys;
    queuedDeadlines = deadlines;
    head = 0;
  }

  @Override
  public String toString() {
    return "TimeWaitTable[" + entries.size() + " entries, " + queued + " queued]";
  }

  /** For tests: places in the deadline queue, stale ones included. */
  int queued() {
    return queued;
  }

  /** For tests: the queue's arrays, to check that a burst does not hold memory afterwards. */
  int queueCapacity() {
    return queuedKeys.length;
  }
}
