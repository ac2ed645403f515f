package dev.orderpipeline.warehouse;

import dev.orderpipeline.config.SinkConfig;
import java.time.Duration;

/** Picks the dialect a sink configuration names. */
public final class Warehouses {
    private Warehouses() {
    }

    public static Warehouse forSink(SinkConfig sink, String pipeline) {
        return forSink(sink, pipeline, StatementTimeouts.defaultTimeout());
    }

    /** Every statement fails after {@code statementTimeout} rather than waiting forever (OPL_SINK_STATEMENT_TIMEOUT). */
    public static Warehouse forSink(SinkConfig sink, String pipeline, Duration statementTimeout) {
        if (sink instanceof SinkConfig.DuckDb duck) {
            return new DuckDbWarehouse(duck.path(), duck.schema(), duck.table(), statementTimeout, duck.memoryLimit());
        }
        if (sink instanceof SinkConfig.Postgres postgres) {
            return new PostgresWarehouse(postgres, pipeline, statementTimeout);
        }
        return new SnowflakeWarehouse((SinkConfig.Snowflake) sink, pipeline, statementTimeout);
    }
}
