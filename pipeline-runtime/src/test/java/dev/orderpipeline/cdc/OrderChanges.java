package dev.orderpipeline.cdc;

import dev.orderpipeline.verify.OrderState;
import dev.orderpipeline.warehouse.Batch;
import dev.orderpipeline.warehouse.Column;
import dev.orderpipeline.schema.ColumnType;
import dev.orderpipeline.warehouse.OffsetAdvance;
import dev.orderpipeline.warehouse.Row;
import dev.orderpipeline.config.SqlIdentifier;
import dev.orderpipeline.warehouse.Warehouse;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

/**
 * Order change events (inserts, updates, deletions) written into a loader's table through the
 * loader's own warehouse code ({@link Warehouse#write}: MERGE by ORDERID, offsets compare-and-set),
 * exactly as a loader commits a batch of Kafka records, with Kafka-shaped RECORD_METADATA. Keeps
 * the expected live state, so a test can compare without trusting either side.
 */
final class OrderChanges {
    static final List<Column> COLUMNS = List.of(
            new Column(SqlIdentifier.of("ORDERTIME"), ColumnType.BIGINT),
            new Column(SqlIdentifier.of("ORDERID"), ColumnType.BIGINT),
            new Column(SqlIdentifier.of("ITEMID"), ColumnType.VARCHAR),
            new Column(SqlIdentifier.of("ORDERUNITS"), ColumnType.DOUBLE),
            new Column(SqlIdentifier.of("ADDRESS_CITY"), ColumnType.VARCHAR),
            new Column(SqlIdentifier.of("ADDRESS_STATE"), ColumnType.VARCHAR),
            new Column(SqlIdentifier.of("ADDRESS_ZIPCODE"), ColumnType.BIGINT));
    static final String PIPELINE = "cdc-test";
    static final String TOPIC = "orders";
    static final int PARTITIONS = 4;

    private final Random random;
    private final Map<Long, OrderState> live = new HashMap<>();
    private final Map<Integer, Long> nextOffset = new HashMap<>();
    private long nextId = 1;
    long events;
    long deletes;

    /** Whether a tombstone row carries values in its number columns (see {@link #numbersInTombstones}). */
    private boolean numbersInTombstones;

    OrderChanges(long seed) {
        random = new Random(seed);
    }

    /**
     * Tombstone rows get zeros instead of NULLs in their number columns. fakesnow 0.12.1 cannot take a
     * NULL in an array-bound number column (its converter runs {@code int(None)} and answers HTTP 500
     * to every retry), which a batch with a tombstone is. The replicator reads only key and version
     * from a deleted row, so this changes nothing it is tested for.
     */
    OrderChanges numbersInTombstones() {
        numbersInTombstones = true;
        return this;
    }

    synchronized Map<Long, OrderState> live() {
        return Map.copyOf(live);
    }

    /** A date or time with microseconds (the temporal types' precision), some before 1970. */
    private Object temporal(ColumnType type) {
        long micros = (random.nextLong() % 4_000_000_000_000_000L); // within about 127 years of 1970
        java.time.Instant instant = java.time.Instant.EPOCH.plus(micros, java.time.temporal.ChronoUnit.MICROS);
        return switch (type) {
            case TIMESTAMP -> instant;
            case TIMESTAMP_LOCAL -> java.time.LocalDateTime.ofInstant(instant, java.time.ZoneOffset.UTC);
            case DATE -> java.time.LocalDate.ofInstant(instant, java.time.ZoneOffset.UTC);
            default -> java.time.LocalTime.ofInstant(instant, java.time.ZoneOffset.UTC);
        };
    }

    /** Writes one batch of {@code size} events for distinct orders; about 25% updates, 10% deletions. */
    synchronized void writeBatch(Warehouse warehouse, int size) throws SQLException {
        writeBatch(warehouse, size, List.of(), 0.25, 0.10);
    }

