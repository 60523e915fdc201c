package dev.aegis.afs.core.config;

/**
 * A configuration that cannot be used. The message starts with {@code file:line:column} and
 * ends with the fix, e.g. {@code namespaces.yaml:12:7: unknown key 'bakend'; expected one of
 * backend, path, window}.
 */
public class ConfigException extends RuntimeException {

    public ConfigException(String message) {
        super(message);
    }

    public ConfigException(String message, Throwable cause) {
        super(message, cause);
    }
}
