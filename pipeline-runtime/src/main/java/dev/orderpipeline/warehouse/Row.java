package dev.orderpipeline.warehouse;

/**
 * One record converted for the warehouse. {@code values} follows the column order of the batch's
 * {@link TableShape}; a row built before a column was added is shorter and reads as NULL there.
 */
public record Row(Object[] values, boolean deleted, RecordMetadata metadata, int partition, long offset) {

    public Row(Object[] values, boolean deleted, String recordMetadataJson, int partition, long offset) {
        this(values, deleted, RecordMetadata.ofJson(recordMetadataJson), partition, offset);
    }

    public Object value(int index) {
        return index < values.length ? values[index] : null;
    }

    public String recordMetadataJson() {
        return metadata.json();
    }
}
