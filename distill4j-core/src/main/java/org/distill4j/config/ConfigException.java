package org.distill4j.config;

/** A configuration value that is unknown, missing or out of range; the message names the key and what is allowed. */
public final class ConfigException extends IllegalArgumentException {
    public ConfigException(String message) {
        super(message);
    }

    public static void require(boolean ok, String key, Object value, String allowed) {
        if (!ok) {
            throw new ConfigException("invalid value for '" + key + "': " + value + " (allowed: " + allowed + ")");
        }
    }
}