    synchronized void writeBatch(Warehouse warehouse, int size, List<Column> extra, double updates, double deletions)
            throws SQLException {
        if (nextOffset.isEmpty()) {
            warehouse.open();
            List<Integer> partitions = new ArrayList<>();
            for (int p = 0; p < PARTITIONS; p++) {
                partitions.add(p);
            }
            warehouse.storedOffsets(PIPELINE, TOPIC, partitions).forEach((p, o) -> {
                nextOffset.put(p, Math.max(0, o));
                stored.put(p, o);
            });
        }
        List<Column> columns = new ArrayList<>(COLUMNS);
        columns.addAll(extra);
        Set<Long> used = new HashSet<>();
        Map<Long, OrderState> after = new LinkedHashMap<>();
        List<Row> rows = new ArrayList<>();
        Map<Integer, Long> offsets = new HashMap<>(nextOffset);
        List<Long> existing = new ArrayList<>(live.keySet());
        long now = System.currentTimeMillis();
        for (int i = 0; i < size; i++) {
            double r = random.nextDouble();
            long id;
            boolean delete = false;
            if (r < deletions && !existing.isEmpty()) {
                id = existing.get(random.nextInt(existing.size()));
                delete = true;
            } else if (r < deletions + updates && !existing.isEmpty()) {
                id = existing.get(random.nextInt(existing.size()));
            } else {
                id = nextId++;
            }
            if (!used.add(id)) {
                continue;
            }
            int partition = (int) (id % PARTITIONS);
            long offset = offsets.get(partition);
            offsets.put(partition, offset + 1);
            String metadata = "{\"topic\":\"" + TOPIC + "\",\"partition\":" + partition + ",\"offset\":" + offset
                    + ",\"timestamp\":" + now + ",\"key\":\"" + id + "\",\"headers\":{}}";
            if (delete) {
                Object[] values = new Object[columns.size()];
                values[1] = id;
                if (numbersInTombstones) {
                    values[0] = now;
                    values[3] = 0.0;
                    values[6] = 0L;
                    for (int e = 0; e < extra.size(); e++) {
                        values[COLUMNS.size() + e] = extra.get(e).type() == ColumnType.BIGINT ? (Object) 0L : null;
                    }
                }
                rows.add(new Row(values, true, metadata, partition, offset));
                after.put(id, null);
            } else {
                OrderState o = new OrderState(id, "Item_" + random.nextInt(1000), Math.round(random.nextDouble() * 1000) / 100.0,
                        "City_" + random.nextInt(50), "State_" + random.nextInt(20), 10000 + random.nextInt(90000));
                Object[] values = new Object[columns.size()];
                values[0] = now;
                values[1] = id;
                values[2] = o.itemid();
                values[3] = o.orderunits();
                values[4] = o.city();
                values[5] = o.state();
                values[6] = o.zipcode();
                for (int e = 0; e < extra.size(); e++) {
                    ColumnType type = extra.get(e).type();
                    values[COLUMNS.size() + e] = type == ColumnType.BIGINT ? (Object) (long) random.nextInt(100)
                            : type == ColumnType.DECIMAL ? (Object) new java.math.BigDecimal(random.nextInt(100) + ".123456789012345678")
                            : type.isTemporal() ? temporal(type)
                            : "X" + random.nextInt(100);
                }
                rows.add(new Row(values, false, metadata, partition, offset));
                after.put(id, o);
            }
        }
        Map<Integer, OffsetAdvance> advance = new HashMap<>();
        offsets.forEach((p, next) -> {
            if (!next.equals(nextOffset.get(p))) {
                advance.put(p, new OffsetAdvance(stored.get(p), next));
            }
        });
        warehouse.write(new Batch(PIPELINE, TOPIC, columns, List.of(SqlIdentifier.of("ORDERID")), rows, advance, now));
        nextOffset.putAll(offsets);
        advance.forEach((p, a) -> stored.put(p, a.next()));
        after.forEach((id, o) -> {
            if (o == null) {
                live.remove(id);
                deletes++;
            } else {
                live.put(id, o);
            }
            events++;
        });
    }

    private final Map<Integer, Long> stored = new HashMap<>();

    /** The live orders in a PostgreSQL target. */
    static Map<Long, OrderState> postgresLive(Connection c, String table) throws SQLException {
        Map<Long, OrderState> rows = new HashMap<>();
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT orderid, itemid, orderunits, "
                + "address_city, address_state, address_zipcode FROM " + table)) {
            while (rs.next()) {
                rows.put(rs.getLong(1), new OrderState(rs.getLong(1), rs.getString(2), rs.getDouble(3), rs.getString(4),
                        rs.getString(5), rs.getLong(6)));
            }
        }
        return rows;
    }

    /** orderid → "partition:offset" of the live rows of a loader's table or of the PostgreSQL target. */
    static Map<Long, String> versions(Connection c, String sql) throws SQLException {
        Map<Long, String> versions = new HashMap<>();
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            while (rs.next()) {
                versions.put(rs.getLong(1), rs.getLong(2) + ":" + rs.getLong(3));
            }
        }
        return versions;
    }
}
