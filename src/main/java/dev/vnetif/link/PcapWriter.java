package dev.vnetif.link;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.util.ByteString;

/**
 * Writes Ethernet frames to a classic libpcap capture file (not pcapng) that Wireshark, tshark and
 * tcpdump can open.
 *
 * <p>File format, from the libpcap file format description (<a
 * href="https://wiki.wireshark.org/Development/LibpcapFileFormat">Wireshark wiki</a>, <a
 * href="https://datatracker.ietf.org/doc/draft-ietf-opsawg-pcap/">draft-ietf-opsawg-pcap</a>):
 *
 * <pre>
 * global header (24 bytes):
 *   u32 magic_number   0xa1b2c3d4 (timestamps in microseconds)
 *   u16 version_major  2
 *   u16 version_minor  4
 *   i32 thiszone       0 (timestamps are UTC)
 *   u32 sigfigs        0
 *   u32 snaplen        262144
 *   u32 network        1 (LINKTYPE_ETHERNET)
 * per record (16-byte header, then incl_len bytes of frame):
 *   u32 ts_sec   u32 ts_usec   u32 incl_len   u32 orig_len
 * </pre>
 *
 * <p>Fields are written in little-endian order, as most writers on common hardware do; readers
 * detect the byte order from the magic number (draft-ietf-opsawg-pcap, "File Header").
 *
 * <p>Output is buffered (64 KiB); records reach the file on {@link #flush()}, on {@link #close()},
 * or when the buffer fills.
 *
 * <p><b>Not thread-safe.</b> An instance is meant to be owned by a single actor (or otherwise
 * confined to one thread at a time); callers must not share it without external synchronization.
 */
public final class PcapWriter implements AutoCloseable {

  /** Magic number for microsecond-resolution timestamps. */
  static final int MAGIC_MICROSECONDS = 0xa1b2c3d4;

  static final short VERSION_MAJOR = 2;
  static final short VERSION_MINOR = 4;

  /** Maximum bytes stored per frame; longer frames are truncated (orig_len keeps the size). */
  public static final int SNAPLEN = 262_144;

  /** LINKTYPE_ETHERNET from the tcpdump.org link-layer header type registry. */
  static final int LINKTYPE_ETHERNET = 1;

  static final int GLOBAL_HEADER_LENGTH = 24;
  static final int RECORD_HEADER_LENGTH = 16;
  private static final int BUFFER_SIZE = 64 * 1024;

  private final Path file;
  private final FileChannel channel;
  private final ByteBuffer buffer =
      ByteBuffer.allocateDirect(BUFFER_SIZE).order(ByteOrder.LITTLE_ENDIAN);
  private long framesWritten;
  private boolean closed;

  private PcapWriter(Path file, FileChannel channel) {
    this.file = file;
    this.channel = channel;
  }

  /**
   * Creates {@code file} (truncating an existing one) and writes the pcap global header. The header
   * is flushed to disk immediately, so the file is a valid, empty capture even if nothing else is
   * written.
   *
   * @throws IOException if the file cannot be created or written
   */
  public static PcapWriter open(Path file) throws IOException {
    FileChannel channel =
        FileChannel.open(
            file,
            StandardOpenOption.CREATE,
            StandardOpenOption.WRITE,
            StandardOpenOption.TRUNCATE_EXISTING);
    PcapWriter writer = new PcapWriter(file, channel);
    try {
      writer.writeGlobalHeader();
      writer.flush();
    } catch (IOException | RuntimeException e) {
      try {
        channel.close();
      } catch (IOException suppressed) {
        e.addSuppressed(suppressed);
      }
      throw e;
    }
    return writer;
  }

  private void writeGlobalHeader() {
    buffer
        .putInt(MAGIC_MICROSECONDS)
        .putShort(VERSION_MAJOR)
        .putShort(VERSION_MINOR)
        .putInt(0) // thiszone
        .putInt(0) // sigfigs
        .putInt(SNAPLEN)
        .putInt(LINKTYPE_ETHERNET);
  }

  /**
   * Appends one frame as a record. Frames longer than {@link #SNAPLEN} are stored truncated to
   * {@code SNAPLEN} bytes, with their original length in orig_len.
   *
   * @param frame the complete Ethernet frame (destination MAC first, no FCS)
   * @param epochNanos capture time in nanoseconds since the Unix epoch; stored with microsecond
   *     resolution (truncated). Must not be negative.
   * @throws IOException if writing to the file fails
   * @throws IllegalStateException if the writer is closed
   * @throws IllegalArgumentException if {@code epochNanos} is negative or beyond the 32-bit seconds
   *     field of the format
   */
  public void write(ByteString frame, long epochNanos) throws IOException {
    ensureOpen();
    long seconds = TimeUnit.NANOSECONDS.toSeconds(epochNanos);
    if (epochNanos < 0 || seconds > 0xFFFF_FFFFL) {
      throw new IllegalArgumentException(
          "epochNanos out of range for a pcap timestamp: " + epochNanos);
    }
    int microseconds = (int) ((epochNanos % 1_000_000_000L) / 1_000L);
    int originalLength = frame.length();
    ByteString captured = originalLength > SNAPLEN ? frame.take(SNAPLEN) : frame;
    int includedLength = captured.length();

    ensureRoom(RECORD_HEADER_LENGTH);
    buffer.putInt((int) seconds).putInt(microseconds).putInt(includedLength).putInt(originalLength);
    writeBytes(captured);
    framesWritten++;
  }

  /** Copies the frame into the buffer, draining it to the file whenever it fills. */
  private void writeBytes(ByteString bytes) throws IOException {
    if (bytes.length() > buffer.capacity()) {
      // Big frames skip the buffer: hand the ByteString's own buffers to the channel.
      drain();
      for (ByteBuffer part : bytes.getByteBuffers()) {
        while (part.hasRemaining()) {
          channel.write(part);
        }
      }
      return;
    }
    ensureRoom(bytes.length());
    bytes.copyToBuffer(buffer);
  }

  private void ensureRoom(int bytes) throws IOException {
    if (buffer.remaining() < bytes) {
      drain();
    }
  }

  private void drain() throws IOException {
    buffer.flip();
    while (buffer.hasRemaining()) {
      channel.write(buffer);
    }
    buffer.clear();
  }

  /**
   * Writes all buffered records to the file. After it returns, a reader opening the file sees every
   * frame written so far.
   *
   * @throws IOException if writing fails
   * @throws IllegalStateException if the writer is closed
   */
  public void flush() throws IOException {
    ensureOpen();
    drain();
  }

  /**
   * Flushes buffered records and closes the file. Calling it again does nothing.
   *
   * @throws IOException if the final flush or the close fails; the file is closed anyway
   */
  @Override
  public void close() throws IOException {
    if (closed) {
      return;
    }
    closed = true;
    try (channel) {
      drain();
    }
  }

  /** Number of frames written since {@link #open(Path)}, including any still buffered. */
  public long framesWritten() {
    return framesWritten;
  }

  /** The capture file this writer appends to. */
  public Path file() {
    return file;
  }

  private void ensureOpen() {
    if (closed) {
      throw new IllegalStateException("PcapWriter for " + file + " is closed");
    }
  }
}
