package dev.orderpipeline.operator.api;

/**
 * Regular expressions shared by the schema annotations. They repeat the runtime's own rules
 * (SqlIdentifier, TopicNames) so that a bad name is refused by the API server, before any pod starts.
 */
public final class Patterns {
    /** A SQL identifier the runtime accepts and quotes: letters, digits, _ and $, not starting with a digit. */
    public static final String SQL_IDENTIFIER = "^[A-Za-z_][A-Za-z0-9_$]{0,254}$";
    /** An upsert key field: SQL identifiers, nested as parent.child. */
    public static final String KEY_FIELD = "^[A-Za-z_][A-Za-z0-9_$]{0,254}([.][A-Za-z_][A-Za-z0-9_$]{0,254})*$";
    /** Kafka's topic name rule. */
    public static final String KAFKA_TOPIC = "^[a-zA-Z0-9._-]{1,249}$";
    /** The duration syntax the runtime parses: a number and ms, s, m or h. */
    public static final String DURATION = "^[0-9]+(ms|s|m|h)?$";
    /** A Kubernetes object name (DNS subdomain). */
    public static final String OBJECT_NAME = "^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$";
    /** A key inside a Secret. */
    public static final String SECRET_KEY = "^[-._a-zA-Z0-9]{1,253}$";

    /**
     * A CronJob schedule: five fields (minute hour day-of-month month day-of-week) or a macro. The API
     * server only checks a CronJob's schedule when the operator creates it, long after the apply.
     */
    public static final String CRON = "^(@(annually|yearly|monthly|weekly|daily|midnight|hourly)|[^\\s]+( +[^\\s]+){4})$";
    /** A Kubernetes label value (Datadog's unified service tags become pod labels): at most 63 characters. */
    public static final String LABEL_VALUE = "^(([A-Za-z0-9][-A-Za-z0-9_.]{0,61})?[A-Za-z0-9])?$";

    private Patterns() {
    }
}
