package dev.orderpipeline.config;

import java.util.Optional;

/** Where the loader reads from, and how it authenticates. Secrets are held only in memory. */
public record KafkaSourceConfig(
        String bootstrapServers,
        String topic,
        String groupId,
        StartPosition startPosition,
        OffsetReset offsetReset,
        java.time.Duration sessionTimeout,
        SecurityProtocol securityProtocol,
        String saslMechanism,
        Optional<SaslCredentials> credentials,
        Tls tls,
        FormatConfig format) {

    public enum StartPosition { EARLIEST, LATEST }

    /** What a partition whose stored offset lies outside its log does (OPL_KAFKA_OFFSET_RESET). */
    public enum OffsetReset { FAIL, EARLIEST, LATEST }

    public enum SecurityProtocol { PLAINTEXT, SSL, SASL_PLAINTEXT, SASL_SSL }

    /** A Confluent Cloud API key and secret; {@link #toString()} never shows the secret. */
    public record SaslCredentials(String username, String password) {
        @Override
        public String toString() {
            return "SaslCredentials[username=" + username + ", password=<redacted>]";
        }
    }

    /**
     * TLS material from mounted files: the CA to trust (a path, which Kafka's client reads as a PEM trust
     * store) and, for mutual TLS, the client's certificate chain and key (read here: Kafka takes PEM
     * key stores only as values). {@link #toString()} never shows the key.
     */
    public record Tls(Optional<String> caFile, Optional<String> certificateChain, Optional<String> privateKey) {
        public static final Tls NONE = new Tls(Optional.empty(), Optional.empty(), Optional.empty());

        public boolean mutual() {
            return certificateChain.isPresent();
        }

        @Override
        public String toString() {
            return "Tls[caFile=" + caFile.orElse("<JVM default>") + ", clientCertificate="
                    + (mutual() ? "<set>" : "<none>") + ", privateKey=" + (privateKey.isPresent() ? "<redacted>" : "<none>") + "]";
        }

        static Tls from(Environment env, SecurityProtocol protocol) {
            Optional<String> ca = env.optional(Setting.KAFKA_SSL_CA_FILE);
            Optional<String> certificate = env.optional(Setting.KAFKA_SSL_CERTIFICATE_FILE);
            Optional<String> key = env.optional(Setting.KAFKA_SSL_KEY_FILE);
            if (ca.isEmpty() && certificate.isEmpty() && key.isEmpty()) {
                return NONE;
            }
            boolean tls = protocol == SecurityProtocol.SSL || protocol == SecurityProtocol.SASL_SSL;
            Setting given = ca.isPresent() ? Setting.KAFKA_SSL_CA_FILE
                    : certificate.isPresent() ? Setting.KAFKA_SSL_CERTIFICATE_FILE : Setting.KAFKA_SSL_KEY_FILE;
            if (!tls) {
                throw new ConfigException(given.envName() + " is set but " + Setting.KAFKA_SECURITY_PROTOCOL.envName()
                        + " is " + protocol + ": set it to SSL or SASL_SSL, or remove " + given.envName() + ".");
            }
            if (certificate.isPresent() != key.isPresent()) {
                Setting missing = certificate.isPresent() ? Setting.KAFKA_SSL_KEY_FILE : Setting.KAFKA_SSL_CERTIFICATE_FILE;
                Setting set = certificate.isPresent() ? Setting.KAFKA_SSL_CERTIFICATE_FILE : Setting.KAFKA_SSL_KEY_FILE;
                // Not ConfigException.missing: its "or <NAME>_FILE" hint makes no sense for a setting that is a path.
                throw new ConfigException(missing.envName() + " is required when " + set.envName()
                        + " is set (mutual TLS needs the client certificate and its key): set it to the mounted PEM file, or remove "
                        + set.envName() + ".");
            }
            ca.ifPresent(file -> readPem(Setting.KAFKA_SSL_CA_FILE, file, "CERTIFICATE"));
            return new Tls(ca, certificate.map(file -> readPem(Setting.KAFKA_SSL_CERTIFICATE_FILE, file, "CERTIFICATE")),
                    key.map(file -> readPem(Setting.KAFKA_SSL_KEY_FILE, file, "PRIVATE KEY")));
        }

        private static String readPem(Setting setting, String file, String block) {
            String text;
            try {
                // Bytes, not readString: a DER or PKCS#12 file must get the "no PEM block" answer below, not a decoding error.
                text = new String(java.nio.file.Files.readAllBytes(java.nio.file.Path.of(file)), java.nio.charset.StandardCharsets.ISO_8859_1);
            } catch (java.io.IOException | java.nio.file.InvalidPathException e) {
                throw new ConfigException(setting.envName() + " names " + file + ", which cannot be read ("
                        + e.getClass().getSimpleName() + "): mount the Secret key there or fix the path.");
            }
            if (!text.contains(PemArmor.header(block))) {
                String hint = !block.equals("PRIVATE KEY") ? ""
                        : text.contains(PemArmor.header("RSA " + block)) || text.contains(PemArmor.header("EC " + block))
                        ? " (a PKCS#1 or SEC1 key, the traditional OpenSSL form: convert it to PKCS#8 with openssl pkcs8 -topk8 -nocrypt)"
                        : text.contains(PemArmor.header("ENCRYPTED " + block))
                        ? " (this key is encrypted: give the unencrypted PKCS#8 key, openssl pkcs8 -topk8 -nocrypt)" : "";
                throw new ConfigException(setting.envName() + " names " + file + ", which holds no PEM '" + block
                        + "' block" + hint + ": give the PEM file.");
            }
            return text.strip();
        }
    }

    /** The SASL mechanisms a user name and password are enough for. */
    private static final java.util.List<String> SASL_MECHANISMS = java.util.List.of("PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512");

    private static String saslMechanism(Environment env) {
        String mechanism = env.required(Setting.KAFKA_SASL_MECHANISM).toUpperCase(java.util.Locale.ROOT);
        if (!SASL_MECHANISMS.contains(mechanism)) {
            throw ConfigException.invalid(Setting.KAFKA_SASL_MECHANISM, mechanism, "one of " + SASL_MECHANISMS);
        }
        return mechanism;
    }

    static KafkaSourceConfig from(Environment env, String pipelineName) {
        String topic = env.required(Setting.KAFKA_TOPIC);
        TopicNames.requireValid(Setting.KAFKA_TOPIC, topic);
        SecurityProtocol protocol = env.choice(Setting.KAFKA_SECURITY_PROTOCOL, SecurityProtocol.class);
        Optional<SaslCredentials> credentials = Optional.empty();
        if (protocol == SecurityProtocol.SASL_SSL || protocol == SecurityProtocol.SASL_PLAINTEXT) {
            String why = "when " + Setting.KAFKA_SECURITY_PROTOCOL.envName() + "=" + protocol;
            credentials = Optional.of(new SaslCredentials(
                    env.required(Setting.KAFKA_SASL_USERNAME, why), env.required(Setting.KAFKA_SASL_PASSWORD, why)));
        }
        return new KafkaSourceConfig(
                env.required(Setting.KAFKA_BOOTSTRAP_SERVERS),
                topic,
                env.optional(Setting.KAFKA_GROUP_ID).orElse(pipelineName),
                env.choice(Setting.KAFKA_START_POSITION, StartPosition.class),
                env.choice(Setting.KAFKA_OFFSET_RESET, OffsetReset.class),
                env.duration(Setting.KAFKA_SESSION_TIMEOUT),
                protocol,
                saslMechanism(env),
                credentials,
                Tls.from(env, protocol),
                FormatConfig.from(env));
    }
}
