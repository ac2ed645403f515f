package dev.orderpipeline.operator.api;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import java.util.List;

/** The dbt project run over the loaded table (staging, marts, tests, freshness): a CronJob and one-shot Jobs. */
public record DbtSpec(
        @JsonPropertyDescription("Image with dbt and the project.")
        String image,
        @JsonPropertyDescription("Command of the dbt container; default the image's entrypoint.")
        List<String> command,
        @JsonPropertyDescription("Arguments of the dbt container, e.g. [build].")
        List<String> args,
        @Pattern(Patterns.CRON)
        @JsonPropertyDescription("Cron schedule of the dbt CronJob (concurrencyPolicy Forbid): five fields, e.g. "
                + "\"*/30 * * * *\", or a macro such as @hourly; absent means no schedule.")
        String schedule,
        @JsonPropertyDescription("dbt target (profile output) to run against.")
        String target,
        @JsonPropertyDescription("Secret key holding profiles.yml.")
        SecretKeyReference profile,
        @JsonPropertyDescription("Change this value to request one run now.")
        String runNonce,
        @Pattern(Patterns.DURATION)
        @JsonPropertyDescription("Longest a dbt run may take before Kubernetes stops it (the Job's activeDeadlineSeconds), "
                + "so that a hung run cannot block a Forbid schedule forever, e.g. 45m. Default 2h.")
        String maxDuration) {

    public static final java.time.Duration DEFAULT_MAX_DURATION = java.time.Duration.ofHours(2);

    /** Without a run limit of its own (the default applies). */
    public DbtSpec(String image, List<String> command, List<String> args, String schedule, String target,
                   SecretKeyReference profile, String runNonce) {
        this(image, command, args, schedule, target, profile, runNonce, null);
    }

    public java.time.Duration maxDurationOrDefault() {
        return Durations.parse(maxDuration).orElse(DEFAULT_MAX_DURATION);
    }
}
