package dev.orderpipeline.embedded;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/** The working directories that benches and tests make for their brokers, databases and pods. */
public final class Directories {
    private Directories() {
    }

    /**
     * Deletes {@code dir} and everything under it, deepest first, as far as it can: a file that will not go stays,
     * and the answer says so.
     *
     * @return whether nothing is left
     * @throws IOException when the tree cannot be walked
     */
    public static boolean delete(Path dir) throws IOException {
        boolean all = true;
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
                all &= file.toFile().delete();
            }
        }
        return all;
    }
}
