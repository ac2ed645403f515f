package dev.orderpipeline.operator.dbt;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import java.util.Objects;

/**
 * The run summary the dbt image's entrypoint leaves as its container's termination message
 * ({@code dbt/scripts/summarize_run_results.py}, format in dbt/README.md). Only the fields the operator
 * reports are read; unknown ones are ignored so that the script may grow.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record DbtRunSummary(
        @JsonProperty("invocation_id") String invocationId,
        @JsonProperty("command") String command,
        @JsonProperty("status") String status,
        @JsonProperty("elapsed_seconds") Double elapsedSeconds,
        @JsonProperty("models") Models models,
        @JsonProperty("tests") Tests tests,
        @JsonProperty("failing_tests") List<String> failingTests,
        @JsonProperty("error_models") List<String> errorModels,
        @JsonProperty("error") String error,
        @JsonProperty("truncated") Boolean truncated) {

    private static final ObjectMapper JSON = new ObjectMapper()
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false)
            .configure(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES, true);

    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Models(int ok, int error, int skipped) {
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Tests(int pass, int fail, int warn, int error, int skipped) {
    }

    public DbtRunSummary {
        failingTests = failingTests == null ? List.of() : List.copyOf(failingTests);
        errorModels = errorModels == null ? List.of() : List.copyOf(errorModels);
    }

    /** {@code status} is {@code ok}: no model errored, no test failed or errored. */
    public boolean ok() {
        return "ok".equals(status);
    }

    /** Tests that failed or errored. */
    public int testsFailed() {
        return tests.fail() + tests.error();
    }

    /**
     * Reads a termination message.
     *
     * @throws MalformedSummaryException when it is not such a summary; the exception's message describes
     *                                   what is wrong without quoting the text (which is not ours to repeat)
     */
    public static DbtRunSummary parse(String message) throws MalformedSummaryException {
        if (message == null || message.isBlank()) {
            throw new MalformedSummaryException("the termination message is empty");
        }
        JsonNode tree;
        try {
            tree = JSON.readTree(message);
        } catch (JsonProcessingException e) {
            throw new MalformedSummaryException("the termination message is not JSON ("
                    + message.length() + " characters)");
        }
        if (tree == null || !tree.isObject()) {
            throw new MalformedSummaryException("the termination message is not a JSON object");
        }
        for (String field : List.of("status", "models", "tests")) {
            if (!tree.hasNonNull(field)) {
                throw new MalformedSummaryException("the termination message has no '" + field + "'");
            }
        }
        DbtRunSummary summary;
        try {
            summary = JSON.treeToValue(tree, DbtRunSummary.class);
        } catch (JsonProcessingException | IllegalArgumentException e) {
            throw new MalformedSummaryException("the termination message's fields have unexpected types");
        }
        if (!"ok".equals(summary.status()) && !"error".equals(summary.status())) {
            throw new MalformedSummaryException("the termination message's status is neither ok nor error");
        }
        Objects.requireNonNull(summary.models());
        Objects.requireNonNull(summary.tests());
        return summary;
    }

    /** A termination message that is not a dbt run summary. */
    public static final class MalformedSummaryException extends Exception {
        public MalformedSummaryException(String message) {
            super(message);
        }
    }
}
