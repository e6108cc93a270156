package dev.vnetif;

import org.apache.pekko.util.ByteString;

/** What {@link TcpFlow#read()} returns: some bytes, or the end of the stream. */
public sealed interface ReadResult {

  /** At least one byte, in order. */
  record Data(ByteString data) implements ReadResult {
    public Data {
      if (data == null || data.isEmpty()) {
        throw new IllegalArgumentException("Data carries at least one byte");
      }
    }
  }

  /** The peer closed and every byte before its FIN has been read. */
  record Eof() implements ReadResult {}

  ReadResult EOF = new Eof();
}
