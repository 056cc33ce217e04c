package dev.kwire.interop;

import java.io.BufferedWriter;
import java.io.OutputStreamWriter;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;

/**
 * Asks for a topic's offsets with the Java client's KafkaConsumer (assign, no group), then seeks
 * some of its partitions and reads them from there to their end. It prints one JSON line a
 * partition, then the records read, one a line as Consume prints them:
 *
 * <pre>{"offsets":{"p":0,"begin":0,"end":12,"position":6,"times":[[1700000000000,3,1700000000004],[1800000000000,null,null]]}}</pre>
 *
 * begin and end are beginningOffsets and endOffsets; times are offsetsForTimes for each --time,
 * [time, offset, timestamp] or nulls when no record is that late; position is where the consumer
 * stands after its --from seek (null for a partition not read).
 *
 * <pre>Seek --bootstrap HOST:PORT --topic T [--time MS...] [--from P:WHERE...] [--timeout-ms MS] [--property K=V...]</pre>
 *
 * WHERE is an offset (seek), "begin" (seekToBeginning), "end" (seekToEnd) or "time:MS" (seek to
 * what offsetsForTimes finds for MS, or to the end if it finds nothing). Exit status 0 when every
 * partition seeked was read to its end offset, 2 when --timeout-ms (default 120000) passes first.
 */
public final class Seek {
  public static void main(String[] args) throws Exception {
    Args a = new Args(args);
    String topic = a.required("--topic");
    long timeoutMs = Long.parseLong(a.one("--timeout-ms", "120000"));
    Duration timeout = Duration.ofMillis(timeoutMs);

    BufferedWriter out = new BufferedWriter(new OutputStreamWriter(System.out, StandardCharsets.UTF_8), 1 << 16);
    try (KafkaConsumer<byte[], byte[]> consumer = Consume.consumer(a)) {
      List<PartitionInfo> infos = new ArrayList<>(consumer.partitionsFor(topic, timeout));
      infos.sort(Comparator.comparingInt(PartitionInfo::partition));
      List<TopicPartition> all = new ArrayList<>();
      for (PartitionInfo info : infos) all.add(new TopicPartition(topic, info.partition()));
      Map<TopicPartition, String> from = new LinkedHashMap<>();
      for (String f : a.all("--from")) {
        int colon = f.indexOf(':');
        if (colon <= 0) throw new IllegalArgumentException("--from takes PARTITION:WHERE, not " + f);
        from.put(new TopicPartition(topic, Integer.parseInt(f.substring(0, colon))), f.substring(colon + 1));
      }

      Map<TopicPartition, Long> begin = consumer.beginningOffsets(all, timeout);
      Map<TopicPartition, Long> end = consumer.endOffsets(all, timeout);
      List<Long> times = new ArrayList<>();
      List<Map<TopicPartition, OffsetAndTimestamp>> found = new ArrayList<>();
      for (String t : a.all("--time")) {
        long ms = Long.parseLong(t);
        Map<TopicPartition, Long> query = new HashMap<>();
        for (TopicPartition tp : all) query.put(tp, ms);
        times.add(ms);
        found.add(consumer.offsetsForTimes(query, timeout));
      }

      consumer.assign(from.keySet());
      for (Map.Entry<TopicPartition, String> e : from.entrySet()) seek(consumer, e.getKey(), e.getValue(), timeout);
      for (TopicPartition tp : all) {
        StringBuilder b = new StringBuilder(128);
        b.append("{\"offsets\":{\"p\":").append(tp.partition());
        b.append(",\"begin\":").append(begin.get(tp)).append(",\"end\":").append(end.get(tp));
        b.append(",\"position\":").append(from.containsKey(tp) ? Long.toString(consumer.position(tp, timeout)) : "null");
        b.append(",\"times\":[");
        for (int i = 0; i < times.size(); i++) {
          OffsetAndTimestamp ot = found.get(i).get(tp);
          if (i > 0) b.append(',');
          b.append('[').append(times.get(i)).append(',');
          b.append(ot == null ? "null,null" : ot.offset() + "," + ot.timestamp()).append(']');
        }
        out.write(b.append("]}}\n").toString());
      }

      Map<TopicPartition, Long> remaining = new HashMap<>();
      for (TopicPartition tp : from.keySet()) {
        if (consumer.position(tp) < end.get(tp)) remaining.put(tp, end.get(tp));
      }
      long deadline = System.currentTimeMillis() + timeoutMs;
      while (!remaining.isEmpty()) {
        if (System.currentTimeMillis() > deadline) {
          out.flush();
          System.err.println("Seek: not read to the end within " + timeoutMs + " ms: " + remaining);
          System.exit(2);
        }
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) Consume.write(out, r, all.size());
        remaining.entrySet().removeIf(e -> consumer.position(e.getKey()) >= e.getValue());
      }
    }
    out.flush();
  }

  /** seek moves tp's position to where --from says. */
  private static void seek(KafkaConsumer<byte[], byte[]> consumer, TopicPartition tp, String where, Duration timeout) {
    switch (where) {
      case "begin" -> consumer.seekToBeginning(List.of(tp));
      case "end" -> consumer.seekToEnd(List.of(tp));
      default -> {
        if (!where.startsWith("time:")) {
          consumer.seek(tp, Long.parseLong(where));
          return;
        }
        long ms = Long.parseLong(where.substring("time:".length()));
        OffsetAndTimestamp ot = consumer.offsetsForTimes(Map.of(tp, ms), timeout).get(tp);
        if (ot == null) consumer.seekToEnd(List.of(tp));
        else consumer.seek(tp, ot.offset());
      }
    }
  }
}
