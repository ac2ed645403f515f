package dev.orderpipeline.warehouse;

/** A data column of the target table. */
public record Column(SqlIdentifier name, ColumnType type) {
}
