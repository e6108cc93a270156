package dev.vnetif.testkit;

import dev.vnetif.wire.TcpSegment;

/**
 * TCP control bits as the test kit reads and writes them: a short spec in, tcpdump's notation out.
 *
 * <p>A spec names the exact set of bits, one letter each, in any order: {@code S} SYN, {@code A}
 * (or tcpdump's {@code .}) ACK, {@code F} FIN, {@code R} RST, {@code P} PSH, {@code U} URG, {@code
 * E} ECE, {@code W} CWR. So {@code "S"} is a SYN, {@code "SA"} (or {@code "S."}) a SYN-ACK, {@code
 * "A"} a bare ACK, {@code "FA"} a FIN with ACK, {@code "R"} a RST without ACK, {@code "RA"} one
 * with, {@code "PA"} data pushed. Matching is exact, as in packetdrill: {@code "A"} does not match
 * a segment that also carries PSH or FIN. Letters are case-insensitive; spaces are ignored.
 *
 * <p>{@link #format(int)} writes tcpdump's form, {@code [S.]}, {@code [P.]}, {@code [F.]}, {@code
 * [R]}: F S R P then {@code .} for ACK, then U E W.
 */
public final class TcpFlags {
  private static final int[] ORDER = {
    TcpSegment.FIN,
    TcpSegment.SYN,
    TcpSegment.RST,
    TcpSegment.PSH,
    TcpSegment.ACK,
    TcpSegment.URG,
    TcpSegment.ECE,
    TcpSegment.CWR
  };
  private static final char[] LETTERS = {'F', 'S', 'R', 'P', '.', 'U', 'E', 'W'};

  private TcpFlags() {}

  /**
   * The bits a spec names, as {@link TcpSegment#flags()} holds them.
   *
   * @throws IllegalArgumentException for a letter that names no bit, or a bit named twice
   */
  public static int parse(String spec) {
    if (spec == null) {
      throw new IllegalArgumentException("flags spec must not be null");
    }
    int flags = 0;
    for (char c : spec.toCharArray()) {
      if (c == ' ') {
        continue;
      }
      int bit = bit(c);
      if (bit == 0) {
        throw new IllegalArgumentException(
            "unknown TCP flag '" + c + "' in \"" + spec + "\" (use S A . F R P U E W)");
      }
      if ((flags & bit) != 0) {
        throw new IllegalArgumentException("TCP flag '" + c + "' named twice in \"" + spec + "\"");
      }
      flags |= bit;
    }
    return flags;
  }

  /** tcpdump's notation of {@code flags}, with brackets: {@code [S.]}; {@code [none]} for 0. */
  public static String format(int flags) {
    StringBuilder text = new StringBuilder("[");
    for (int i = 0; i < ORDER.length; i++) {
      if ((flags & ORDER[i]) != 0) {
        text.append(LETTERS[i]);
      }
    }
    return text.length() == 1 ? "[none]" : text.append(']').toString();
  }

  private static int bit(char c) {
    return switch (Character.toUpperCase(c)) {
      case 'S' -> TcpSegment.SYN;
      case 'A', '.' -> TcpSegment.ACK;
      case 'F' -> TcpSegment.FIN;
      case 'R' -> TcpSegment.RST;
      case 'P' -> TcpSegment.PSH;
      case 'U' -> TcpSegment.URG;
      case 'E' -> TcpSegment.ECE;
      case 'W' -> TcpSegment.CWR;
      default -> 0;
    };
  }
}
