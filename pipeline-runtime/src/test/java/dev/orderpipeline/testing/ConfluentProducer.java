package dev.orderpipeline.testing;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.orderpipeline.embedded.RepositoryPaths;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Test records written by Confluent's own serializers: confluent-kafka's AvroSerializer, JSONSerializer or
 * ProtobufSerializer
 * with its SchemaRegistryClient, run from the project venv ({@code src/test/python/confluent_producer.py}).
 * The test fails, loudly, when the venv or the package is missing.
 */
public final class ConfluentProducer {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Map<String, Object> plan = new LinkedHashMap<>();
    private final Map<String, String> schemas = new LinkedHashMap<>();
    private final List<Map<String, Object>> records = new ArrayList<>();

    /**
     * @param format avro, json_sr or protobuf (the value's serializer)
     * @param keyFormat string, avro (by default a long: schema {@code "long"}) or protobuf (see {@link #keySchema})
     */
    public ConfluentProducer(String bootstrap, String registryUrl, String topic, String format, String keyFormat) {
        plan.put("bootstrap", bootstrap);
        plan.put("registry", registryUrl);
        plan.put("topic", topic);
        plan.put("format", format);
        plan.put("key_format", keyFormat);
        plan.put("key_schema", "\"long\"");
    }

    public ConfluentProducer schema(String name, String text) {
        schemas.put(name, text);
        return this;
    }

    /** The key's schema (an Avro schema, or a Protobuf schema in the script's JSON form); Avro's default is "long". */
    public ConfluentProducer keySchema(String text) {
        plan.put("key_schema", text);
        return this;
    }

    public ConfluentProducer credentials(String username, String password) {
        plan.put("username", username);
        plan.put("password", password);
        return this;
    }

    /** The schema GUID in the {@code __value_schema_id} header instead of the payload prefix. */
    public ConfluentProducer headerSchemaId() {
        plan.put("header_schema_id", true);
        return this;
    }

    /** A record; {@code value} null is a tombstone. Values are JSON-shaped maps (see the script for tagged types). */
    public ConfluentProducer record(String schema, Object key, Map<String, Object> value) {
        return record(schema, key, value, null);
    }

    /** A record serialized as a producer of {@code asTopic} would: that topic's subject and schema id. */
    public ConfluentProducer record(String schema, Object key, Map<String, Object> value, String asTopic) {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("schema", schema);
        r.put("key", key);
        r.put("value", value);
        if (asTopic != null) {
            r.put("as_topic", asTopic);
        }
        records.add(r);
        return this;
    }

    public int size() {
        return records.size();
    }

    /** Sends every record added so far (and forgets them), waiting for the broker's acknowledgements. */
    public void send(Path workDir) {
        plan.put("schemas", schemas);
        plan.put("records", records);
        try {
            Path file = Files.createTempFile(workDir, "plan", ".json");
            JSON.writeValue(file.toFile(), plan);
            Path script = RepositoryPaths.root().resolve("pipeline-runtime/src/test/python/confluent_producer.py");
            Path log = Files.createTempFile(workDir, "producer", ".log");
            Process process = new ProcessBuilder(RepositoryPaths.venvTool("python").toString(), script.toString(),
                    file.toString()).redirectErrorStream(true).redirectOutput(log.toFile()).start();
            if (!process.waitFor(3, TimeUnit.MINUTES)) {
                process.destroyForcibly();
                throw new IllegalStateException("the Confluent producer did not finish in 3 minutes: "
                        + Files.readString(log, StandardCharsets.UTF_8));
            }
            String output = Files.readString(log, StandardCharsets.UTF_8);
            if (process.exitValue() != 0 || !output.strip().endsWith(Integer.toString(records.size()))) {
                throw new IllegalStateException("the Confluent producer failed (exit " + process.exitValue() + "): " + output);
            }
            records.clear();
        } catch (IOException e) {
            throw new IllegalStateException("cannot run the Confluent producer: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while producing", e);
        }
    }
}
