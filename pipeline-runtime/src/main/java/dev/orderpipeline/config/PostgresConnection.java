package dev.orderpipeline.config;

import java.util.Locale;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;

/**
 * Where and as whom to reach PostgreSQL ({@code OPL_POSTGRES_*}): the loader's PostgreSQL sink and the
 * replicator's target read the same settings, validated here once. Credentials never appear in
 * {@link #toString()}.
 */
public record PostgresConnection(String host, int port, String database, String user, String password, String sslmode,
                                 Optional<String> sslRootCertFile) {
    static final Set<String> SSL_MODES = Set.of("disable", "allow", "prefer", "require", "verify-ca", "verify-full");

    /** Reads the connection settings; {@code why} says when they are required (for the error message). */
    public static PostgresConnection from(Environment env, String why) {
        String host = env.required(Setting.POSTGRES_HOST, why);
        if (!host.matches("[A-Za-z0-9]([A-Za-z0-9.-]{0,252})|\\[[0-9A-Fa-f:]+]")) {
            throw ConfigException.invalid(Setting.POSTGRES_HOST, host, "a host name or IP address");
        }
        int port = env.port(Setting.POSTGRES_PORT);
        if (port == 0) {
            throw ConfigException.invalid(Setting.POSTGRES_PORT, "0", "a port from 1 to 65535");
        }
        String sslmode = env.required(Setting.POSTGRES_SSLMODE).toLowerCase(Locale.ROOT);
        if (!SSL_MODES.contains(sslmode)) {
            throw ConfigException.invalid(Setting.POSTGRES_SSLMODE, sslmode, "one of " + SSL_MODES);
        }
        return new PostgresConnection(host, port, name(Setting.POSTGRES_DATABASE, env.required(Setting.POSTGRES_DATABASE, why)),
                env.required(Setting.POSTGRES_USER, why), env.required(Setting.POSTGRES_PASSWORD, why), sslmode,
                env.optional(Setting.POSTGRES_SSL_ROOT_CERT_FILE));
    }

    /**
     * A database, schema or table name from a setting, as PostgreSQL folds unquoted names: lower case, at
     * most 63 characters of letters, digits and _.
     */
    public static String name(Setting setting, String value) {
        if (!SqlIdentifier.isValid(value) || value.length() > 63 || value.contains("$")) {
            throw ConfigException.invalid(setting, value,
                    "a PostgreSQL identifier of at most 63 letters, digits and _, starting with a letter or _");
        }
        return value.toLowerCase(Locale.ROOT);
    }

    public String jdbcUrl() {
        return "jdbc:postgresql://" + host + ":" + port + "/" + database;
    }

    /** The driver's properties for credentials and TLS; each caller adds its own timeouts and name. */
    public Properties properties() {
        Properties p = new Properties();
        p.put("user", user);
        p.put("password", password);
        p.put("sslmode", sslmode);
        sslRootCertFile.ifPresent(file -> p.put("sslrootcert", file));
        return p;
    }

    @Override
    public String toString() {
        return host + ":" + port + "/" + database + ", sslmode=" + sslmode + ", user=<redacted>, password=<redacted>";
    }
}
