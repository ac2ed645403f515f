package dev.orderpipeline.format;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.orderpipeline.config.FormatConfig.SchemaRegistryConfig;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * The part of Confluent's Schema Registry REST API a reader needs: a schema by id
 * ({@code GET /schemas/ids/{id}}) or by GUID ({@code GET /schemas/guids/{guid}}), fetched once and
 * cached (a registered schema never changes), and where it is registered
 * ({@code GET /schemas/ids/{id}/versions}) to name subject and version in messages. A Protobuf schema is
 * asked for as a serialized FileDescriptorProto ({@code ?format=serialized}, what Confluent's own
 * deserializers ask for), and the schemas it imports by their subject and version. HTTP basic auth
 * (Confluent Cloud's Schema Registry API key and secret) and a CA bundle for https.
 *
 * <p>A registry that does not answer (connection refused, timeout, 5xx, 429) is a
 * {@link SchemaRegistryUnavailableException}: the caller retries later, nothing is skipped. A schema the
 * registry does not know (404) is an {@link UndecodableException}: the record is a dead letter.
 */
public final class SchemaRegistryClient {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    private final URI base;
    private final String authorization;
    private final HttpClient http;
    private final Map<SchemaRef, RegisteredSchema> cache = new ConcurrentHashMap<>();
    private final Map<RegisteredSchema.Reference, RegisteredSchema> referenced = new ConcurrentHashMap<>();

    public SchemaRegistryClient(SchemaRegistryConfig config) {
        this.base = config.url();
        this.authorization = config.username().map(user -> "Basic " + Base64.getEncoder().encodeToString(
                (user + ":" + config.password().orElse("")).getBytes(StandardCharsets.UTF_8))).orElse(null);
        HttpClient.Builder builder = HttpClient.newBuilder().connectTimeout(TIMEOUT);
        config.caFile().ifPresent(ca -> builder.sslContext(trusting(ca)));
        this.http = builder.build();
    }

    /** The schema a record names, from the cache or the registry. */
    public RegisteredSchema schema(SchemaRef ref) throws UndecodableException {
        return schema(ref, false);
    }

    /**
     * The schema a record names; {@code serialized}: a Protobuf schema as Base64 of its FileDescriptorProto
     * rather than .proto text (registries ignore the parameter for other types).
     */
    public RegisteredSchema schema(SchemaRef ref, boolean serialized) throws UndecodableException {
        RegisteredSchema known = cache.get(ref);
        if (known != null) {
            return known;
        }
        String path = (ref.guid() == null ? "/schemas/ids/" + ref.id() : "/schemas/guids/" + ref.guid())
                + (serialized ? "?format=serialized" : "");
        JsonNode body = get(path, ref);
        int id = ref.guid() == null ? ref.id() : body.path("id").asInt(-1);
        RegisteredSchema schema = registered(body, id, ref.toString(), versions(id));
        cache.put(ref, schema);
        return schema;
    }

    /** A schema another one imports, by its subject and version (serialized, as {@link #schema(SchemaRef, boolean)}). */
    public RegisteredSchema referenced(RegisteredSchema.Reference reference) throws UndecodableException {
        RegisteredSchema known = referenced.get(reference);
        if (known != null) {
            return known;
        }
        String what = "subject " + reference.subject() + " version " + reference.version();
        JsonNode body = get("/subjects/" + URLEncoder.encode(reference.subject(), StandardCharsets.UTF_8)
                + "/versions/" + reference.version() + "?format=serialized", what);
        RegisteredSchema schema = registered(body, body.path("id").asInt(-1), what, what);
        referenced.put(reference, schema);
        return schema;
    }

    private static RegisteredSchema registered(JsonNode body, int id, String what, String versions)
            throws UndecodableException {
        String text = body.path("schema").asText(null);
        if (text == null) {
            throw new UndecodableException("the Schema Registry's answer for " + what + " has no schema");
        }
        List<RegisteredSchema.Reference> references = new ArrayList<>();
        for (JsonNode r : body.path("references")) {
            references.add(new RegisteredSchema.Reference(r.path("name").asText(), r.path("subject").asText(),
                    r.path("version").asInt()));
        }
        return new RegisteredSchema(id, body.path("schemaType").asText("AVRO"), text, versions, List.copyOf(references));
    }

    /**
     * Registers a schema under a subject ({@code POST /subjects/{subject}/versions}), as a producer's serializer
     * does, and gives its id; the same schema again keeps its id. Used by {@code generate}.
     *
     * @param type AVRO, JSON or PROTOBUF (a Protobuf schema as Base64 of its FileDescriptorProto, as Confluent's
     *             clients send it)
     */
    public int register(String subject, String type, String text) throws UndecodableException {
        com.fasterxml.jackson.databind.node.ObjectNode body = JSON.createObjectNode().put("schema", text);
        if (!"AVRO".equals(type)) {
            body.put("schemaType", type);
        }
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + "/subjects/"
                        + URLEncoder.encode(subject, StandardCharsets.UTF_8) + "/versions"))
                .timeout(TIMEOUT)
                .header("Content-Type", "application/vnd.schemaregistry.v1+json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body.toString().getBytes(StandardCharsets.UTF_8)));
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        try {
            HttpResponse<byte[]> response = http.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
            if (response.statusCode() != 200) {
                throw new UndecodableException("the Schema Registry at " + base + " refused the schema for subject "
                        + subject + " (HTTP " + response.statusCode() + ": " + message(response.body()) + ")");
            }
            return JSON.readTree(response.body()).path("id").asInt();
        } catch (IOException e) {
            throw new SchemaRegistryUnavailableException("the Schema Registry at " + base + " does not answer ("
                    + e.getClass().getSimpleName() + ")", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SchemaRegistryUnavailableException("interrupted while registering a schema", e);
        }
    }

    /** "subject orders-value version 2": best effort, for messages only. */
    private String versions(int id) {
        if (id < 0) {
            return "";
        }
        try {
            List<String> found = new ArrayList<>();
            for (JsonNode v : get("/schemas/ids/" + id + "/versions", SchemaRef.ofId(id))) {
                found.add("subject " + v.path("subject").asText() + " version " + v.path("version").asText());
            }
            return String.join(", ", found);
        } catch (UndecodableException | SchemaRegistryUnavailableException e) {
            return "";
        }
    }

    private JsonNode get(String path, Object ref) throws UndecodableException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path))
                .timeout(TIMEOUT)
                .header("Accept", "application/vnd.schemaregistry.v1+json, application/json");
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        HttpResponse<byte[]> response;
        try {
            response = http.send(request.GET().build(), HttpResponse.BodyHandlers.ofByteArray());
        } catch (IOException e) {
            throw new SchemaRegistryUnavailableException("the Schema Registry at " + base + " does not answer ("
                    + e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage()) + ")", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SchemaRegistryUnavailableException("interrupted while asking the Schema Registry", e);
        }
        int status = response.statusCode();
        if (status == 200) {
            try {
                return JSON.readTree(response.body());
            } catch (IOException e) {
                throw new SchemaRegistryUnavailableException("the Schema Registry at " + base + " answered " + path
                        + " with something that is not JSON", e);
            }
        }
        String message = message(response.body());
        if (status == 404) {
            throw new UndecodableException("the Schema Registry does not know " + ref + " (" + message + ")");
        }
        if (status == 401 || status == 403) {
            // Credentials are configuration: retrying keeps the records, and the status says why.
            throw new SchemaRegistryUnavailableException("the Schema Registry at " + base + " refuses the loader's "
                    + "credentials (HTTP " + status + ": " + message + "): check OPL_SCHEMA_REGISTRY_USERNAME and "
                    + "OPL_SCHEMA_REGISTRY_PASSWORD", null);
        }
        throw new SchemaRegistryUnavailableException("the Schema Registry at " + base + " answered HTTP " + status
                + " for " + ref + " (" + message + ")", null);
    }

    private static String message(byte[] body) {
        try {
            JsonNode node = JSON.readTree(body);
            if (node != null && node.has("message")) {
                return node.get("message").asText();
            }
        } catch (IOException e) {
            // not JSON: show the start of the text
        }
        String text = new String(body, StandardCharsets.UTF_8);
        return text.length() > 200 ? text.substring(0, 200) + "…" : text;
    }

    private static SSLContext trusting(java.nio.file.Path caFile) {
        try (InputStream in = Files.newInputStream(caFile)) {
            KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
            store.load(null, null);
            int n = 0;
            for (Certificate certificate : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
                store.setCertificateEntry("ca-" + n++, certificate);
            }
            if (n == 0) {
                throw new IllegalArgumentException("OPL_SCHEMA_REGISTRY_CA_FILE holds no PEM certificate");
            }
            TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            trust.init(store);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, trust.getTrustManagers(), null);
            return context;
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalArgumentException("OPL_SCHEMA_REGISTRY_CA_FILE cannot be read as PEM CA certificates: "
                    + e.getMessage(), e);
        }
    }
}
