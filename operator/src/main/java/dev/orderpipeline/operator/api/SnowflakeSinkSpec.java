package dev.orderpipeline.operator.api;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;

/** A Snowflake target reached with key-pair authentication. */
public record SnowflakeSinkSpec(
        @Required @Pattern("^[A-Za-z0-9_.-]+$")
        @JsonPropertyDescription("Account identifier, orgname-accountname.")
        String account,
        @Pattern("^jdbc:snowflake://.+$")
        @JsonPropertyDescription("JDBC URL override; default https://<account>.snowflakecomputing.com.")
        String url,
        @Required
        @JsonPropertyDescription("User that authenticates with the private key.")
        String user,
        @Pattern(Patterns.SQL_IDENTIFIER)
        @JsonPropertyDescription("Role used by the loader; default the user's default role.")
        String role,
        @Pattern(Patterns.SQL_IDENTIFIER)
        @JsonPropertyDescription("Virtual warehouse used by the loader; default the user's default warehouse.")
        String warehouse,
        @Required @Pattern(Patterns.SQL_IDENTIFIER)
        @JsonPropertyDescription("Database of the target table.")
        String database,
        @Required @Pattern(Patterns.SQL_IDENTIFIER)
        @JsonPropertyDescription("Schema of the target table.")
        String schema,
        @Required
        @JsonPropertyDescription("Secret key holding the PKCS#8 PEM private key.")
        SecretKeyReference privateKey,
        @JsonPropertyDescription("Secret key holding the passphrase of an encrypted private key.")
        SecretKeyReference privateKeyPassphrase) {
}
