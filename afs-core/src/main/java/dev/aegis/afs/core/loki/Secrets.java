package dev.aegis.afs.core.loki;

import dev.aegis.afs.core.config.ConfigNode;
import dev.aegis.afs.core.source.BackendContext;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Optional;

/** Reads the credentials a Loki backend names (a file or an environment variable), never echoing them. */
final class Secrets {

    private Secrets() {
    }

    /** An {@code Authorization} header value and the secrets in it, to remove from messages. */
    record Auth(String header, List<String> secrets) {
        @Override
        public String toString() {
            return "Auth[***]";
        }
    }

    static Optional<Auth> authorization(ConfigNode options, BackendContext context) {
        boolean bearer = has(options, "bearer_token_file") || has(options, "bearer_token_env");
        boolean basic = has(options, "username") || has(options, "password_file") || has(options, "password_env");
        if (bearer && basic) {
            throw options.error("both a bearer token and a username/password are set; keep one way to authenticate");
        }
        if (bearer) {
            String token = secret(options, "bearer_token", context);
            return Optional.of(new Auth("Bearer " + token, List.of(token)));
        }
        if (basic) {
            String user = options.require("username").asString();
            String password = secret(options, "password", context);
            String pair = user + ":" + password;
            String encoded = Base64.getEncoder().encodeToString(pair.getBytes(StandardCharsets.UTF_8));
            return Optional.of(new Auth("Basic " + encoded, List.of(encoded, password)));
        }
        return Optional.empty();
    }

    private static boolean has(ConfigNode options, String key) {
        return options.get(key).isPresent();
    }

    /** The value named by {@code <prefix>_file} or {@code <prefix>_env}, exactly one of which must be set. */
    private static String secret(ConfigNode options, String prefix, BackendContext context) {
        Optional<ConfigNode> file = options.get(prefix + "_file");
        Optional<ConfigNode> env = options.get(prefix + "_env");
        if (file.isPresent() == env.isPresent()) {
            throw options.error("set exactly one of " + prefix + "_file and " + prefix + "_env");
        }
        String value;
        if (file.isPresent()) {
            Path path = context.configDir().resolve(file.get().asString());
            try {
                value = Files.readString(path, StandardCharsets.UTF_8).strip();
            } catch (IOException e) {
                throw file.get().error("cannot read " + prefix + "_file " + path + " (" + e.getClass().getSimpleName()
                        + "); check the path (relative paths are resolved against the config file's directory)");
            }
        } else {
            String variable = env.get().asString();
            value = context.environment().apply(variable);
            if (value == null || value.isBlank()) {
                throw env.get().error("environment variable " + variable + " is not set; export it before mounting");
            }
            value = value.strip();
        }
        if (value.isEmpty()) {
            throw options.error(prefix + " is empty; put the secret in the file or variable named here");
        }
        return value;
    }
}
