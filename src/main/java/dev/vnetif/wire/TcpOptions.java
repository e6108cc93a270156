package dev.vnetif.wire;

import static dev.vnetif.wire.MalformedPacketException.Reason.BAD_OPTION_LENGTH;

import java.util.List;
import java.util.Objects;
import org.apache.pekko.util.ByteString;

/**
 * The TCP options this stack understands (RFC 9293 §3.2): MSS (RFC 9293 §3.7.1, RFC 6691), window
 * scale (RFC 7323 §2), SACK-permitted and SACK (RFC 2018), timestamps (RFC 7323 §3). Unknown
 * options are skipped on parse and never emitted.
 *
 * <p>{@link #writeTo} lays options out as Linux does, in 4-byte words: MSS; then SACK-permitted and
 * timestamps together as (SACKOK, TS) or (NOP, NOP, TS), or SACK-permitted alone as (NOP, NOP,
 * SACKOK); then (NOP, WS); then (NOP, NOP, SACK). Every word is full, so no EOL padding is ever
 * needed. The whole must fit the 40 bytes a TCP header has for options.
 *
 * @param mss maximum segment size, 0..65535, or -1 when absent
 * @param windowScale shift count 0..14, or -1 when absent
 * @param sackPermitted whether SACK-permitted is present
 * @param sackBlocks at most 4 SACK blocks, empty when absent; immutable
 * @param timestamps the timestamps option, or null when absent
 */
