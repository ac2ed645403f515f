package dev.orderpipeline.schema;

/** A JSON array (or any structure kept whole) as its text, loaded into a VARIANT column. */
public record JsonText(String json) {
}
