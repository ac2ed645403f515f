package dev.orderpipeline.cdc.replication;

import dev.orderpipeline.cdc.CdcConfig;
import dev.orderpipeline.cdc.source.ChangeSource;
import dev.orderpipeline.cdc.source.CursorSource;
import dev.orderpipeline.cdc.source.PipelineRefSource;
import dev.orderpipeline.cdc.source.StreamSource;
import dev.orderpipeline.cdc.source.WarehouseDialect;

/** Picks the source a configuration names. */
public final class ChangeSources {
    private ChangeSources() {
    }

    public static ChangeSource of(CdcConfig config) {
        WarehouseDialect dialect = WarehouseDialect.of(config.warehouse(), config.duckDbReadOnly(), config.name());
        return switch (config.mode()) {
            case PIPELINEREF -> new PipelineRefSource(dialect, config.sourceTable(), config.keyColumns());
            case CURSOR -> new CursorSource(dialect, config.sourceTable(), config.keyColumns(),
                    config.cursorColumn().orElseThrow(), config.cursorLookback());
            case STREAM -> new StreamSource(dialect, config.sourceTable(), config.keyColumns(), config.streamName(),
                    config.stagingPrefix());
        };
    }
}
