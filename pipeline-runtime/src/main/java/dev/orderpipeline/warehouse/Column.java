package dev.orderpipeline.warehouse;

import dev.orderpipeline.config.SqlIdentifier;
import dev.orderpipeline.schema.ColumnType;

/** A data column of the target table. */
public record Column(SqlIdentifier name, ColumnType type) {
}
