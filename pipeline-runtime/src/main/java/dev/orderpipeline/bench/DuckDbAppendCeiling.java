package dev.orderpipeline.bench;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import org.duckdb.DuckDBAppender;
import org.duckdb.DuckDBConnection;

/** Ceiling B for DuckDB: its Appender writing the same number of order rows, already in memory. */
final class DuckDbAppendCeiling {
    private DuckDbAppendCeiling() {
    }

    static Rate measure(Path file, long rows) throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:duckdb:" + file); Statement s = c.createStatement()) {
            s.execute("CREATE OR REPLACE TABLE ceiling (ordertime BIGINT, orderid BIGINT, itemid VARCHAR, orderunits DOUBLE, "
                    + "city VARCHAR, state VARCHAR, zipcode BIGINT, metadata VARCHAR)");
            long started = System.nanoTime();
            try (DuckDBAppender appender = c.unwrap(DuckDBConnection.class).createAppender("main", "ceiling")) {
                for (long i = 0; i < rows; i++) {
                    appender.beginRow();
                    appender.append(1_700_000_000_000L + i);
                    appender.append(i);
                    appender.append("Item_" + (i % 1000));
                    appender.append(1.5 + i % 10);
                    appender.append("City_" + (i % 100));
                    appender.append("State_" + (i % 50));
                    appender.append(10_000L + i % 90_000);
                    appender.append("{\"topic\":\"orders\",\"partition\":0,\"offset\":" + i + "}");
                    appender.endRow();
                }
            }
            return new Rate(rows, 0, Duration.ofNanos(System.nanoTime() - started));
        }
    }
}
