package dev.aegis.afs.core.prometheus;

import dev.aegis.afs.core.AfsError;
import dev.aegis.afs.core.AfsException;
import dev.aegis.afs.core.config.ConfigNode;
import dev.aegis.afs.core.source.BackendContext;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * The Authorization header of a backend: a bearer token ({@code bearer_token_file} or
 * {@code bearer_token_env}) or basic auth ({@code username} with {@code password_file} or
 * {@code password_env}). Files are read on every request, so a rotated token is picked up.
 * Secrets never appear in messages: only the file path or variable name does.
 */
public final class Credentials {

    /** One secret: where it comes from, and how to read it. */
    private record Secret(String key, Path file, String variable, BackendContext context) {
        String read() throws AfsException {
            if (file != null) {
                try {
                    return Files.readString(file, StandardCharsets.UTF_8).strip();
                } catch (IOException e) {
                    throw new AfsException(AfsError.BACKEND_FAILURE, "cannot read " + key + " " + file + " ("
                            + e.getClass().getSimpleName() + "); make the file readable or fix the path", e);
                }
            }
            String value = context.environment().apply(variable);
            if (value == null || value.isBlank()) {
                throw new AfsException(AfsError.BACKEND_FAILURE, "environment variable " + variable + " (" + key
                        + ") is not set; export it before starting afs");
            }
            return value.strip();
        }
    }

    static final Credentials NONE = new Credentials(null, null);

    private final String username;
    private final Secret secret;

    private Credentials(String username, Secret secret) {
        this.username = username;
        this.secret = secret;
    }

    public static Credentials from(ConfigNode options, BackendContext context) {
        Optional<Secret> token = secret(options, "bearer_token", context);
        Optional<Secret> password = secret(options, "password", context);
        Optional<String> username = options.optString("username");
        if (token.isPresent() && (username.isPresent() || password.isPresent())) {
            throw options.error("both a bearer token and username/password are set; keep one way to authenticate");
        }
        if (username.isPresent() != password.isPresent()) {
            throw options.error(username.isPresent()
                    ? "username is set without a password; add password_file or password_env"
                    : "a password is set without username; add username");
        }
        if (token.isPresent()) {
            return new Credentials(null, token.get());
        }
        return password.map(p -> new Credentials(username.get(), p)).orElse(NONE);
    }

    private static Optional<Secret> secret(ConfigNode options, String prefix, BackendContext context) {
        Optional<ConfigNode> file = options.get(prefix + "_file");
        Optional<ConfigNode> env = options.get(prefix + "_env");
        if (file.isPresent() && env.isPresent()) {
            throw env.get().error("both " + prefix + "_file and " + prefix + "_env are set; keep one");
        }
        if (file.isPresent()) {
            Path path = context.configDir().resolve(file.get().asString()).normalize();
            if (!Files.isReadable(path)) {
                throw file.get().error(prefix + "_file " + path + " is not a readable file; fix the path"
                        + " (relative paths resolve against the config file's directory)");
            }
            return Optional.of(new Secret(prefix + "_file", path, null, context));
        }
        if (env.isPresent()) {
            String variable = env.get().asString();
            String value = context.environment().apply(variable);
            if (value == null || value.isBlank()) {
                throw env.get().error("environment variable " + variable + " is not set; export it or use "
                        + prefix + "_file");
            }
            return Optional.of(new Secret(prefix + "_env", null, variable, context));
        }
        return Optional.empty();
    }

    /** An Authorization header and the secret in it, so messages can blank both out. */
    public record Authorization(String header, String secret) {
        /** {@code text} with the header and the secret replaced, in case a server echoes them. */
        public String redact(String text) {
            String out = text.replace(header, "<redacted>");
            String encoded = header.substring(header.indexOf(' ') + 1);
            out = out.replace(encoded, "<redacted>");
            return secret.length() >= 4 ? out.replace(secret, "<redacted>") : out;
        }
    }

    /** The Authorization header, empty when no credentials are configured. */
    public Optional<Authorization> authorization() throws AfsException {
        if (secret == null) {
            return Optional.empty();
        }
        String value = secret.read();
        if (username == null) {
            return Optional.of(new Authorization("Bearer " + value, value));
        }
        return Optional.of(new Authorization(
                okhttp3.Credentials.basic(Objects.requireNonNull(username), value, StandardCharsets.UTF_8), value));
    }

    @Override
    public String toString() {
        return secret == null ? "none" : username == null ? "bearer (" + secret.key() + ")" : "basic (" + username + ")";
    }
}
