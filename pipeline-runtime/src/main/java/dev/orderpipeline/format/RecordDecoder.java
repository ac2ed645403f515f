package dev.orderpipeline.format;

import dev.orderpipeline.config.FormatConfig;
import dev.orderpipeline.config.RecordFormat;
import dev.orderpipeline.schema.ColumnType;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.header.Headers;

/**
 * Decodes one side of a record (key or value) in a format that is not schemaless JSON: Confluent's
 * framing, the schema from the registry, then the format's decoder; or plain text. Schemaless JSON is
 * read by {@link dev.orderpipeline.source.RecordConverter} itself, as before: {@link #of} gives null for it.
 */
public final class RecordDecoder {
    private final RecordFormat format;
    private final boolean key;
    private final SchemaRegistryClient registry;
    private final AvroDecoder avro = new AvroDecoder();
    private final JsonSchemaDecoder jsonSchema = new JsonSchemaDecoder();
    private final ProtobufDecoder protobuf;

    private RecordDecoder(RecordFormat format, boolean key, SchemaRegistryClient registry) {
        this.format = format;
        this.key = key;
        this.registry = registry;
        this.protobuf = format == RecordFormat.PROTOBUF ? new ProtobufDecoder(registry) : null;
    }

    /** The value's decoder, or null for schemaless JSON. One registry client (one cache) serves key and value. */
    public static RecordDecoder value(FormatConfig config, SchemaRegistryClient registry) {
        return of(config.valueFormat(), false, registry);
    }

    /** The key's decoder, or null for the default (a JSON object or the key's text). */
    public static RecordDecoder key(FormatConfig config, SchemaRegistryClient registry) {
        return of(config.keyFormat(), true, registry);
    }

    /** A client for the configured registry, or null when no format needs one. */
    public static SchemaRegistryClient registry(FormatConfig config) {
        return config.registry().map(SchemaRegistryClient::new).orElse(null);
    }

    private static RecordDecoder of(RecordFormat format, boolean key, SchemaRegistryClient registry) {
        if (format == RecordFormat.JSON) {
            return null;
        }
        if (format.needsRegistry() && registry == null) {
            throw new IllegalArgumentException(format.setting() + " needs a Schema Registry");
        }
        return new RecordDecoder(format, key, registry);
    }

    public RecordFormat format() {
        return format;
    }

    /**
     * @throws UndecodableException the bytes cannot be decoded (a dead letter, the message says why)
     * @throws SchemaRegistryUnavailableException the registry does not answer (read the record again later)
     */
    public Decoded decode(byte[] bytes, Headers headers) throws UndecodableException {
        if (format == RecordFormat.STRING) {
            return new Decoded(null, DecodedField.leaf(null, ColumnType.VARCHAR, text(bytes)));
        }
        ConfluentFraming.Framed framed = ConfluentFraming.read(bytes, headers, key, format == RecordFormat.PROTOBUF);
        RegisteredSchema schema = registry.schema(framed.schema(), format == RecordFormat.PROTOBUF);
        String expected = switch (format) {
            case AVRO -> "AVRO";
            case JSON_SR -> "JSON";
            default -> "PROTOBUF";
        };
        if (!expected.equalsIgnoreCase(schema.type())) {
            throw new UndecodableException(schema.describe() + " is a " + schema.type() + " schema, but "
                    + (key ? "OPL_KAFKA_KEY_FORMAT" : "OPL_KAFKA_VALUE_FORMAT") + "=" + format.setting());
        }
        return switch (format) {
            case AVRO -> avro.decode(schema, bytes, framed.payloadOffset());
            case JSON_SR -> jsonSchema.decode(schema, bytes, framed.payloadOffset());
            default -> protobuf.decode(schema, framed.messageIndexes(), bytes, framed.payloadOffset());
        };
    }

    private String text(byte[] bytes) throws UndecodableException {
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw new UndecodableException("the " + (key ? "key" : "value") + " is not UTF-8 text ("
                    + (key ? "OPL_KAFKA_KEY_FORMAT" : "OPL_KAFKA_VALUE_FORMAT") + "=string)");
        }
    }
}
