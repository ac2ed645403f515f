package dev.orderpipeline.operator.status;

import dev.orderpipeline.operator.api.SourceSpec;
import java.net.URI;
import java.util.regex.Pattern;

/**
 * How conditions and Events name a pipeline's Schema Registry: by host (and port) only. A URL may carry
 * credentials ({@code https://key:secret@host}), and those never reach a status, an Event or a log line.
 */
final class SchemaRegistryHost {
    /** {@code scheme://user:password@} in any URL of a text: everything between {@code //} and {@code @}. */
    private static final Pattern USER_INFO = Pattern.compile("(?<=://)[^/\\s@]*@");

    private SchemaRegistryHost() {
    }

    /** The source's records (values or keys) need a Schema Registry. */
    static boolean used(SourceSpec source) {
        return source != null && (source.schemaRegistry() != null
                || source.format() != null && source.format().needsRegistry()
                || source.keyFormat() != null && source.keyFormat().needsRegistry());
    }

    /** The registry's host[:port], or the field to look at when the URL cannot be read. */
    static String of(SourceSpec source) {
        if (source.schemaRegistry() == null || source.schemaRegistry().url() == null) {
            return "(spec.source.schemaRegistry.url not set)";
        }
        try {
            URI uri = URI.create(source.schemaRegistry().url().trim());
            if (uri.getHost() == null) {
                return "spec.source.schemaRegistry.url";
            }
            return uri.getPort() < 0 ? uri.getHost() : uri.getHost() + ":" + uri.getPort();
        } catch (IllegalArgumentException e) {
            return "spec.source.schemaRegistry.url";
        }
    }

    /** {@code text} with the user information of every URL in it removed. */
    static String scrubbed(String text) {
        return text == null ? null : USER_INFO.matcher(text).replaceAll("");
    }
}
