package dev.orderpipeline.bench;

import dev.orderpipeline.warehouse.Column;
import dev.orderpipeline.warehouse.PostgresSql;
import dev.orderpipeline.warehouse.PostgresWarehouse;
import dev.orderpipeline.warehouse.Row;
import dev.orderpipeline.config.SqlIdentifier;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.function.LongConsumer;
import java.util.stream.Collectors;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyIn;

/**
 * Ceiling B for PostgreSQL: {@code COPY … FROM STDIN} (text format) of the loader's rows, already in
 * memory, one COPY and one transaction per batch, into a logged table without a key. Encoding the
 * COPY text is timed (the loader pays it too); building the rows is not.
 */
final class PostgresCopyCeiling {
    private PostgresCopyCeiling() {
    }

    static Rate measure(Connection c, BenchRows source, long rows, int batch, LongConsumer progress) throws Exception {
        long nanos = 0;
        long done = 0;
        boolean created = false;
        PostgresSql sql = new PostgresSql(SqlIdentifier.of("CEILING"));
        while (done < rows) {
            List<Row> chunk = source.next((int) Math.min(batch, rows - done));
            List<Column> columns = source.columns();
            if (!created) {
                try (Statement s = c.createStatement()) {
                    s.execute("DROP TABLE IF EXISTS \"CEILING\"");
                    s.execute("CREATE TABLE \"CEILING\" (" + columns.stream()
                            .map(col -> col.name().quoted() + " " + sql.typeName(col.type())).collect(Collectors.joining(", "))
                            + ", \"RECORD_METADATA\" TEXT, \"_DELETED\" BOOLEAN)");
                }
                created = true;
            }
            String copySql = "COPY \"CEILING\" FROM STDIN";
            long started = System.nanoTime();
            CopyIn copy = c.unwrap(PGConnection.class).getCopyAPI().copyIn(copySql);
            ByteArrayOutputStream buffer = new ByteArrayOutputStream(1 << 17);
            StringBuilder line = new StringBuilder(256);
            for (Row row : chunk) {
                line.setLength(0);
                for (int i = 0; i < columns.size(); i++) {
                    PostgresWarehouse.appendValue(line, row.value(i));
                    line.append('\t');
                }
                PostgresWarehouse.appendValue(line, row.recordMetadataJson());
                line.append('\t').append(row.deleted() ? 't' : 'f').append('\n');
                byte[] bytes = line.toString().getBytes(StandardCharsets.UTF_8);
                buffer.write(bytes, 0, bytes.length);
                if (buffer.size() >= 1 << 16) {
                    copy.writeToCopy(buffer.toByteArray(), 0, buffer.size());
                    buffer.reset();
                }
            }
            if (buffer.size() > 0) {
                copy.writeToCopy(buffer.toByteArray(), 0, buffer.size());
            }
            copy.endCopy();
            nanos += System.nanoTime() - started;
            done += chunk.size();
            progress.accept(done);
        }
        return new Rate(done, 0, Duration.ofNanos(nanos));
    }
}
