package dev.orderpipeline.warehouse;

/**
 * The stored offset of a partition is no longer the one this loader expected: another loader owns
 * the partition now (or a previous commit of this one succeeded unseen). The transaction rolled
 * back; the loader must re-read the stored offsets and resume from there.
 */
public class FencedException extends RuntimeException {
    public FencedException(String message) {
        super(message);
    }
}
