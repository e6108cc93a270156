package dev.vnetif.tcp;

/** The initial congestion window: how many bytes a sender may send before its first ACK. */
public final class InitialWindow {

  /** The MSS option is 16 bits (RFC 9293 §3.2), so no SMSS is larger. */
  static final int MAX_SMSS = 65_535;

  private InitialWindow() {}

  /**
   * RFC 6928 §2: {@code IW = min(10 * SMSS, max(2 * SMSS, 14600))} — about ten segments of a
   * 1460-byte MSS, never fewer than two segments.
   *
   * @throws IllegalArgumentException unless {@code 1 <= smss <= 65535}
   */
  public static int bytes(int smss) {
    checkSmss(smss);
    return Math.min(10 * smss, Math.max(2 * smss, 14_600));
  }

  /**
   * RFC 5681 §3.1, the older rule: two segments when SMSS > 2190, three when SMSS > 1095, else
   * four.
   *
   * @throws IllegalArgumentException unless {@code 1 <= smss <= 65535}
   */
  public static int rfc5681(int smss) {
    checkSmss(smss);
    if (smss > 2190) {
      return 2 * smss;
    }
    if (smss > 1095) {
      return 3 * smss;
    }
    return 4 * smss;
  }

  static void checkSmss(int smss) {
    if (smss < 1 || smss > MAX_SMSS) {
      throw new IllegalArgumentException(
          "SMSS must be in [1, " + MAX_SMSS + "] bytes, got " + smss);
    }
  }
}
