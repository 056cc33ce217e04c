package dev.kwire.interop;

import java.io.BufferedWriter;
import java.io.OutputStreamWriter;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.types.Password;

/**
 * Prints every property the Java producer defines (ProducerConfig.configDef()), sorted by name, one
 * JSON object a line:
 *
 * <pre>{"name":"linger.ms","type":"LONG","default":5,"importance":"MEDIUM","internal":false}</pre>
 *
 * "type" is ConfigDef.Type's name (BOOLEAN, STRING, INT, SHORT, LONG, DOUBLE, LIST, CLASS,
 * PASSWORD), "importance" ConfigDef.Importance's. "default" is the parsed default: a JSON number
 * for SHORT, INT, LONG and DOUBLE, a boolean for BOOLEAN, a string for STRING, an array of the
 * elements' strings for LIST, the class's binary name (Class.getName()) for CLASS, and for PASSWORD
 * "[hidden]" (Password.toString), never the password itself. A Java null default is JSON null; a
 * property without a default (ConfigDef.NO_DEFAULT_VALUE: the user must set it) has no "default".
 *
 * <pre>ProducerConfigDump</pre>
 */
public final class ProducerConfigDump {
  public static void main(String[] args) throws Exception {
    if (args.length != 0) throw new IllegalArgumentException("ProducerConfigDump takes no arguments");
    BufferedWriter out = new BufferedWriter(new OutputStreamWriter(System.out, StandardCharsets.UTF_8));
    for (ConfigDef.ConfigKey k : new TreeMap<>(ProducerConfig.configDef().configKeys()).values()) {
      StringBuilder b = new StringBuilder(128);
      b.append("{\"name\":").append(Json.string(k.name));
      b.append(",\"type\":\"").append(k.type.name()).append('"');
      if (k.hasDefault()) b.append(",\"default\":").append(value(k.type, k.defaultValue));
      b.append(",\"importance\":\"").append(k.importance.name()).append('"');
      b.append(",\"internal\":").append(k.internalConfig);
      b.append("}\n");
      out.write(b.toString());
    }
    out.flush();
  }

  /** A parsed default as JSON. */
  private static String value(ConfigDef.Type type, Object v) {
    if (v == null) return "null";
    switch (type) {
      case SHORT, INT, LONG, BOOLEAN:
        return v.toString();
      case DOUBLE: {
        double d = (Double) v;
        return Double.isFinite(d) ? v.toString() : Json.string(v.toString());
      }
      case LIST: {
        StringBuilder b = new StringBuilder("[");
        for (Object e : (List<?>) v) {
          if (b.length() > 1) b.append(',');
          b.append(Json.string(e.toString()));
        }
        return b.append(']').toString();
      }
      case CLASS:
        return Json.string(((Class<?>) v).getName());
      case PASSWORD:
        return Json.string(((Password) v).toString());
      default:
        return Json.string(v.toString());
    }
  }
}
