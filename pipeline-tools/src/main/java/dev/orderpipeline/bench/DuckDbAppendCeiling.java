package dev.orderpipeline.bench;

import dev.orderpipeline.warehouse.Column;
import dev.orderpipeline.warehouse.DuckDbSessions;
import dev.orderpipeline.warehouse.DuckDbSql;
import dev.orderpipeline.warehouse.Row;
import dev.orderpipeline.config.SqlIdentifier;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.function.LongConsumer;
import java.util.stream.Collectors;
import org.duckdb.DuckDBAppender;
import org.duckdb.DuckDBConnection;

/**
 * Ceiling B for DuckDB: its Appender writing the loader's rows (data columns, RECORD_METADATA,
 * _DELETED), already in memory, one Appender per batch as the loader stages them, into a table
 * without a key. Only the appends are timed.
 */
final class DuckDbAppendCeiling {
    private DuckDbAppendCeiling() {
    }

    static Rate measure(Path file, BenchRows source, long rows, int batch, LongConsumer progress) throws Exception {
        try (Connection c = DuckDbSessions.open(file.toString()); Statement s = c.createStatement()) {
            long nanos = 0;
            long done = 0;
            boolean created = false;
            while (done < rows) {
                List<Row> chunk = source.next((int) Math.min(batch, rows - done));
                List<Column> columns = source.columns();
                if (!created) {
                    DuckDbSql sql = new DuckDbSql(SqlIdentifier.of("main"), SqlIdentifier.of("CEILING"));
                    s.execute("CREATE OR REPLACE TABLE \"CEILING\" (" + columns.stream()
                            .map(col -> col.name().quoted() + " " + sql.typeName(col.type())).collect(Collectors.joining(", "))
                            + ", \"RECORD_METADATA\" VARCHAR, \"_DELETED\" BOOLEAN)");
                    created = true;
                }
                long started = System.nanoTime();
                try (DuckDBAppender appender = c.unwrap(DuckDBConnection.class).createAppender("main", "CEILING")) {
                    for (Row row : chunk) {
                        appender.beginRow();
                        for (int i = 0; i < columns.size(); i++) {
                            append(appender, row.value(i));
                        }
                        appender.append(row.recordMetadataJson());
                        appender.append(row.deleted());
                        appender.endRow();
                    }
                }
                nanos += System.nanoTime() - started;
                done += chunk.size();
                progress.accept(done);
            }
            return new Rate(done, 0, Duration.ofNanos(nanos));
        }
    }

    private static void append(DuckDBAppender appender, Object value) throws SQLException {
        if (value == null) {
            appender.appendNull();
        } else if (value instanceof Long l) {
            appender.append((long) l);
        } else if (value instanceof Double d) {
            appender.append((double) d);
        } else if (value instanceof Boolean b) {
            appender.append((boolean) b);
        } else {
            appender.append(value.toString());
        }
    }
}