public record TcpOptions(
    int mss,
    int windowScale,
    boolean sackPermitted,
    List<SackBlock> sackBlocks,
    Timestamps timestamps) {

  /** No options at all. */
  public static final TcpOptions NONE = new TcpOptions(-1, -1, false, List.of(), null);

  /** The room for options in a TCP header: data offset 15 words minus the 5 fixed ones. */
  public static final int MAX_LENGTH = 40;

  /** RFC 7323 §2.3: larger shift counts are treated as 14. */
  public static final int MAX_WINDOW_SCALE = 14;

  /** The most SACK blocks one option can hold (RFC 2018 §3: 2 + 8n bytes within 40). */
  public static final int MAX_SACK_BLOCKS = 4;

  // Option kinds, RFC 9293 §3.2 and the IANA registry.
  private static final int KIND_EOL = 0;
  private static final int KIND_NOP = 1;
  private static final int KIND_MSS = 2;
  private static final int KIND_WINDOW_SCALE = 3;
  private static final int KIND_SACK_PERMITTED = 4;
  private static final int KIND_SACK = 5;
  private static final int KIND_TIMESTAMPS = 8;

  private static final int LENGTH_MSS = 4;
  private static final int LENGTH_WINDOW_SCALE = 3;
  private static final int LENGTH_SACK_PERMITTED = 2;
  private static final int LENGTH_SACK_BASE = 2;
  private static final int LENGTH_SACK_PER_BLOCK = 8;
  private static final int LENGTH_TIMESTAMPS = 10;

  /**
   * @throws IllegalArgumentException for a value outside the ranges above
   */
  public TcpOptions {
    if (mss < -1 || mss > 0xFFFF) {
      throw new IllegalArgumentException("MSS must be -1 (absent) or 0..65535: " + mss);
    }
    if (windowScale < -1 || windowScale > MAX_WINDOW_SCALE) {
      throw new IllegalArgumentException(
          "window scale must be -1 (absent) or 0..14: " + windowScale);
    }
    sackBlocks = List.copyOf(Objects.requireNonNull(sackBlocks, "sackBlocks"));
    if (sackBlocks.size() > MAX_SACK_BLOCKS) {
      throw new IllegalArgumentException(
          "at most 4 SACK blocks fit a TCP header: " + sackBlocks.size());
    }
  }

  public TcpOptions withMss(int mss) {
    return new TcpOptions(mss, windowScale, sackPermitted, sackBlocks, timestamps);
  }

  public TcpOptions withWindowScale(int windowScale) {
    return new TcpOptions(mss, windowScale, sackPermitted, sackBlocks, timestamps);
  }

  public TcpOptions withSackPermitted() {
    return new TcpOptions(mss, windowScale, true, sackBlocks, timestamps);
  }

  public TcpOptions withSackBlocks(List<SackBlock> sackBlocks) {
    return new TcpOptions(mss, windowScale, sackPermitted, sackBlocks, timestamps);
  }

  /**
   * @param timestamps the option, or null to remove it
   */
  public TcpOptions withTimestamps(Timestamps timestamps) {
    return new TcpOptions(mss, windowScale, sackPermitted, sackBlocks, timestamps);
  }

  /** True when no option is present. */
  public boolean isEmpty() {
    return mss < 0
        && windowScale < 0
        && !sackPermitted
        && sackBlocks.isEmpty()
        && timestamps == null;
  }

  /**
   * The bytes {@link #writeTo} writes, a multiple of 4.
   *
   * @throws IllegalArgumentException if the options need more than 40 bytes
   */
  public int encodedLength() {
    int n = 0;
    if (mss >= 0) {
      n += 4;
    }
    if (timestamps != null) {
      n += 12;
    } else if (sackPermitted) {
      n += 4;
    }
    if (windowScale >= 0) {
      n += 4;
    }
    if (!sackBlocks.isEmpty()) {
      n += 4 + LENGTH_SACK_PER_BLOCK * sackBlocks.size();
    }
    if (n > MAX_LENGTH) {
      throw new IllegalArgumentException("TCP options need " + n + " bytes, more than 40: " + this);
    }
    return n;
  }

  /**
   * Writes the options at {@code dst[offset..offset+encodedLength())}.
   *
   * @throws IllegalArgumentException if the options need more than 40 bytes
   */
  public void writeTo(byte[] dst, int offset) {
    int end = offset + encodedLength();
    int p = offset;
    if (mss >= 0) {
      dst[p] = KIND_MSS;
      dst[p + 1] = LENGTH_MSS;
      Bytes.put16(dst, p + 2, mss);
      p += 4;
    }
    if (timestamps != null) {
      if (sackPermitted) {
        dst[p] = KIND_SACK_PERMITTED;
        dst[p + 1] = LENGTH_SACK_PERMITTED;
      } else {
        dst[p] = KIND_NOP;
        dst[p + 1] = KIND_NOP;
      }
      dst[p + 2] = KIND_TIMESTAMPS;
      dst[p + 3] = LENGTH_TIMESTAMPS;
      Bytes.put32(dst, p + 4, timestamps.value());
      Bytes.put32(dst, p + 8, timestamps.echoReply());
      p += 12;
    } else if (sackPermitted) {
      dst[p] = KIND_NOP;
      dst[p + 1] = KIND_NOP;
      dst[p + 2] = KIND_SACK_PERMITTED;
      dst[p + 3] = LENGTH_SACK_PERMITTED;
      p += 4;
    }
    if (windowScale >= 0) {
      dst[p] = KIND_NOP;
      dst[p + 1] = KIND_WINDOW_SCALE;
      dst[p + 2] = LENGTH_WINDOW_SCALE;
      dst[p + 3] = (byte) windowScale;
      p += 4;
    }
    int blocks = sackBlocks.size();
    if (blocks > 0) {
      dst[p] = KIND_NOP;
      dst[p + 1] = KIND_NOP;
      dst[p + 2] = KIND_SACK;
      dst[p + 3] = (byte) (LENGTH_SACK_BASE + LENGTH_SACK_PER_BLOCK * blocks);
      p += 4;
      for (int i = 0; i < blocks; i++) {
        SackBlock block = sackBlocks.get(i);
        Bytes.put32(dst, p, block.left());
        Bytes.put32(dst, p + 4, block.right());
        p += 8;
      }
    }
    assert p == end : "layout and encodedLength disagree";
  }

  /**
   * Reads the option area {@code bs[offset, offset+length)} of a TCP header (RFC 9293 §3.2). EOL
   * ends the list; NOP is skipped; every other kind has a length byte and unknown kinds are skipped
   * by it. A window scale above 14 is read as 14 (RFC 7323 §2.3). When an option appears twice, the
   * last one counts.
   *
   * @throws MalformedPacketException BAD_OPTION_LENGTH when a length byte is missing, below 2, runs
   *     past the area, or is wrong for a known kind
   * @throws IndexOutOfBoundsException if the area is outside {@code bs}
   */
  public static TcpOptions parse(ByteString bs, int offset, int length)
      throws MalformedPacketException {
    Objects.checkFromIndexSize(offset, length, bs.length());
    int mss = -1;
    int windowScale = -1;
    boolean sackPermitted = false;
    List<SackBlock> sackBlocks = List.of();
    Timestamps timestamps = null;
    int end = offset + length;
    int i = offset;
    while (i < end) {
      int kind = Bytes.u8(bs, i);
      if (kind == KIND_EOL) {
        break;
      }
      if (kind == KIND_NOP) {
        i++;
        continue;
      }
      if (i + 1 >= end) {
        throw new MalformedPacketException(BAD_OPTION_LENGTH, "TCP option without a length byte");
      }
      int optionLength = Bytes.u8(bs, i + 1);
      if (optionLength < 2) {
        throw new MalformedPacketException(BAD_OPTION_LENGTH, "TCP option length below 2");
      }
      if (optionLength > end - i) {
        throw new MalformedPacketException(
            BAD_OPTION_LENGTH, "TCP option past the end of the header");
      }
      switch (kind) {
        case KIND_MSS -> {
          expectLength(optionLength, LENGTH_MSS, "MSS");
          mss = Bytes.u16(bs, i + 2);
        }
        case KIND_WINDOW_SCALE -> {
          expectLength(optionLength, LENGTH_WINDOW_SCALE, "window scale");
          windowScale = Math.min(Bytes.u8(bs, i + 2), MAX_WINDOW_SCALE);
        }
        case KIND_SACK_PERMITTED -> {
          expectLength(optionLength, LENGTH_SACK_PERMITTED, "SACK-permitted");
          sackPermitted = true;
        }
        case KIND_SACK -> sackBlocks = readSackBlocks(bs, i, optionLength);
        case KIND_TIMESTAMPS -> {
          expectLength(optionLength, LENGTH_TIMESTAMPS, "timestamps");
          timestamps = new Timestamps(Bytes.i32(bs, i + 2), Bytes.i32(bs, i + 6));
        }
        default -> {
          // RFC 9293 §3.2: an unknown option is skipped using its length.
        }
      }
      i += optionLength;
    }
    if (mss < 0
        && windowScale < 0
        && !sackPermitted
        && sackBlocks.isEmpty()
        && timestamps == null) {
      return NONE;
    }
    return new TcpOptions(mss, windowScale, sackPermitted, sackBlocks, timestamps);
  }

  private static void expectLength(int actual, int expected, String name)
      throws MalformedPacketException {
    if (actual != expected) {
      throw new MalformedPacketException(BAD_OPTION_LENGTH, name);
    }
  }

  /** RFC 2018 §3: length 2 + 8n for n = 1..4 blocks. */
  private static List<SackBlock> readSackBlocks(ByteString bs, int at, int optionLength)
      throws MalformedPacketException {
    int blockBytes = optionLength - LENGTH_SACK_BASE;
    int n = blockBytes / LENGTH_SACK_PER_BLOCK;
    if (blockBytes % LENGTH_SACK_PER_BLOCK != 0 || n < 1 || n > MAX_SACK_BLOCKS) {
      throw new MalformedPacketException(BAD_OPTION_LENGTH, "SACK");
    }
    int p = at + LENGTH_SACK_BASE;
    return switch (n) {
      case 1 -> List.of(readBlock(bs, p));
      case 2 -> List.of(readBlock(bs, p), readBlock(bs, p + 8));
      case 3 -> List.of(readBlock(bs, p), readBlock(bs, p + 8), readBlock(bs, p + 16));
      default ->
          List.of(
              readBlock(bs, p), readBlock(bs, p + 8), readBlock(bs, p + 16), readBlock(bs, p + 24));
    };
  }

  private static SackBlock readBlock(ByteString bs, int p) {
    return new SackBlock(Bytes.i32(bs, p), Bytes.i32(bs, p + 4));
  }

  /** Compact form for logs and test failures, e.g. {@code [mss=1460,sackOK,ts=7/0,ws=7]}. */
  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder("[");
    if (mss >= 0) {
      sb.append("mss=").append(mss).append(',');
    }
    if (sackPermitted) {
      sb.append("sackOK,");
    }
    if (timestamps != null) {
      sb.append("ts=").append(timestamps).append(',');
    }
    if (windowScale >= 0) {
      sb.append("ws=").append(windowScale).append(',');
    }
    if (!sackBlocks.isEmpty()) {
      sb.append("sack=");
      for (int i = 0; i < sackBlocks.size(); i++) {
        sb.append(i == 0 ? "" : " ").append(sackBlocks.get(i));
      }
      sb.append(',');
    }
    if (sb.length() > 1) {
      sb.setLength(sb.length() - 1);
    }
    return sb.append(']').toString();
  }
}
