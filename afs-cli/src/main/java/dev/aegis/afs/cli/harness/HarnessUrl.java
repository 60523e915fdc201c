package dev.aegis.afs.cli.harness;

import dev.aegis.afs.core.harness.HarnessClient;
import java.net.URI;
import java.time.Duration;
import picocli.CommandLine.Option;

/** {@code --harness-url URL}: where {@code afs harness} listens; default $AFS_HARNESS_URL, else http://127.0.0.1:7780. */
public final class HarnessUrl {

    public static final String DEFAULT = "http://127.0.0.1:7780";

    @Option(names = "--harness-url", paramLabel = "URL",
            description = "the harness API (default: $AFS_HARNESS_URL, else " + DEFAULT + ")")
    String url;

    URI uri() {
        if (url != null) {
            return URI.create(url);
        }
        String env = System.getenv("AFS_HARNESS_URL");
        return URI.create(env != null && !env.isBlank() ? env : DEFAULT);
    }

    public static final String DEFAULT_TOKEN_FILE = "/var/lib/afs/harness/client.token";

    @Option(names = "--harness-token-file", paramLabel = "FILE",
            description = "the harness' client.token, which attests your uid (default: $AFS_HARNESS_TOKEN_FILE, else "
                    + DEFAULT_TOKEN_FILE + "); users who cannot read it approve through the mount")
    String tokenFile;

    java.nio.file.Path tokenPath() {
        if (tokenFile != null) {
            return java.nio.file.Path.of(tokenFile);
        }
        String env = System.getenv("AFS_HARNESS_TOKEN_FILE");
        return java.nio.file.Path.of(env != null && !env.isBlank() ? env : DEFAULT_TOKEN_FILE);
    }

    public HarnessClient client() {
        return new HarnessClient(uri(), Duration.ofSeconds(30), java.util.Optional.of(tokenPath()));
    }
}
