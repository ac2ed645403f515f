package dev.orderpipeline.cdc;

import java.util.List;

/**
 * How a source maps onto its PostgreSQL target: the key columns (primary key) and the version
 * columns that order two versions of one row ((partition, offset) for a pipelineRef, the cursor
 * column in cursor mode, the staging sequence in stream mode). Names are PostgreSQL names.
 */
public record SourceShape(List<String> keyColumns, List<String> versionColumns, boolean auditVersions) {

    public SourceShape(List<String> keyColumns, List<String> versionColumns) {
        this(keyColumns, versionColumns, true);
    }

    /** The columns the drift audit hashes: the key, and the version where the source has the same one. */
    public List<String> auditColumns() {
        java.util.List<String> columns = new java.util.ArrayList<>(keyColumns);
        if (auditVersions) {
            columns.addAll(versionColumns);
        }
        return columns;
    }
}
