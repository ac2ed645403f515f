package dev.orderpipeline.config;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/** How keys and values are decoded, and the Schema Registry the Confluent formats need. */
public record FormatConfig(RecordFormat valueFormat, RecordFormat keyFormat, Optional<SchemaRegistryConfig> registry) {

    /** Today's topics: JSON values, JSON-or-text keys, no registry. */
    public static final FormatConfig JSON = new FormatConfig(RecordFormat.JSON, RecordFormat.JSON, Optional.empty());

    /** Where the registry is and how to reach it; {@link #toString()} never shows the password. */
    public record SchemaRegistryConfig(URI url, Optional<String> username, Optional<String> password,
                                       Optional<Path> caFile) {
        @Override
        public String toString() {
            return "SchemaRegistryConfig[url=" + url + ", username=" + username.orElse("<none>")
                    + ", password=" + (password.isPresent() ? "<redacted>" : "<none>") + ", caFile=" + caFile + "]";
        }
    }

    static FormatConfig from(Environment env) {
        RecordFormat value = env.choice(Setting.KAFKA_VALUE_FORMAT, RecordFormat.class);
        RecordFormat key = env.choice(Setting.KAFKA_KEY_FORMAT, RecordFormat.class);
        Optional<SchemaRegistryConfig> registry = Optional.empty();
        if (value.needsRegistry() || key.needsRegistry()) {
            Setting which = value.needsRegistry() ? Setting.KAFKA_VALUE_FORMAT : Setting.KAFKA_KEY_FORMAT;
            RecordFormat format = value.needsRegistry() ? value : key;
            registry = Optional.of(registry(env, "when " + which.envName() + "=" + format.setting()
                    + " (the records carry schema ids that only the Schema Registry resolves; or set "
                    + which.envName() + " to json or string)"));
        }
        return new FormatConfig(value, key, registry);
    }

    private static SchemaRegistryConfig registry(Environment env, String why) {
        String url = env.required(Setting.SCHEMA_REGISTRY_URL, why);
        URI uri;
        try {
            uri = URI.create(url.endsWith("/") ? url.substring(0, url.length() - 1) : url);
        } catch (IllegalArgumentException e) {
            throw ConfigException.invalid(Setting.SCHEMA_REGISTRY_URL, url, "an http:// or https:// URL");
        }
        if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme()) || uri.getHost() == null) {
            throw ConfigException.invalid(Setting.SCHEMA_REGISTRY_URL, url, "an http:// or https:// URL");
        }
        Optional<String> username = env.optional(Setting.SCHEMA_REGISTRY_USERNAME);
        Optional<String> password = env.optional(Setting.SCHEMA_REGISTRY_PASSWORD);
        if (username.isPresent() != password.isPresent()) {
            Setting missing = username.isPresent() ? Setting.SCHEMA_REGISTRY_PASSWORD : Setting.SCHEMA_REGISTRY_USERNAME;
            throw ConfigException.missing(missing, "when the other half of the registry's credentials is set");
        }
        Optional<Path> ca = env.optional(Setting.SCHEMA_REGISTRY_CA_FILE).map(Path::of);
        if (ca.isPresent() && !Files.isReadable(ca.get())) {
            throw ConfigException.invalid(Setting.SCHEMA_REGISTRY_CA_FILE, ca.get().toString(),
                    "a readable PEM file of CA certificates (mount it, or unset the variable to use the JVM's trust store)");
        }
        return new SchemaRegistryConfig(uri, username, password, ca);
    }
}
