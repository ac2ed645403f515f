package dev.orderpipeline.bench;

import dev.orderpipeline.config.LoaderConfig;
import dev.orderpipeline.config.SinkConfig;
import dev.orderpipeline.generate.OrderGenerator;
import dev.orderpipeline.warehouse.DuckDbSessions;
import dev.orderpipeline.warehouse.Warehouse;
import dev.orderpipeline.warehouse.Warehouses;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * A freshness table that already holds history (`--prefill-rows`): the loader's own table shape (one
 * row written through its warehouse, then removed), filled by DuckDB with N rows whose keys the run
 * never produces and whose Kafka offsets lie below every offset of the run (-2 and down, per
 * partition), then replicated into PostgreSQL by a snapshot before the run starts. So the run's
 * replicator starts incremental on a table of N rows, and its change query has to skip them.
 */
final class FreshnessPrefill {
    /** The first prefilled order id; the run's new orders count from 1, so the two never meet. */
    static final long FIRST_KEY = 1_000_000_000_000L;

    private FreshnessPrefill() {
    }

    /**
     * The partition an order is produced to: a prefilled order's own partition (its id's place modulo the
     * partitions, as filled), so that an update of it is a newer version in the same partition, as Kafka's
     * key partitioner guarantees for every key in production; null for the run's own orders (the
     * producer's partitioner decides).
     */
    static Integer partitionOf(byte[] key, int partitions) {
        long id = Long.parseLong(new String(key, java.nio.charset.StandardCharsets.US_ASCII));
        return id >= FIRST_KEY ? (int) ((id - FIRST_KEY) % partitions) : null;
    }

    /** Fills and snapshots; returns the snapshot's nanoseconds. */
    static long fill(Path duckFile, long rows, int partitions, LoaderConfig config, Callable<?> snapshot) throws Exception {
        BenchRows one = new BenchRows(new OrderGenerator(7, 0.0, 0.0), "prefill", partitions, List.of("orderid"));
        try (Warehouse w = Warehouses.forSink(config.sink(), "bench-prefill", config.sinkStatementTimeout())) {
            SinkAloneRate.measure(w, "bench-prefill", "prefill", partitions, one, 1, 1, n -> { });
        }
        SinkConfig.DuckDb duck = (SinkConfig.DuckDb) config.sink();
        String table = duck.schema().quoted() + "." + duck.table().quoted();
        try (Connection c = DuckDbSessions.open(duckFile.toString()); Statement s = c.createStatement()) {
            List<String> names = new ArrayList<>();
            List<String> values = new ArrayList<>();
            try (ResultSet rs = s.executeQuery("SELECT * FROM " + table + " LIMIT 0")) {
                ResultSetMetaData md = rs.getMetaData();
                for (int i = 1; i <= md.getColumnCount(); i++) {
                    String name = md.getColumnName(i);
                    names.add("\"" + name + "\"");
                    values.add(value(name, md.getColumnTypeName(i).toUpperCase(Locale.ROOT), partitions));
                }
            }
            s.execute("DELETE FROM " + table);
            s.execute("INSERT INTO " + table + " (" + String.join(", ", names) + ") SELECT " + String.join(", ", values)
                    + " FROM range(" + rows + ") r(i)");
            s.execute("CHECKPOINT");
        }
        long started = System.nanoTime();
        snapshot.call();
        return System.nanoTime() - started;
    }

    private static String value(String column, String type, int partitions) {
        String offset = "(-(i // " + partitions + ") - 2)";
        return switch (column) {
            case "RECORD_METADATA" -> "'{\"topic\":\"prefill\",\"partition\":' || (i % " + partitions + ") || ',\"offset\":' || "
                    + offset + " || ',\"timestamp\":0}'";
            case "_DELETED" -> "FALSE";
            case "_LOADED_AT" -> "timezone('UTC', current_timestamp)";
            case "_KAFKA_PARTITION" -> "(i % " + partitions + ")";
            case "_KAFKA_OFFSET" -> offset;
            case "_KAFKA_TIMESTAMP" -> "TIMESTAMP '2026-01-01 00:00:00'";
            case "ORDERID" -> "(" + FIRST_KEY + " + i)";
            default -> type.startsWith("DECIMAL") ? "CAST(i AS " + type + ")"
                    : type.equals("BIGINT") || type.equals("INTEGER") ? "i"
                    : type.equals("DOUBLE") || type.equals("FLOAT") ? "(i * 0.01)"
                    : type.equals("BOOLEAN") ? "FALSE"
                    : "('prefill_' || i)";
        };
    }
}
