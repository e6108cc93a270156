package dev.vnetif.link;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.pekko.util.ByteString;

/**
 * Reads a classic libpcap capture: what {@link PcapWriter} (so {@code VirtualNetwork.recordPcap}
 * and the CLI's {@code --pcap}), {@code tcpdump -w} and Wireshark's "pcap" format write. The
 * format, described by draft-ietf-opsawg-pcap, is a 24-byte file header, then records of a 16-byte
 * header and the captured bytes.
 *
 * <p>Both byte orders and both timestamp resolutions (magic {@code 0xa1b2c3d4}, microseconds;
 * {@code 0xa1b23c4d}, nanoseconds) are read; pcapng is not (it fails with a message that says how
 * to convert it). Records are returned as they are, whatever the link type: interpreting their
 * bytes is the caller's business ({@link dev.vnetif.wire.EthernetFrame} for {@link
 * #LINKTYPE_ETHERNET}, what our captures hold).
 *
 * <p>A record cut short by the capture's snap length is padded with zeros to its original length
 * (at most 1 MiB), so that its headers still parse and its lengths are right; {@link
 * Packet#capturedLength()} says how many of its bytes were captured.
 *
 * <p>The whole file is read into memory. Stateless and thread-safe.
 */
public final class PcapReader {
  /** LINKTYPE_ETHERNET: the record is an Ethernet frame (destination MAC first, no FCS). */
  public static final int LINKTYPE_ETHERNET = 1;

  /** LINKTYPE_RAW: the record is an IPv4 or IPv6 packet. */
  public static final int LINKTYPE_RAW = 101;

  /** LINKTYPE_LINUX_SLL: Linux "cooked" capture ({@code tcpdump -i any}), a 16-byte header. */
  public static final int LINKTYPE_LINUX_SLL = 113;

  /** LINKTYPE_IPV4: the record is an IPv4 packet. */
  public static final int LINKTYPE_IPV4 = 228;

  private static final int MAGIC_MICROSECONDS = 0xa1b2c3d4;
  private static final int MAGIC_NANOSECONDS = 0xa1b23c4d;
  private static final int MAGIC_PCAPNG = 0x0a0d0d0a;
  private static final int FILE_HEADER = 24;
  private static final int RECORD_HEADER = 16;

  /** A record longer than this is not a frame but a corrupt length field. */
  private static final int MAX_RECORD = 1 << 20;

  /**
   * The bytes are not a capture this reads, or not one its caller can use; the message names the
   * capture and says what is wrong and where (e.g. {@code "run.pcap is truncated: record 2 at byte
   * 194 has 144 of its 154 bytes"}).
   */
  public static final class FormatException extends Exception {
    private static final long serialVersionUID = 1L;

    /** A failure described by {@code message}, which should name the capture. */
    public FormatException(String message) {
      super(message);
    }
  }

  /**
   * One record.
   *
   * @param epochNanos the capture time, nanoseconds since 1970 (whole microseconds for a
   *     microsecond capture, such as {@link PcapWriter}'s)
   * @param data the record's bytes, from the link-layer header on; when the capture cut the record
   *     short, padded with zeros to its original length
   * @param capturedLength how many bytes of {@code data}, from its start, were captured: {@code
   *     data.length()} unless the snap length cut the record
   */
  public record Packet(long epochNanos, ByteString data, int capturedLength) {

    /** Whether the capture cut the record short: {@link #data()} ends in padding. */
    public boolean truncated() {
      return capturedLength < data.length();
    }
  }

  /**
   * A whole capture.
   *
   * @param linkType what each record starts with ({@link #LINKTYPE_ETHERNET}, ...; the link-layer
   *     header type registry of tcpdump.org)
   * @param packets the records, in the file's order
   */
  public record Capture(int linkType, List<Packet> packets) {

    public Capture {
      packets = List.copyOf(packets);
    }
  }

  private PcapReader() {}

  /**
   * Reads all of {@code file}; messages name it as given.
   *
   * @throws FormatException when it is not a classic pcap file (pcapng included), it or one of its
   *     records is cut short, or a record claims more than 1 MiB
   * @throws java.nio.file.NoSuchFileException when it does not exist
   * @throws IOException when it cannot be read
   */
  public static Capture read(Path file) throws IOException, FormatException {
    return parse(Files.readAllBytes(file), file.toString());
  }

  /**
   * Reads {@code bytes}, a whole capture file, named {@code name} in messages.
   *
   * @throws FormatException as {@link #read(Path)}
   */
  public static Capture parse(byte[] bytes, String name) throws FormatException {
    ByteBuffer in = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    if (bytes.length < 4) {
      throw new FormatException(name + " is not a pcap file: " + bytes.length + " bytes");
    }
    int magic = in.getInt(0);
    if (magic == MAGIC_PCAPNG) {
      throw new FormatException(
          name
              + " is a pcapng file; this reads classic pcap: convert it with "
              + "'editcap -F pcap "
              + name
              + " out.pcap' or capture with 'tcpdump -w'");
    }
    if (magic != MAGIC_MICROSECONDS && magic != MAGIC_NANOSECONDS) {
      in.order(ByteOrder.BIG_ENDIAN);
      magic = in.getInt(0);
    }
    if (magic != MAGIC_MICROSECONDS && magic != MAGIC_NANOSECONDS) {
      throw new FormatException(
          String.format(
              "%s is not a pcap file: it starts with %08x, not the pcap magic a1b2c3d4 or a1b23c4d",
              name, in.order(ByteOrder.BIG_ENDIAN).getInt(0)));
    }
    if (bytes.length < FILE_HEADER) {
      throw new FormatException(
          name + " is truncated: " + bytes.length + " bytes, less than the 24-byte pcap header");
    }
    long nanosPerFraction = magic == MAGIC_NANOSECONDS ? 1 : 1_000;
    // The link type is the low 16 bits; the FCS flags above them do not change the headers.
    int linkType = in.getInt(20) & 0xFFFF;
    List<Packet> packets = new ArrayList<>();
    int at = FILE_HEADER;
    while (at < bytes.length) {
      int number = packets.size() + 1;
      if (bytes.length - at < RECORD_HEADER) {
        throw new FormatException(
            String.format(
                "%s is truncated: record %d at byte %d has %d of its 16 header bytes",
                name, number, at, bytes.length - at));
      }
      long seconds = in.getInt(at) & 0xFFFF_FFFFL;
      long fraction = in.getInt(at + 4) & 0xFFFF_FFFFL;
      long captured = in.getInt(at + 8) & 0xFFFF_FFFFL;
      long original = in.getInt(at + 12) & 0xFFFF_FFFFL;
      if (captured > MAX_RECORD) {
        throw new FormatException(
            String.format(
                "%s is corrupt: record %d at byte %d claims %d bytes", name, number, at, captured));
      }
      int start = at + RECORD_HEADER;
      if (bytes.length - start < captured) {
        throw new FormatException(
            String.format(
                "%s is truncated: record %d at byte %d has %d of its %d bytes",
                name, number, at, bytes.length - start, captured));
      }
      byte[] data = new byte[(int) Math.max(captured, Math.min(original, MAX_RECORD))];
      System.arraycopy(bytes, start, data, 0, (int) captured);
      packets.add(
          new Packet(
              seconds * 1_000_000_000L + fraction * nanosPerFraction,
              ByteString.fromArrayUnsafe(data),
              (int) captured));
      at = start + (int) captured;
    }
    return new Capture(linkType, packets);
  }
}
