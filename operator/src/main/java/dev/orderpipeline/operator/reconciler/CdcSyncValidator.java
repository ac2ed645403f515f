package dev.orderpipeline.operator.reconciler;

import dev.orderpipeline.operator.api.CdcSourceSpec;
import dev.orderpipeline.operator.api.CdcSyncSpec;
import dev.orderpipeline.operator.api.OrderPipeline;
import dev.orderpipeline.operator.api.Patterns;
import dev.orderpipeline.operator.api.SecretKeyReference;
import dev.orderpipeline.operator.api.SinkSpec;
import dev.orderpipeline.operator.api.SnowflakeSinkSpec;
import dev.orderpipeline.operator.status.SpecProblem;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/** Rules of a CdcSync that the CRD schema cannot express, or that an API server may skip. */
public final class CdcSyncValidator {
    public static final String PIPELINE_NOT_FOUND = "PipelineNotFound";

    private CdcSyncValidator() {
    }

    /** Checks of the spec alone. */
    public static Optional<SpecProblem> validate(CdcSyncSpec spec) {
        if (spec == null || spec.source() == null || spec.target() == null) {
            return Optional.of(new SpecProblem(SpecProblem.INVALID_SPEC, "spec",
                    "spec.source and spec.target are required: add them to the resource."));
        }
        CdcSourceSpec source = spec.source();
        if ((source.pipelineRef() == null) == (source.snowflake() == null)) {
            return Optional.of(new SpecProblem(SpecProblem.INVALID_SPEC, "spec.source",
                    "set exactly one of spec.source.pipelineRef and spec.source.snowflake."));
        }
        if (spec.keyColumns() == null || spec.keyColumns().isEmpty()) {
            return Optional.of(new SpecProblem(SpecProblem.INVALID_SPEC, "spec.keyColumns",
                    "spec.keyColumns is empty: list the columns that identify a row (the target's primary key)."));
        }
        for (String column : spec.keyColumns()) {
            if (column == null || !column.matches(Patterns.SQL_IDENTIFIER)) {
                return Optional.of(new SpecProblem(SpecProblem.INVALID_SPEC, "spec.keyColumns",
                        "spec.keyColumns has '" + column + "', which is not a SQL identifier: use letters, digits, "
                                + "_ and $, starting with a letter or _."));
            }
        }
        CdcSourceSpec.SnowflakeTable table = source.snowflake();
        if (table != null && table.mode() == CdcSourceSpec.SnowflakeTable.Mode.CURSOR && table.cursorColumn() == null) {
            return Optional.of(new SpecProblem(SpecProblem.INVALID_SPEC, "spec.source.snowflake.cursorColumn",
                    "spec.source.snowflake.cursorColumn is required when spec.source.snowflake.mode is cursor: "
                            + "name a monotonic column (timestamp or number)."));
        }
        return Optional.empty();
    }

    /** Checks of the OrderPipeline a pipelineRef names. */
    public static Optional<SpecProblem> validateReference(CdcSyncSpec spec, String namespace,
                                                          Optional<OrderPipeline> referenced) {
        CdcSourceSpec.PipelineReference ref = spec.source().pipelineRef();
        if (ref == null) {
            return Optional.empty();
        }
        if (referenced.isEmpty()) {
            return Optional.of(new SpecProblem(PIPELINE_NOT_FOUND, "spec.source.pipelineRef.name",
                    "spec.source.pipelineRef.name refers to OrderPipeline '" + ref.name() + "', which does not exist in "
                            + "namespace '" + namespace + "': create it or correct spec.source.pipelineRef.name."));
        }
        SinkSpec sink = referenced.get().getSpec() == null ? null : referenced.get().getSpec().sink();
        if (sink == null || sink.type() != SinkSpec.Type.SNOWFLAKE || sink.snowflake() == null) {
            return Optional.of(new SpecProblem(SpecProblem.INVALID_SPEC, "spec.source.pipelineRef.name",
                    "OrderPipeline '" + ref.name() + "' named by spec.source.pipelineRef.name does not load into "
                            + "Snowflake: its DuckDB file lives inside its loader pod, where no replicator can read it. "
                            + "Reference a pipeline with a Snowflake sink, or use spec.source.snowflake."));
        }
        return Optional.empty();
    }
}
