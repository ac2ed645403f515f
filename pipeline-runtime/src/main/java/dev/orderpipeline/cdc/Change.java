package dev.orderpipeline.cdc;

/** One row to apply: values in the order of the page's columns; a delete only needs key and version. */
public record Change(Object[] values, boolean delete) {
}
