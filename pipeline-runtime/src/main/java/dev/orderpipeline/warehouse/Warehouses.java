package dev.orderpipeline.warehouse;

import dev.orderpipeline.config.SinkConfig;

/** Picks the dialect a sink configuration names. */
public final class Warehouses {
    private Warehouses() {
    }

    public static Warehouse forSink(SinkConfig sink, String pipeline) {
        if (sink instanceof SinkConfig.DuckDb duck) {
            return new DuckDbWarehouse(duck.path(), duck.schema(), duck.table());
        }
        if (sink instanceof SinkConfig.Postgres postgres) {
            return new PostgresWarehouse(postgres, pipeline);
        }
        return new SnowflakeWarehouse((SinkConfig.Snowflake) sink, pipeline);
    }
}
