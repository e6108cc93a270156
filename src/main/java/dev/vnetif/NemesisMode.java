package dev.vnetif;

/**
 * How a {@link Nemesis} splits its hosts when it partitions them — the partition modes of
 * TigerBeetle's packet simulator. Every split has two non-empty sides; the nemesis cuts every pair
 * of hosts across them (both ways, or one way when the partition is asymmetric).
 */
public enum NemesisMode {
  /**
   * The size of one side is drawn uniformly from 1..n-1, then that many hosts are drawn for it: a
   * minority and a majority as likely as an even split.
   */
  UNIFORM_SIZE,

  /**
   * Each host goes to one side or the other with probability 1/2 (drawn again in the rare case that
   * all land on one side): splits near n/2 are the most likely.
   */
  UNIFORM_PARTITION,

  /** One host, drawn uniformly, is cut off from all the others. */
  ISOLATE_SINGLE
}
