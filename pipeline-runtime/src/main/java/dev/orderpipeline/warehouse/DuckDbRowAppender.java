package dev.orderpipeline.warehouse;

import dev.orderpipeline.config.SqlIdentifier;
import dev.orderpipeline.schema.ColumnType;
import dev.orderpipeline.schema.MetadataColumns;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;
import org.duckdb.DuckDBAppender;
import org.duckdb.DuckDBConnection;

/**
 * Writes rows through DuckDB's Appender: into the staging table, or straight into the target. Straight in, a row is
 * written once instead of twice (the Appender into staging, then {@code INSERT … SELECT}): on the bench's table
 * shape, 50,000-row batches into a growing table ran 21-33 % faster with all keys new and 11-21 % with 30 % updates
 * (pipeline-tools/BENCH.md, "New versions straight into the DuckDB table").
 */
final class DuckDbRowAppender {
    private final DuckDbSql sql;
    /** Each row's RECORD_METADATA text, written here and appended as UTF-8 bytes. */
    private final StringBuilder metadataJson = new StringBuilder(256);

    DuckDbRowAppender(DuckDbSql sql) {
        this.sql = sql;
    }

    /** What the loader writes into one column of the target. */
    private enum Source { DATA, RECORD_METADATA, DELETED, LOADED_AT, KAFKA_PARTITION, KAFKA_OFFSET, KAFKA_TIMESTAMP }

    private static final Map<SqlIdentifier, Source> METADATA_SOURCES = Map.of(
            MetadataColumns.RECORD_METADATA, Source.RECORD_METADATA,
            MetadataColumns.DELETED, Source.DELETED,
            MetadataColumns.LOADED_AT, Source.LOADED_AT,
            MetadataColumns.KAFKA_PARTITION, Source.KAFKA_PARTITION,
            MetadataColumns.KAFKA_OFFSET, Source.KAFKA_OFFSET,
            MetadataColumns.KAFKA_TIMESTAMP, Source.KAFKA_TIMESTAMP);

    /** One column of the target, in table order: what goes there, and for a data column its index and type in the batch. */
    private record Slot(Source source, int index, ColumnType type) {
    }

    /** How a batch's rows reach the target. */
    sealed interface WritePath permits StraightIn, Staged {
    }

    /**
     * Straight in through the Appender: the target's columns in table order, as an Appender must fill them (a value
     * for every column, in the table's order, of the column's own type).
     */
    record StraightIn(List<Slot> slots) implements WritePath {
    }

    /** Staged and inserted by SQL, and why the Appender cannot fill the table as an INSERT would. */
    record Staged(String reason) implements WritePath {
    }

    /**
     * How the batch's rows can reach the target: straight in, unless the table has a constraint, a column the loader
     * does not write (a column a user added, which an INSERT fills with its default) or a column of another type than
     * the batch's; then the rows are staged and inserted by SQL.
     */
    WritePath writePath(Connection connection, List<Column> columns) throws SQLException {
        if (hasConstraints(connection)) {
            return new Staged("the table has a constraint (NOT NULL, CHECK or a key), which an INSERT checks row by row");
        }
        List<Slot> slots = new ArrayList<>();
        try (Statement s = connection.createStatement(); ResultSet rs = s.executeQuery(sql.describeTarget())) {
            ResultSetMetaData md = rs.getMetaData();
            for (int i = 1; i <= md.getColumnCount(); i++) {
                SqlIdentifier name = SqlIdentifier.of(md.getColumnName(i));
                String typeName = md.getColumnTypeName(i);
                Optional<Slot> slot = slot(name, columns);
                if (slot.isEmpty()) {
                    return new Staged("column " + name.quoted() + " is not one the loader writes (an INSERT fills it with its default)");
                }
                String loaders = slot.get().source() == Source.DATA ? sql.typeName(slot.get().type()) : sql.metadataTypeName(name);
                if (!sql.sameType(typeName, loaders)) {
                    return new Staged("column " + name.quoted() + " is " + typeName + " where the loader writes " + loaders);
                }
                slots.add(slot.get());
            }
        }
        return new StraightIn(List.copyOf(slots));
    }

    /**
     * Whether someone gave the table a constraint (NOT NULL, CHECK, a key): the loader creates none. An INSERT
     * refuses a row that breaks one with DuckDB's constraint error, which names the column and dead-letters the
     * record; through the Appender the same row would fail the whole flush with another message.
     */
    private boolean hasConstraints(Connection connection) throws SQLException {
        try (PreparedStatement query = connection.prepareStatement(sql.countTargetConstraints())) {
            query.setString(1, sql.schema().name());
            query.setString(2, sql.table().name());
            try (ResultSet rs = query.executeQuery()) {
                rs.next();
                return rs.getLong(1) > 0;
            }
        }
    }

    /** What the loader writes into the target's column {@code name}: empty when it writes nothing there. */
    private static Optional<Slot> slot(SqlIdentifier name, List<Column> columns) {
        Source metadata = METADATA_SOURCES.get(name);
        if (metadata != null) {
            return Optional.of(new Slot(metadata, -1, null));
        }
        for (int i = 0; i < columns.size(); i++) {
            if (columns.get(i).name().equals(name)) {
                return Optional.of(new Slot(Source.DATA, i, columns.get(i).type()));
            }
        }
        return Optional.empty();
    }

