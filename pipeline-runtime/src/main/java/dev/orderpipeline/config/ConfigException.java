package dev.orderpipeline.config;

/** A setting is missing or invalid; the message names the variable and how to fix it. */
public class ConfigException extends RuntimeException {
    public ConfigException(String message) {
        super(message);
    }

    public static ConfigException missing(Setting setting, String why) {
        return new ConfigException(setting.envName() + " is required" + (why.isEmpty() ? "" : " " + why)
                + ": set it (or " + setting.fileEnvName() + " to a file holding it). " + setting.description());
    }

    public static ConfigException invalid(Setting setting, String value, String expected) {
        String shown = setting.secret() ? "<redacted>" : "'" + value + "'";
        return new ConfigException(setting.envName() + "=" + shown + " is invalid: expected " + expected + ".");
    }

    /** A value that is there but cannot be used (a key that does not read): what is wrong and the fix, never the value. */
    public static ConfigException unusable(Setting setting, String problem, String fix) {
        return new ConfigException(setting.envName() + " (or " + setting.fileEnvName() + ") " + problem + ": " + fix + ".");
    }
}
