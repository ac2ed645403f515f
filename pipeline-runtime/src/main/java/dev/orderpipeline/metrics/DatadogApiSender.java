package dev.orderpipeline.metrics;

import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.micrometer.core.ipc.http.HttpSender;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The HTTP client of micrometer-registry-datadog, with two fixes on the way out:
 * <ul>
 *   <li>the keys travel as Datadog's {@code DD-API-KEY} and {@code DD-APPLICATION-KEY} headers, not
 *   as the {@code api_key}/{@code application_key} query parameters the registry puts in the URL,
 *   so that no key ends up in a proxy's or server's access log;</li>
 *   <li>series whose points are not finite are dropped: the registry writes a gauge without a value
 *   yet (many Kafka client metrics before the first fetch) as a bare {@code NaN}, which is not JSON,
 *   and the API would reject the whole payload with it.</li>
 * </ul>
 */
final class DatadogApiSender implements HttpSender {
    static final String API_KEY_HEADER = "DD-API-KEY";
    static final String APPLICATION_KEY_HEADER = "DD-APPLICATION-KEY";
    private static final ObjectMapper LENIENT = JsonMapper.builder().enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS).build();

    private final HttpSender delegate;

    DatadogApiSender(HttpSender delegate) {
        this.delegate = delegate;
    }

    @Override
    public Response send(Request request) throws Throwable {
        URI uri = request.getUrl().toURI();
        Map<String, String> headers = new LinkedHashMap<>(request.getRequestHeaders());
        List<String> kept = new ArrayList<>();
        String query = uri.getRawQuery();
        if (query != null) {
            for (String parameter : query.split("&")) {
                int eq = parameter.indexOf('=');
                String name = eq < 0 ? parameter : parameter.substring(0, eq);
                String value = eq < 0 ? "" : URLDecoder.decode(parameter.substring(eq + 1), StandardCharsets.UTF_8);
                switch (name) {
                    case "api_key" -> headers.put(API_KEY_HEADER, value);
                    case "application_key" -> headers.put(APPLICATION_KEY_HEADER, value);
                    default -> kept.add(parameter);
                }
            }
        }
        String stripped = uri.getScheme() + "://" + uri.getRawAuthority() + uri.getRawPath()
                + (kept.isEmpty() ? "" : "?" + String.join("&", kept));
        byte[] entity = request.getEntity();
        if (uri.getRawPath().endsWith("/series") && entity != null && entity.length > 0) {
            entity = finiteSeriesOnly(entity);
            if (entity == null) {
                return new Response(202, Response.NO_RESPONSE_BODY); // nothing finite to send this step
            }
        }
        return delegate.send(new Request(URI.create(stripped).toURL(), entity, request.getMethod(), headers));
    }

    /** The payload without the series that have a non-finite point; null when none is left. */
    static byte[] finiteSeriesOnly(byte[] payload) throws java.io.IOException {
        JsonNode root = LENIENT.readTree(payload);
        if (!(root.get("series") instanceof ArrayNode series)) {
            return payload;
        }
        ArrayNode finite = LENIENT.createArrayNode();
        for (JsonNode s : series) {
            boolean ok = true;
            for (JsonNode point : s.path("points")) {
                JsonNode value = point.get(1);
                if (value == null || !value.isNumber() || !Double.isFinite(value.asDouble())) {
                    ok = false;
                }
            }
            if (ok) {
                finite.add(s);
            }
        }
        if (finite.isEmpty()) {
            return null;
        }
        ((ObjectNode) root).set("series", finite);
        return LENIENT.writeValueAsBytes(root);
    }
}
