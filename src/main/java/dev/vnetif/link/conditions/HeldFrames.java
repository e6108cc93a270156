package dev.vnetif.link.conditions;

/**
 * The departure times of the frames a link holds (entered, not yet left), for a queue limit. A link
 * is first in, first out, so the times are added in order and leave from the head.
 */
final class HeldFrames {
  private long[] times = new long[16];
  private int head;
  private int size;

  int count() {
    return size;
  }

  void add(long departure) {
    if (size == times.length) {
      long[] grown = new long[times.length * 2];
      for (int i = 0; i < size; i++) {
        grown[i] = times[(head + i) % times.length];
      }
      times = grown;
      head = 0;
    }
    times[(head + size) % times.length] = departure;
    size++;
  }

  /** Forgets the frames that left at or before {@code now}. */
  void releaseUpTo(long now) {
    while (size > 0 && times[head] <= now) {
      head = (head + 1) % times.length;
      size--;
    }
  }

  @Override
  public String toString() {
    return "HeldFrames[" + size + " held]";
  }
}
