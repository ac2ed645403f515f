package dev.orderpipeline.config;

/** The armor lines of a PEM block (RFC 7468), built in one place for the checks and messages that name them. */
final class PemArmor {
    private static final String DASHES = "-----";

    private PemArmor() {
    }

    /** The line that opens a PEM block of this label. */
    static String header(String label) {
        return DASHES + "BEGIN " + label + DASHES;
    }
}
