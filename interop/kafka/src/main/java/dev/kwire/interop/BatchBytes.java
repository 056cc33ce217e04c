package dev.kwire.interop;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.common.record.internal.CompressionType;
import org.apache.kafka.common.record.internal.DefaultRecord;
import org.apache.kafka.common.record.internal.DefaultRecordBatch;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.MemoryRecordsBuilder;
import org.apache.kafka.common.record.internal.MutableRecordBatch;
import org.apache.kafka.common.record.internal.Record;
import org.apache.kafka.common.record.internal.RecordBatch;

/**
 * Record batches as the Java client writes and reads them, for comparison with kwire's.
 *
 * <pre>BatchBytes encode [FILE]   a batch in kwire's JSON form (testdata/batches/*.json) to its bytes, as hex
 * BatchBytes decode [FILE]   a batch's bytes, as hex, to JSON: the header and every record
 * BatchBytes levels          the compression levels the client accepts (KIP-390), as JSON
 * BatchBytes serve           answers one JSON request a line on stdin with one JSON line on stdout:
 *                            {"encode":BATCH} gives {"hex":"..."}, {"decode":"HEX"} gives the decoding,
 *                            {"levels":true} the levels; a failure gives {"error":"..."}</pre>
 *
 * FILE defaults to stdin. Encoding takes the producer's own path: MemoryRecords.builder on a buffer
 * of the default batch.size with the configured Compression, magic 2, CreateTime and base offset 0
 * (RecordAccumulator), append(timestamp, key, value, headers) for each record (ProducerBatch), then
 * setProducerState when the batch has a producer id, and close() (Sender). The JSON form is
 * wire/recordjson's: keys, values and header values are UTF-8 strings, null is Kafka's null; a
 * record without a timestamp takes the batch's; level 0 is the codec's default.
 *
 * Decoding uses MemoryRecords.readableRecords and the batches' own iterators, after ensureValid
 * (size and CRC). It prints {"batches":[...],"trailing":N}: each batch's header fields as Java
 * reports them (the attributes as compression, timestampType, transactional, control and
 * deleteHorizon), and its records with key, value and header values in base64 (null stays null).
 */
public final class BatchBytes {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** The producer's default batch.size: the buffer a batch starts in, grown as records need. */
  private static final int BATCH_SIZE = 16384;

  public static void main(String[] args) throws Exception {
    if (args.length < 1 || args.length > 2) usage();
    String cmd = args[0];
    Path file = args.length == 2 ? Path.of(args[1]) : null;
    BufferedWriter out = new BufferedWriter(new OutputStreamWriter(System.out, StandardCharsets.UTF_8), 1 << 16);
    try {
      switch (cmd) {
        case "encode" -> out.write(HexFormat.of().formatHex(encode(JSON.readTree(read(file)))));
        case "decode" -> out.write(JSON.writerWithDefaultPrettyPrinter().writeValueAsString(decode(parseHex(read(file)))));
        case "levels" -> out.write(JSON.writeValueAsString(levels()));
        case "serve" -> serve(out);
        default -> usage();
      }
    } catch (Exception e) {
      System.err.println("BatchBytes " + cmd + ": " + e.getClass().getSimpleName() + ": " + e.getMessage());
      System.exit(1);
    }
    out.write('\n');
    out.flush();
  }

  private static void usage() {
    System.err.println("usage: BatchBytes encode|decode [FILE], BatchBytes levels, BatchBytes serve");
    System.exit(2);
  }

  private static String read(Path file) throws IOException {
    if (file != null) return Files.readString(file);
    return new String(System.in.readAllBytes(), StandardCharsets.UTF_8);
  }

