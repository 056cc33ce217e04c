package dev.kwire.interop;

import java.io.BufferedWriter;
import java.io.OutputStreamWriter;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.internals.BuiltInPartitioner;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Reads topics from the beginning to their end with the Java client's KafkaConsumer (assign and
 * seek, no group) and prints each record as one JSON object a line:
 *
 * <pre>{"t":"orders","p":0,"o":12,"ts":1700000000000,"tt":"CreateTime","le":0,"k":"a2V5","v":null,
 *  "h":[["trace","YWJj"],["none",null]],"kp":3}</pre>
 *
 * "le" is the leader epoch the broker wrote into the record's batch (null if none). Keys, values
 * and header values are base64 (null stays null); "kp" is the partition the Java producer's
 * partitioner picks for the key among the topic's partitions (null without a key).
 *
 * <pre>Consume --bootstrap HOST:PORT --topic T [--topic T...] [--timeout-ms MS] [--property K=V...]</pre>
 *
 * The end is each partition's end offset when it starts (the last stable offset under
 * isolation.level=read_committed). Exit status 0 when every partition was read to its end, 2 with
 * a message naming the partitions left when --timeout-ms (default 120000) passes first.
 */
public final class Consume {
  public static void main(String[] args) throws Exception {
    Args a = new Args(args);
    List<String> topics = a.all("--topic");
    if (topics.isEmpty()) throw new IllegalArgumentException("Consume: --topic is required");
    long timeoutMs = Long.parseLong(a.one("--timeout-ms", "120000"));

    BufferedWriter out = new BufferedWriter(new OutputStreamWriter(System.out, StandardCharsets.UTF_8), 1 << 16);
    try (KafkaConsumer<byte[], byte[]> consumer = consumer(a)) {
      Map<String, Integer> partitionCounts = new HashMap<>();
      List<TopicPartition> assignment = new ArrayList<>();
      for (String topic : topics) {
        List<PartitionInfo> infos = consumer.partitionsFor(topic, Duration.ofMillis(timeoutMs));
        partitionCounts.put(topic, infos.size());
        for (PartitionInfo info : infos) assignment.add(new TopicPartition(topic, info.partition()));
      }
      consumer.assign(assignment);
      consumer.seekToBeginning(assignment);
      Map<TopicPartition, Long> remaining = new HashMap<>(consumer.endOffsets(assignment, Duration.ofMillis(timeoutMs)));
      for (TopicPartition tp : assignment) {
        if (consumer.position(tp, Duration.ofMillis(timeoutMs)) >= remaining.get(tp)) remaining.remove(tp);
      }
      long deadline = System.currentTimeMillis() + timeoutMs;
      while (!remaining.isEmpty()) {
        if (System.currentTimeMillis() > deadline) {
          out.flush();
          System.err.println("Consume: not read to the end within " + timeoutMs + " ms: " + remaining);
          System.exit(2);
        }
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
          write(out, r, partitionCounts.get(r.topic()));
        }
        remaining.entrySet().removeIf(e -> consumer.position(e.getKey()) >= e.getValue());
      }
    }
    out.flush();
  }

  /** consumer is a KafkaConsumer of --bootstrap with the --property settings, without a group. */
  static KafkaConsumer<byte[], byte[]> consumer(Args a) {
    Properties props = a.properties();
    props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, a.required("--bootstrap"));
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    return new KafkaConsumer<>(props);
  }

  /** write prints r as one JSON line; partitions is how many its topic has. */
  static void write(BufferedWriter out, ConsumerRecord<byte[], byte[]> r, int partitions) throws Exception {
    StringBuilder b = new StringBuilder(128);
    b.append("{\"t\":").append(Json.string(r.topic()));
    b.append(",\"p\":").append(r.partition());
    b.append(",\"o\":").append(r.offset());
    b.append(",\"ts\":").append(r.timestamp());
    b.append(",\"tt\":\"").append(r.timestampType().name).append('"');
    b.append(",\"le\":").append(r.leaderEpoch().map(String::valueOf).orElse("null"));
    b.append(",\"k\":").append(base64(r.key()));
    b.append(",\"v\":").append(base64(r.value()));
    b.append(",\"h\":[");
    boolean first = true;
    for (Header h : r.headers()) {
      if (!first) b.append(',');
      first = false;
      b.append('[').append(Json.string(h.key())).append(',').append(base64(h.value())).append(']');
    }
    b.append("],\"kp\":");
    b.append(r.key() == null ? "null" : Integer.toString(BuiltInPartitioner.partitionForKey(r.key(), partitions)));
    b.append("}\n");
    out.write(b.toString());
  }

  private static String base64(byte[] b) {
    return b == null ? "null" : '"' + Base64.getEncoder().encodeToString(b) + '"';
  }
}
