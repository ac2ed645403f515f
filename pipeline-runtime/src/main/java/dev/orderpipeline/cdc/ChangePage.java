package dev.orderpipeline.cdc;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/**
 * What one read of the source returned: the target columns (data columns, then the version and
 * bookkeeping columns), the changes in that column order, the watermark once they are applied, and
 * whether the source has more right now (a full page: read again without waiting).
 *
 * @param oldestChangeMillis epoch millis of the oldest change's warehouse commit, when the source knows it (lag)
 * @param oldestProducedMillis epoch millis of the oldest change's production (Kafka timestamp), when known
 */
public record ChangePage(List<CdcColumn> columns, List<Change> changes, JsonNode watermark, boolean more,
                         Long oldestChangeMillis, Long oldestProducedMillis) {
}
