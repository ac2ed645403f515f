package dev.orderpipeline.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;

/**
 * A Schema Registry for tests and the demo ({@code pipeline-tools demo --format}), in memory (in the test kit,
 * never in the production artifact), speaking the part of Confluent's Schema Registry REST API that
 * Confluent's serializers and deserializers use, so that Confluent's own client (confluent-kafka's
 * {@code SchemaRegistryClient}, {@code AvroSerializer}, {@code JSONSerializer}) registers the schemas the
 * test data is written with, and the loader reads them back as from a real registry:
 * <ul>
 *   <li>{@code POST /subjects/{subject}/versions}: register (the same schema text under any subject keeps its
 *       id; a new version must pass the subject's compatibility check, else 409);</li>
 *   <li>{@code POST /subjects/{subject}}: look a schema up in a subject (404 40403 when it is not there);</li>
 *   <li>{@code GET /schemas/ids/{id}}, {@code GET /schemas/guids/{guid}}, {@code GET /schemas/ids/{id}/versions};</li>
 *   <li>{@code GET /subjects}, {@code GET /subjects/{subject}/versions},
 *       {@code GET /subjects/{subject}/versions/{version|latest}};</li>
 *   <li>{@code POST /compatibility/subjects/{subject}/versions/{version|latest}}: Avro through Apache Avro's own
 *       {@link SchemaCompatibility} (BACKWARD: the new schema reads data of the version checked against);
 *       other schema types are always compatible here;</li>
 *   <li>HTTP basic auth, when credentials are given.</li>
 * </ul>
 * Schema references are kept and returned as registered (each must name a registered subject and version);
 * a schema is stored as it was registered: a Protobuf schema as the Base64 FileDescriptorProto Confluent's
 * clients send (a real registry turns it into .proto text and gives the serialized form back only for
 * {@code ?format=serialized}: here every {@code format} parameter is ignored).
 * Not implemented (a real registry has them): deletes (soft or hard), the config and mode
 * endpoints (compatibility is always BACKWARD against the latest version, Avro only), FORWARD/FULL/TRANSITIVE
 * levels, JSON Schema and Protobuf compatibility checks, normalization, contexts, metadata and rule sets,
 * {@code /schemas/types}, pagination, persistence (state lives as long as the object: {@link #stop()} and
 * {@link #start()} keep it, to test an outage), and TLS.
 */
