package dev.orderpipeline.operator.dependent;

import dev.orderpipeline.operator.api.SecretKeyReference;

/**
 * One Secret key a workload reads: the spec field that names it (for errors), the Secret key, and how the
 * container receives it: as an environment variable ({@code file} null), or as a read-only file whose path
 * is given in {@code variable} (when not null), for certificates, keys and whole config files.
 */
public record SecretUse(String field, SecretKeyReference reference, String variable, SecretFile file) {
    /** Directory under which every Secret file of a pod is mounted, one volume per key. */
    public static final String SECRETS_DIR = "/var/run/secrets/orderpipeline";

    public static SecretUse env(String field, SecretKeyReference reference, String variable) {
        return new SecretUse(field, reference, variable, null);
    }

    public static SecretUse file(String field, SecretKeyReference reference, String variable, String volume,
                                 String fileName) {
        return new SecretUse(field, reference, variable, new SecretFile(volume, fileName));
    }

    public boolean asFile() {
        return file != null;
    }

    /** A Secret key as one file, {@code <SECRETS_DIR>/<volume>/<fileName>}. */
    public record SecretFile(String volume, String fileName) {
        public String directory() {
            return SECRETS_DIR + "/" + volume;
        }

        public String path() {
            return directory() + "/" + fileName;
        }
    }
}
