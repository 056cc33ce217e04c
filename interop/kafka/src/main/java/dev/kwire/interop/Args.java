package dev.kwire.interop;

import java.util.ArrayList;
import java.util.List;
import java.util.Properties;

/** The command lines of the programs here: --name value pairs, some repeatable. */
final class Args {
  private final String[] args;

  Args(String[] args) {
    if (args.length % 2 != 0) throw new IllegalArgumentException("arguments come in --name value pairs: " + String.join(" ", args));
    for (int i = 0; i < args.length; i += 2) {
      if (!args[i].startsWith("--")) throw new IllegalArgumentException("not a --name: " + args[i]);
    }
    this.args = args;
  }

  /** Every value of a repeatable --name, in order. */
  List<String> all(String name) {
    List<String> values = new ArrayList<>();
    for (int i = 0; i < args.length; i += 2) if (args[i].equals(name)) values.add(args[i + 1]);
    return values;
  }

  /** The last value of --name, or def. */
  String one(String name, String def) {
    List<String> values = all(name);
    return values.isEmpty() ? def : values.get(values.size() - 1);
  }

  String required(String name) {
    String v = one(name, null);
    if (v == null) throw new IllegalArgumentException(name + " is required");
    return v;
  }

  /** The client properties given as --property NAME=VALUE. */
  Properties properties() {
    Properties p = new Properties();
    for (String kv : all("--property")) {
      int eq = kv.indexOf('=');
      if (eq <= 0) throw new IllegalArgumentException("--property takes NAME=VALUE, not " + kv);
      p.put(kv.substring(0, eq), kv.substring(eq + 1));
    }
    return p;
  }
}
