package dev.vnetif.cli;

import java.util.List;
import java.util.Map;

/**
 * Writes a tree of {@link Map} (objects, in their iteration order), {@link List}, {@link String},
 * {@link Number}, {@link Boolean} and null as JSON (RFC 8259), indented as iperf3's {@code -J}
 * output is. Hand-written rather than a library: the only JSON the tool makes is iperf's report,
 * and this is all it needs; the tests read it back with a strict JSON parser.
 */
final class JsonWriter {
  private final StringBuilder text = new StringBuilder();

  private JsonWriter() {}

  static String write(Object value) {
    JsonWriter w = new JsonWriter();
    w.value(value, 0);
    return w.text.append('\n').toString();
  }

  private void value(Object value, int depth) {
    if (value == null) {
      text.append("null");
    } else if (value instanceof String s) {
      string(s);
    } else if (value instanceof Boolean b) {
      text.append(b);
    } else if (value instanceof Double || value instanceof Float) {
      double d = ((Number) value).doubleValue();
      // JSON has no NaN or infinity; a rate over no time is reported as no value.
      text.append(Double.isFinite(d) ? Double.toString(d) : "null");
    } else if (value instanceof Number n) {
      text.append(n.longValue());
    } else if (value instanceof Map<?, ?> map) {
      object(map, depth);
    } else if (value instanceof List<?> list) {
      array(list, depth);
    } else {
      throw new IllegalArgumentException("no JSON form for " + value.getClass().getName());
    }
  }

  private void object(Map<?, ?> map, int depth) {
    if (map.isEmpty()) {
      text.append("{}");
      return;
    }
    text.append('{');
    String sep = "\n";
    for (Map.Entry<?, ?> e : map.entrySet()) {
      text.append(sep);
      indent(depth + 1);
      string(String.valueOf(e.getKey()));
      text.append(": ");
      value(e.getValue(), depth + 1);
      sep = ",\n";
    }
    text.append('\n');
    indent(depth);
    text.append('}');
  }

  private void array(List<?> list, int depth) {
    if (list.isEmpty()) {
      text.append("[]");
      return;
    }
    text.append('[');
    String sep = "\n";
    for (Object item : list) {
      text.append(sep);
      indent(depth + 1);
      value(item, depth + 1);
      sep = ",\n";
    }
    text.append('\n');
    indent(depth);
    text.append(']');
  }

  private void indent(int depth) {
    text.append("\t".repeat(depth));
  }

  /** RFC 8259 §7: quote, backslash and control characters escaped; the rest as is. */
  private void string(String s) {
    text.append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> text.append("\\\"");
        case '\\' -> text.append("\\\\");
        case '\n' -> text.append("\\n");
        case '\r' -> text.append("\\r");
        case '\t' -> text.append("\\t");
        case '\b' -> text.append("\\b");
        case '\f' -> text.append("\\f");
        default -> {
          if (c < 0x20) {
            text.append(String.format("\\u%04x", (int) c));
          } else {
            text.append(c);
          }
        }
      }
    }
    text.append('"');
  }
}
