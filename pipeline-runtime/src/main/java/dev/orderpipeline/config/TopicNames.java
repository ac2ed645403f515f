package dev.orderpipeline.config;

import java.util.regex.Pattern;

/** Kafka's own rule for topic names: at most 249 of letters, digits, '.', '_' and '-'. */
public final class TopicNames {
    private static final Pattern VALID = Pattern.compile("[a-zA-Z0-9._-]{1,249}");

    private TopicNames() {
    }

    public static void requireValid(Setting setting, String topic) {
        if (!VALID.matcher(topic).matches() || topic.equals(".") || topic.equals("..")) {
            throw ConfigException.invalid(setting, topic,
                    "a Kafka topic name of at most 249 letters, digits, '.', '_' or '-'");
        }
    }
}