  /** serve answers requests until stdin ends, flushing each answer so a caller can wait for it. */
  private static void serve(BufferedWriter out) throws IOException {
    BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8), 1 << 16);
    for (String line; (line = in.readLine()) != null; ) {
      if (line.isBlank()) continue;
      out.write(JSON.writeValueAsString(answer(line)));
      out.write('\n');
      out.flush();
    }
  }

  private static JsonNode answer(String line) {
    try {
      JsonNode req = JSON.readTree(line);
      if (req.has("encode")) return JSON.createObjectNode().put("hex", HexFormat.of().formatHex(encode(req.get("encode"))));
      if (req.has("decode")) return decode(parseHex(req.get("decode").asText()));
      if (req.has("levels")) return levels();
      throw new IllegalArgumentException("a request is {\"encode\":...}, {\"decode\":...} or {\"levels\":true}, not " + line);
    } catch (Exception e) {
      return JSON.createObjectNode().put("error", e.getClass().getSimpleName() + ": " + e.getMessage());
    }
  }

  private static final Set<String> BATCH_FIELDS = Set.of(
      "compression", "level", "producerId", "producerEpoch", "baseSequence", "transactional", "timestamp", "records");
  private static final Set<String> RECORD_FIELDS = Set.of("key", "value", "headers", "timestamp");
  private static final Set<String> HEADER_FIELDS = Set.of("key", "value");

  /** encode builds one batch from its JSON form as the Java producer does, and returns its bytes. */
  static byte[] encode(JsonNode batch) throws IOException {
    checkFields(batch, BATCH_FIELDS, "batch");
    String codec = batch.path("compression").asText("");
    CompressionType type = CompressionType.forName(codec.isEmpty() ? "none" : codec);
    MemoryRecordsBuilder builder = MemoryRecords.builder(ByteBuffer.allocate(BATCH_SIZE), RecordBatch.MAGIC_VALUE_V2,
        compression(type, batch.path("level").asInt(0)), TimestampType.CREATE_TIME, 0L);
    long defaultTimestamp = batch.path("timestamp").asLong(0);
    JsonNode records = batch.path("records");
    for (int i = 0; i < records.size(); i++) {
      JsonNode r = records.get(i);
      checkFields(r, RECORD_FIELDS, "records[" + i + "]");
      builder.append(r.path("timestamp").asLong(defaultTimestamp), bytes(r.get("key")), bytes(r.get("value")), headers(r));
    }
    if (batch.hasNonNull("producerId")) {
      builder.setProducerState(batch.get("producerId").asLong(), (short) batch.path("producerEpoch").asInt(-1),
          batch.path("baseSequence").asInt(-1), batch.path("transactional").asBoolean(false));
    } else if (batch.path("transactional").asBoolean(false)) {
      throw new IllegalArgumentException("a transactional batch needs a producer id");
    }
    builder.close();
    ByteBuffer buf = builder.build().buffer();
    byte[] out = new byte[buf.remaining()];
    buf.get(out);
    return out;
  }

  /** compression is what KafkaProducer configures for compression.type and its level; 0 is the default. */
  private static Compression compression(CompressionType type, int level) {
    if (level == 0) return Compression.of(type).build();
    return switch (type) {
      case GZIP -> Compression.gzip().level(level).build();
      case LZ4 -> Compression.lz4().level(level).build();
      case ZSTD -> Compression.zstd().level(level).build();
      default -> throw new IllegalArgumentException(type.name + " has no compression levels, not " + level);
    };
  }

  private static Header[] headers(JsonNode record) {
    JsonNode hs = record.path("headers");
    Header[] out = new Header[hs.size()];
    for (int i = 0; i < hs.size(); i++) {
      checkFields(hs.get(i), HEADER_FIELDS, "headers[" + i + "]");
      out[i] = new RecordHeader(hs.get(i).path("key").asText(), bytes(hs.get(i).get("value")));
    }
    return out;
  }

  /** bytes is a JSON string's UTF-8 bytes; JSON null or an absent field is null. */
  private static byte[] bytes(JsonNode s) {
    if (s == null || s.isNull()) return null;
    if (!s.isTextual()) throw new IllegalArgumentException("keys and values are strings or null, not " + s);
    return s.asText().getBytes(StandardCharsets.UTF_8);
  }

  private static void checkFields(JsonNode n, Set<String> known, String where) {
    if (!n.isObject()) throw new IllegalArgumentException(where + " is not a JSON object");
    for (Iterator<String> it = n.fieldNames(); it.hasNext(); ) {
      String f = it.next();
      if (!known.contains(f)) throw new IllegalArgumentException(where + ": unknown field \"" + f + "\"");
    }
  }

  private static byte[] parseHex(String text) {
    return HexFormat.of().parseHex(text.replaceAll("\\s+", ""));
  }

  /** decode reads every batch in raw with the client's decoder, validating each first. */
  static ObjectNode decode(byte[] raw) {
    MemoryRecords records = MemoryRecords.readableRecords(ByteBuffer.wrap(raw));
    ArrayNode batches = JSON.createArrayNode();
    int read = 0;
    for (MutableRecordBatch b : records.batches()) {
      if (!(b instanceof DefaultRecordBatch v2)) throw new IllegalArgumentException("not a v2 record batch: magic " + b.magic());
      v2.ensureValid();
      batches.add(batch(v2));
      read += b.sizeInBytes();
    }
    ObjectNode out = JSON.createObjectNode();
    out.set("batches", batches);
    out.put("trailing", raw.length - read);
    return out;
  }

  private static ObjectNode batch(DefaultRecordBatch b) {
    ObjectNode n = JSON.createObjectNode();
    n.put("baseOffset", b.baseOffset());
    n.put("sizeInBytes", b.sizeInBytes());
    n.put("partitionLeaderEpoch", b.partitionLeaderEpoch());
    n.put("magic", b.magic());
    n.put("crc", b.checksum());
    n.put("compression", b.compressionType().name);
    n.put("timestampType", b.timestampType().name);
    n.put("transactional", b.isTransactional());
    n.put("control", b.isControlBatch());
    n.put("deleteHorizon", b.deleteHorizonMs().isPresent());
    n.put("lastOffset", b.lastOffset());
    n.put("baseTimestamp", b.baseTimestamp());
    n.put("maxTimestamp", b.maxTimestamp());
    n.put("producerId", b.producerId());
    n.put("producerEpoch", b.producerEpoch());
    n.put("baseSequence", b.baseSequence());
    n.put("count", b.countOrNull());
    ArrayNode rs = n.putArray("records");
    for (Record r : b) rs.add(record(r));
    return n;
  }

  private static ObjectNode record(Record r) {
    r.ensureValid();
    ObjectNode n = JSON.createObjectNode();
    n.put("offset", r.offset());
    n.put("sequence", r.sequence());
    n.put("timestamp", r.timestamp());
    n.put("attributes", r instanceof DefaultRecord d ? d.attributes() : 0);
    n.put("key", base64(r.key()));
    n.put("value", base64(r.value()));
    ArrayNode hs = n.putArray("headers");
    for (Header h : r.headers()) {
      hs.addObject().put("key", h.key()).put("value", h.value() == null ? null : Base64.getEncoder().encodeToString(h.value()));
    }
    return n;
  }

  private static String base64(ByteBuffer b) {
    if (b == null) return null;
    byte[] out = new byte[b.remaining()];
    b.duplicate().get(out);
    return Base64.getEncoder().encodeToString(out);
  }

  /** levels are each codec's minimum, default and maximum compression level as the client has them. */
  private static ObjectNode levels() {
    ObjectNode n = JSON.createObjectNode();
    for (CompressionType t : List.of(CompressionType.GZIP, CompressionType.LZ4, CompressionType.ZSTD)) {
      n.putObject(t.name).put("min", t.minLevel()).put("default", t.defaultLevel()).put("max", t.maxLevel());
    }
    return n;
  }
}