public final class InMemorySchemaRegistry implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern SUBJECT_VERSIONS = Pattern.compile("/subjects/([^/]+)/versions");
    private static final Pattern SUBJECT_VERSION = Pattern.compile("/subjects/([^/]+)/versions/([^/]+)");
    private static final Pattern SUBJECT = Pattern.compile("/subjects/([^/]+)");
    private static final Pattern SCHEMA_BY_ID = Pattern.compile("/schemas/ids/(\\d+)");
    private static final Pattern VERSIONS_BY_ID = Pattern.compile("/schemas/ids/(\\d+)/versions");
    private static final Pattern SCHEMA_BY_GUID = Pattern.compile("/schemas/guids/([0-9a-fA-F-]+)");
    private static final Pattern COMPATIBILITY = Pattern.compile("/compatibility/subjects/([^/]+)/versions/([^/]+)");

    /** A registered schema: its text is its identity, as in Confluent's registry (ids are global). */
    private record Stored(int id, UUID guid, String type, String text, JsonNode references) {
    }

    private record Version(String subject, int version, Stored schema) {
    }

    private final Map<String, Stored> byText = new LinkedHashMap<>();
    private final Map<Integer, Stored> byId = new LinkedHashMap<>();
    private final Map<String, List<Version>> subjects = new LinkedHashMap<>();
    private final AtomicInteger nextId = new AtomicInteger(1);
    private final String expectedAuthorization;
    private int port;
    private HttpServer server;

    public InMemorySchemaRegistry() {
        this(null, null);
    }

    /** A registry that answers only requests with these basic-auth credentials. */
    public InMemorySchemaRegistry(String username, String password) {
        this.expectedAuthorization = username == null ? null : "Basic " + Base64.getEncoder()
                .encodeToString((username + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    /** Starts serving (again, on the same port after {@link #stop()}: the schemas are kept). */
    public synchronized InMemorySchemaRegistry start() {
        try {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 16);
        } catch (IOException e) {
            throw new IllegalStateException("cannot bind the test schema registry on port " + port + ": " + e, e);
        }
        server.createContext("/", this::handle);
        server.start();
        port = server.getAddress().getPort();
        return this;
    }

    /** Stops answering: connections are refused until {@link #start()} (a registry outage). */
    public synchronized void stop() {
        if (server != null) {
            server.stop(0);
            server = null;
        }
    }

    public String url() {
        return "http://127.0.0.1:" + port;
    }

    /** Registers a schema directly (as another producer would), returning its id. */
    public synchronized int register(String subject, String type, String text) {
        return registerVersion(subject, type, text, JSON.createArrayNode()).schema().id();
    }

    /** The id of a subject's version (1-based). */
    public synchronized int id(String subject, int version) {
        return subjects.get(subject).get(version - 1).schema().id();
    }

    @Override
    public void close() {
        stop();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            if (expectedAuthorization != null
                    && !expectedAuthorization.equals(exchange.getRequestHeaders().getFirst("Authorization"))) {
                reply(exchange, 401, error(401, "Unauthorized"));
                return;
            }
            String path = exchange.getRequestURI().getRawPath();
            if (path.length() > 1 && path.endsWith("/")) {
                path = path.substring(0, path.length() - 1);
            }
            String method = exchange.getRequestMethod();
            JsonNode body = "POST".equals(method) ? JSON.readTree(exchange.getRequestBody().readAllBytes()) : null;
            Reply reply;
            synchronized (this) {
                reply = route(method, path, body);
            }
            reply(exchange, reply.status(), reply.body());
        }
    }

    private record Reply(int status, JsonNode body) {
    }

    private Reply route(String method, String path, JsonNode body) {
        Matcher m;
        if ("GET".equals(method) && path.equals("/subjects")) {
            ArrayNode list = JSON.createArrayNode();
            subjects.keySet().forEach(list::add);
            return new Reply(200, list);
        }
        if ("GET".equals(method) && (m = VERSIONS_BY_ID.matcher(path)).matches()) {
            int id = Integer.parseInt(m.group(1));
            ArrayNode list = JSON.createArrayNode();
            subjects.values().forEach(versions -> versions.stream().filter(v -> v.schema().id() == id).forEach(v ->
                    list.addObject().put("subject", v.subject()).put("version", v.version())));
            return byId.containsKey(id) ? new Reply(200, list) : new Reply(404, error(40403, "Schema " + id + " not found"));
        }
        if ("GET".equals(method) && (m = SCHEMA_BY_ID.matcher(path)).matches()) {
            Stored s = byId.get(Integer.parseInt(m.group(1)));
            return s == null ? new Reply(404, error(40403, "Schema " + m.group(1) + " not found"))
                    : new Reply(200, schemaBody(s));
        }
        if ("GET".equals(method) && (m = SCHEMA_BY_GUID.matcher(path)).matches()) {
            UUID guid = UUID.fromString(m.group(1));
            Stored s = byId.values().stream().filter(x -> x.guid().equals(guid)).findFirst().orElse(null);
            return s == null ? new Reply(404, error(40403, "Schema " + guid + " not found"))
                    : new Reply(200, schemaBody(s).put("id", s.id()));
        }
        if ((m = COMPATIBILITY.matcher(path)).matches() && "POST".equals(method)) {
            Version against = version(decode(m.group(1)), m.group(2));
            if (against == null) {
                return new Reply(404, error(40401, "Subject or version not found"));
            }
            String type = body.path("schemaType").asText("AVRO");
            ObjectNode answer = JSON.createObjectNode();
            answer.put("is_compatible", compatible(type, body.path("schema").asText(), against.schema()) == null);
            return new Reply(200, answer);
        }
        if ((m = SUBJECT_VERSION.matcher(path)).matches() && "GET".equals(method)) {
            Version v = version(decode(m.group(1)), m.group(2));
            return v == null ? new Reply(404, error(subjects.containsKey(decode(m.group(1))) ? 40402 : 40401,
                    "Subject or version not found")) : new Reply(200, versionBody(v));
        }
        if ((m = SUBJECT_VERSIONS.matcher(path)).matches()) {
            String subject = decode(m.group(1));
            if ("GET".equals(method)) {
                List<Version> versions = subjects.get(subject);
                if (versions == null) {
                    return new Reply(404, error(40401, "Subject '" + subject + "' not found."));
                }
                ArrayNode list = JSON.createArrayNode();
                versions.forEach(v -> list.add(v.version()));
                return new Reply(200, list);
            }
            String type = body.path("schemaType").asText("AVRO");
            JsonNode references = references(body);
            for (JsonNode r : references) {
                if (version(r.path("subject").asText(), r.path("version").asText()) == null) {
                    return new Reply(422, error(42201, "Invalid schema: reference " + r + " is not registered"));
                }
            }
            Version latest = latest(subject);
            String text = canonical(type, body.path("schema").asText());
            boolean known = latest != null && subjects.get(subject).stream()
                    .anyMatch(v -> v.schema().text().equals(text) && v.schema().references().equals(references));
            if (latest != null && !known) {
                String why = compatible(type, text, latest.schema());
                if (why != null) {
                    return new Reply(409, error(409, "Schema being registered is incompatible with an earlier schema for "
                            + "subject \"" + subject + "\", details: " + why));
                }
            }
            Version v = registerVersion(subject, type, text, references);
            return new Reply(200, versionBody(v));
        }
        if ((m = SUBJECT.matcher(path)).matches() && "POST".equals(method)) {
            String subject = decode(m.group(1));
            String text = canonical(body.path("schemaType").asText("AVRO"), body.path("schema").asText());
            List<Version> versions = subjects.get(subject);
            if (versions == null) {
                return new Reply(404, error(40401, "Subject '" + subject + "' not found."));
            }
            return versions.stream().filter(v -> v.schema().text().equals(text)).findFirst()
                    .map(v -> new Reply(200, versionBody(v)))
                    .orElse(new Reply(404, error(40403, "Schema not found")));
        }
        return new Reply(404, error(404, "the test registry does not implement " + method + " " + path));
    }

    private Version registerVersion(String subject, String type, String text, JsonNode references) {
        String canonical = canonical(type, text);
        Stored stored = byText.computeIfAbsent(type + "\n" + canonical + "\n" + references,
                k -> new Stored(nextId.getAndIncrement(), UUID.randomUUID(), type, canonical, references));
        byId.put(stored.id(), stored);
        List<Version> versions = subjects.computeIfAbsent(subject, s -> new ArrayList<>());
        for (Version v : versions) {
            if (v.schema().equals(stored)) {
                return v;
            }
        }
        Version added = new Version(subject, versions.size() + 1, stored);
        versions.add(added);
        return added;
    }

    private Version latest(String subject) {
        List<Version> versions = subjects.get(subject);
        return versions == null || versions.isEmpty() ? null : versions.get(versions.size() - 1);
    }

    private Version version(String subject, String version) {
        List<Version> versions = subjects.get(subject);
        if (versions == null) {
            return null;
        }
        if ("latest".equals(version) || "-1".equals(version)) {
            return latest(subject);
        }
        int n = Integer.parseInt(version);
        return n >= 1 && n <= versions.size() ? versions.get(n - 1) : null;
    }

    /** Null when compatible, else why not: BACKWARD, the new schema must read data written with the old one. */
    private static String compatible(String type, String text, Stored against) {
        if (!"AVRO".equals(type) || !"AVRO".equals(against.type())) {
            return null;
        }
        Schema reader = new Schema.Parser().parse(text);
        Schema writer = new Schema.Parser().parse(against.text());
        SchemaCompatibility.SchemaPairCompatibility result = SchemaCompatibility.checkReaderWriterCompatibility(reader, writer);
        return result.getType() == SchemaCompatibility.SchemaCompatibilityType.COMPATIBLE ? null
                : result.getResult().getIncompatibilities().toString();
    }

    /** Avro schemas compare by their parsed form, so whitespace does not make a new version. */
    private static String canonical(String type, String text) {
        return "AVRO".equals(type) ? new Schema.Parser().parse(text).toString() : text;
    }

    private static ObjectNode schemaBody(Stored s) {
        ObjectNode node = JSON.createObjectNode();
        node.put("schema", s.text());
        if (!"AVRO".equals(s.type())) {
            node.put("schemaType", s.type());
        }
        if (!s.references().isEmpty()) {
            node.set("references", s.references());
        }
        node.put("guid", s.guid().toString());
        return node;
    }

    private static ObjectNode versionBody(Version v) {
        ObjectNode node = schemaBody(v.schema());
        node.put("subject", v.subject()).put("version", v.version()).put("id", v.schema().id());
        return node;
    }

    /** A registration's references as name, subject and version (what a real registry keeps of them). */
    private static JsonNode references(JsonNode body) {
        ArrayNode list = JSON.createArrayNode();
        for (JsonNode r : body.path("references")) {
            list.addObject().put("name", r.path("name").asText()).put("subject", r.path("subject").asText())
                    .put("version", r.path("version").asInt());
        }
        return list;
    }

    private static ObjectNode error(int code, String message) {
        return JSON.createObjectNode().put("error_code", code).put("message", message);
    }

    private static String decode(String segment) {
        return URLDecoder.decode(segment, StandardCharsets.UTF_8);
    }

    private static void reply(HttpExchange exchange, int status, JsonNode body) throws IOException {
        byte[] bytes = JSON.writeValueAsBytes(body);
        exchange.getResponseHeaders().set("Content-Type", "application/vnd.schemaregistry.v1+json");
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }
}
