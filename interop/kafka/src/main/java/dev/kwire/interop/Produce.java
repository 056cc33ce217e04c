package dev.kwire.interop;

import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Produces numbered records with the Java client's KafkaProducer, as the control beside kwire's
 * producer, and prints where each landed, one line a record in the order sent:
 * "I PARTITION OFFSET", or "I error EXCEPTION: MESSAGE".
 *
 * <pre>Produce --bootstrap HOST:PORT --topic T --records N [--keys K] [--value-size S]
 *         [--headers true] [--null-values M] [--timestamp T] [--throughput R] [--wait-before I]
 *         [--metrics FILE] [--property K=V...]</pre>
 *
 * Record I's value is I as ten decimal digits, padded with 'x' to --value-size bytes; with
 * --null-values M every M-th value (I % M == M-1) is null. Its key is "key-" + (I % K) with
 * --keys K, else null. With --headers true it carries the headers seq=I and null=(null). Its
 * timestamp is T+I with --timestamp T, else the producer's clock. --throughput caps records a
 * second, counted from the first send, which waits for the topic's metadata (default: as fast as
 * it goes). --wait-before I holds record I and those after it until a line (or the end) comes on
 * stdin, for a test to line its faults up with the run; the pace then resumes where it was.
 * --metrics writes the producer's metrics (group producer-metrics: record-retry-total,
 * record-error-total, connection-close-total...) to FILE at the end, "NAME VALUE" a line. Exit
 * status 0 when every record was acknowledged, 1 when any failed; a summary goes to stderr.
 */
public final class Produce {
  public static void main(String[] args) throws Exception {
    Args a = new Args(args);
    String topic = a.required("--topic");
    int n = Integer.parseInt(a.required("--records"));
    int keys = Integer.parseInt(a.one("--keys", "0"));
    int valueSize = Math.max(10, Integer.parseInt(a.one("--value-size", "10")));
    boolean headers = Boolean.parseBoolean(a.one("--headers", "false"));
    int nullEvery = Integer.parseInt(a.one("--null-values", "0"));
    long timestamp = Long.parseLong(a.one("--timestamp", "-1"));
    double throughput = Double.parseDouble(a.one("--throughput", "-1"));
    int waitBefore = Integer.parseInt(a.one("--wait-before", "-1"));
    String metricsFile = a.one("--metrics", null);

    Properties props = a.properties();
    props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, a.required("--bootstrap"));
    props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());

    String[] results = new String[n];
    AtomicLong failed = new AtomicLong();
    long start = System.currentTimeMillis();
    long paced = 0; // when the first send returned, once it had the topic's metadata
    try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(props)) {
      long paused = 0;
      for (int i = 0; i < n; i++) {
        if (i == waitBefore) paused = waitForLine();
        if (throughput > 0 && i > 0) pace(paced + paused, i, throughput);
        byte[] key = keys > 0 ? ("key-" + (i % keys)).getBytes(StandardCharsets.UTF_8) : null;
        byte[] value = nullEvery > 0 && i % nullEvery == nullEvery - 1 ? null : value(i, valueSize);
        RecordHeaders h = new RecordHeaders();
        if (headers) {
          h.add("seq", Integer.toString(i).getBytes(StandardCharsets.UTF_8));
          h.add("null", null);
        }
        Long ts = timestamp >= 0 ? timestamp + i : null;
        final int seq = i;
        producer.send(new ProducerRecord<>(topic, null, ts, key, value, h), (md, err) -> {
          if (err != null) {
            failed.incrementAndGet();
            results[seq] = seq + " error " + err.getClass().getSimpleName() + ": " + err.getMessage();
          } else {
            results[seq] = seq + " " + md.partition() + " " + md.offset();
          }
        });
        if (i == 0) paced = System.currentTimeMillis();
      }
      producer.flush();
      if (metricsFile != null) writeMetrics(producer, metricsFile);
    }
    BufferedWriter out = new BufferedWriter(new OutputStreamWriter(System.out, StandardCharsets.UTF_8), 1 << 16);
    for (String r : results) {
      out.write(r);
      out.write('\n');
    }
    out.flush();
    System.err.printf("Produce: %d of %d records acknowledged in %d ms%n", n - failed.get(), n, System.currentTimeMillis() - start);
    System.exit(failed.get() == 0 ? 0 : 1);
  }

  /** writeMetrics writes the producer-wide metrics, "NAME VALUE" a line, to file. */
  private static void writeMetrics(KafkaProducer<?, ?> producer, String file) throws Exception {
    StringBuilder b = new StringBuilder();
    for (Map.Entry<MetricName, ? extends Metric> m : producer.metrics().entrySet()) {
      if (m.getKey().group().equals("producer-metrics")) {
        b.append(m.getKey().name()).append(' ').append(m.getValue().metricValue()).append('\n');
      }
    }
    Files.writeString(Path.of(file), b.toString(), StandardCharsets.UTF_8);
  }

  private static byte[] value(int i, int size) {
    byte[] v = new byte[size];
    Arrays.fill(v, (byte) 'x');
    byte[] digits = String.format("%010d", i).getBytes(StandardCharsets.US_ASCII);
    System.arraycopy(digits, 0, v, 0, digits.length);
    return v;
  }

  /** waitForLine reads a line from stdin and returns how many milliseconds that took. */
  private static long waitForLine() throws Exception {
    long t = System.currentTimeMillis();
    new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
    return System.currentTimeMillis() - t;
  }

  /** pace sleeps until record i is due at throughput records a second since start. */
  private static void pace(long start, int i, double throughput) throws InterruptedException {
    long due = start + (long) (i * 1000 / throughput);
    long wait = due - System.currentTimeMillis();
    if (wait > 0) Thread.sleep(wait);
  }
}
