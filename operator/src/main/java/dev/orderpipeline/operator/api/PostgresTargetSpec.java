package dev.orderpipeline.operator.api;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;

/** The analytical PostgreSQL table a CdcSync keeps up to date. */
public record PostgresTargetSpec(
        @Required
        @JsonPropertyDescription("PostgreSQL host name.")
        String host,
        @Min(1) @Max(65535)
        @JsonPropertyDescription("PostgreSQL port; default 5432.")
        Integer port,
        @Required @Pattern(Patterns.SQL_IDENTIFIER)
        @JsonPropertyDescription("Database name.")
        String database,
        @Pattern(Patterns.SQL_IDENTIFIER)
        @JsonPropertyDescription("Schema of the target table; default public.")
        String schema,
        @Required @Pattern(Patterns.SQL_IDENTIFIER)
        @JsonPropertyDescription("Target table, created if absent.")
        String table,
        @Required
        @JsonPropertyDescription("Secret key holding the user name.")
        SecretKeyReference username,
        @Required
        @JsonPropertyDescription("Secret key holding the password.")
        SecretKeyReference password,
        @JsonPropertyDescription("libpq sslmode; default verify-full.")
        SslMode sslmode,
        @JsonPropertyDescription("Secret key holding the PEM CA certificate(s) the server's certificate is checked "
                + "against (libpq sslrootcert) for verify-ca and verify-full; absent means the JVM's default trust store.")
        SecretKeyReference caCertificate) {

    /** Checked against the JVM's default trust store. */
    public PostgresTargetSpec(String host, Integer port, String database, String schema, String table,
                              SecretKeyReference username, SecretKeyReference password, SslMode sslmode) {
        this(host, port, database, schema, table, username, password, sslmode, null);
    }

    public enum SslMode {
        @JsonProperty("disable") DISABLE,
        @JsonProperty("require") REQUIRE,
        @JsonProperty("verify-ca") VERIFY_CA,
        @JsonProperty("verify-full") VERIFY_FULL
    }
}
