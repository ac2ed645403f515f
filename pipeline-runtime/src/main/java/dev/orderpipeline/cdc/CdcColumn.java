package dev.orderpipeline.cdc;

/** A column of the PostgreSQL target: its lower-case name and type. */
public record CdcColumn(String name, CdcType type) {
    public CdcColumn {
        PgNames.quote(name);
    }

    public String quoted() {
        return PgNames.quote(name);
    }
}