    /**
     * Appends the selected rows straight into the target, inside the batch's transaction. {@code _LOADED_AT} is the
     * warehouse's clock read once, in the same transaction: DuckDB's clock is the transaction's start, so it is the
     * value an {@code INSERT … SELECT} of the batch would have written.
     */
    void appendToTarget(Connection connection, StraightIn order, List<Row> rows, Predicate<Row> selected) throws SQLException {
        LocalDateTime loadedAt;
        try (Statement s = connection.createStatement(); ResultSet clock = s.executeQuery(sql.selectCurrentTimestamp())) {
            clock.next();
            loadedAt = clock.getObject(1, LocalDateTime.class);
        }
        try (DuckDBAppender appender = connection.unwrap(DuckDBConnection.class)
                .createAppender(sql.schema().name(), sql.table().name())) {
            for (Row row : rows) {
                if (!selected.test(row)) {
                    continue;
                }
                appender.beginRow();
                for (Slot slot : order.slots()) {
                    switch (slot.source()) {
                        case DATA -> appendValue(appender, slot.type(), row.value(slot.index()));
                        case RECORD_METADATA -> appender.append(metadataUtf8(row));
                        case DELETED -> appender.append(row.deleted());
                        case LOADED_AT -> appender.append(loadedAt);
                        case KAFKA_PARTITION -> appender.append((long) row.partition());
                        case KAFKA_OFFSET -> appender.append(row.offset());
                        case KAFKA_TIMESTAMP -> {
                            long timestamp = row.metadata().timestamp();
                            if (timestamp < 0) {
                                appender.appendNull();
                            } else {
                                appender.appendEpochMicros(Math.multiplyExact(timestamp, 1_000L)); // a TIMESTAMP holds micros
                            }
                        }
                    }
                }
                appender.endRow();
            }
            flush(appender);
        }
    }

    /**
     * Appends the selected rows to the staging table: the data columns, RECORD_METADATA, _DELETED, then the Kafka
     * partition, offset and timestamp (epoch milliseconds, NULL when the record has none).
     */
    void appendToStaging(Connection connection, Batch batch, Predicate<Row> selected) throws SQLException {
        List<Column> columns = batch.columns();
        try (DuckDBAppender appender = connection.unwrap(DuckDBConnection.class)
                .createAppender("temp", "main", WarehouseSql.STAGING_TABLE.name())) {
            for (Row row : batch.rows()) {
                if (!selected.test(row)) {
                    continue;
                }
                appender.beginRow();
                for (int i = 0; i < columns.size(); i++) {
                    appendValue(appender, columns.get(i).type(), row.value(i));
                }
                appender.append(metadataUtf8(row));
                appender.append(row.deleted());
                appender.append((long) row.partition());
                appender.append(row.offset());
                long timestamp = row.metadata().timestamp();
                if (timestamp < 0) {
                    appender.appendNull();
                } else {
                    appender.append(timestamp);
                }
                appender.endRow();
            }
            flush(appender);
        }
    }

    /**
     * Appends every row's key to the keys table ({@link DuckDbSql#createKeysTable}), a value a column: a column the
     * Appender fills with NULL costs about as much as one with a value, so the keys do not go to the staging table.
     */
    void appendKeys(Connection connection, Batch batch) throws SQLException {
        List<Column> columns = batch.columns();
        int[] keyIndexes = batch.keyIndexes();
        try (DuckDBAppender appender = connection.unwrap(DuckDBConnection.class)
                .createAppender("temp", "main", sql.keysTable().name())) {
            for (Row row : batch.rows()) {
                appender.beginRow();
                for (int i : keyIndexes) {
                    appendValue(appender, columns.get(i).type(), row.value(i));
                }
                appender.endRow();
            }
            flush(appender);
        }
    }

    /**
     * Flushes before the Appender closes: DuckDB's JDBC Appender (1.5) swallows an error of the flush that
     * {@code close} does (a value a constraint refuses), and the transaction it invalidated then commits nothing
     * while {@code commit} returns as if it had. Flushed here, the error fails the write, and the batch is
     * rolled back and retried or its row isolated like any other refusal.
     */
    private static void flush(DuckDBAppender appender) throws SQLException {
        appender.flush();
    }

    private byte[] metadataUtf8(Row row) {
        metadataJson.setLength(0);
        row.metadata().appendJson(metadataJson);
        return utf8(metadataJson);
    }

    private static void appendValue(DuckDBAppender appender, ColumnType type, Object value) throws SQLException {
        if (value == null) {
            appender.appendNull();
            return;
        }
        switch (type) {
            case BIGINT -> appender.append((long) (Long) value);
            case DECIMAL -> appender.append((java.math.BigDecimal) value);
            case DOUBLE -> appender.append((double) (Double) value);
            case BOOLEAN -> appender.append((boolean) (Boolean) value);
            case VARCHAR, VARIANT -> appender.append((String) value);
            case TIMESTAMP -> appender.appendEpochMicros(epochMicros((Instant) value));
            case TIMESTAMP_LOCAL -> appender.append((LocalDateTime) value);
            case DATE -> appender.append((java.time.LocalDate) value);
            case TIME -> appender.append((java.time.LocalTime) value);
        }
    }

    /**
     * The text as UTF-8, in one array of its exact length: the Appender takes a VARCHAR's bytes as they are, where
     * a String would cost one copy to build and another that the Appender encodes.
     */
    private static byte[] utf8(CharSequence text) {
        int length = text.length();
        byte[] bytes = new byte[length];
        for (int i = 0; i < length; i++) {
            char ch = text.charAt(i);
            if (ch >= 0x80) {
                return text.toString().getBytes(StandardCharsets.UTF_8);
            }
            bytes[i] = (byte) ch;
        }
        return bytes;
    }

    /** The instant's microseconds since the epoch: exact, its value holds no finer digits (SchemaPolicy). */
    private static long epochMicros(Instant instant) {
        return Math.addExact(Math.multiplyExact(instant.getEpochSecond(), 1_000_000L), instant.getNano() / 1_000);
    }
}
