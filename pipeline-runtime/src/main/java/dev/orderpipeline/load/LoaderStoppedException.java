package dev.orderpipeline.load;

/** The loader cannot go on (a bad record with errorTolerance none, or a stop during an outage). */
public class LoaderStoppedException extends RuntimeException {
    public LoaderStoppedException(String message) {
        super(message);
    }
}
