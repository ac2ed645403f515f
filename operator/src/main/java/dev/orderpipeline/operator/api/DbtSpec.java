package dev.orderpipeline.operator.api;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.List;

/** The dbt project run over the loaded table (staging, marts, tests, freshness): a CronJob and one-shot Jobs. */
public record DbtSpec(
        @JsonPropertyDescription("Image with dbt and the project.")
        String image,
        @JsonPropertyDescription("Command of the dbt container; default the image's entrypoint.")
        List<String> command,
        @JsonPropertyDescription("Arguments of the dbt container, e.g. [build].")
        List<String> args,
        @JsonPropertyDescription("Cron schedule of the dbt CronJob (concurrencyPolicy Forbid); absent means no schedule.")
        String schedule,
        @JsonPropertyDescription("dbt target (profile output) to run against.")
        String target,
        @JsonPropertyDescription("Secret key holding profiles.yml.")
        SecretKeyReference profile,
        @JsonPropertyDescription("Change this value to request one run now.")
        String runNonce) {
}
