package dev.aegis.afs.agent;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.aegis.afs.intent.KeyFile;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Iterator;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * agent.yaml. Relative paths are resolved against the file's directory.
 *
 * <pre>
 * cluster: prod-eu                          # the aud of every intent this agent accepts
 * control_plane: https://afs.example:7780   # polled; the agent opens no port of its own
 * agent_key: agent.key                      # Ed25519, created 0600 on first start
 * root_public_key: 3q2-7w...                # pinned at install: afs keys init-root prints it
 * policy: policy.yaml                       # local CEL policy, default deny
 * data_dir: /var/lib/afs-agent              # replay cache, execution journal, status.json
 * status_listen: 127.0.0.1:9477             # optional, loopback only: /status and /metrics
 * poll: {idle: 5s, busy: 1s, max_backoff: 60s}
 * verify_timeout: 120s                      # how long the pods get to become ready
 * clock_skew: 5s
 * kubernetes: {kubeconfig: /path, context: prod}   # default: the in-cluster ServiceAccount
 * </pre>
 */
public record AgentConfig(String cluster, URI controlPlane, Path agentKey, String rootPublicKey, Path policy, Path dataDir,
                          Optional<InetSocketAddress> statusListen, Duration pollIdle, Duration pollBusy,
                          Duration maxBackoff, Duration verifyTimeout, Duration clockSkew, Optional<Path> kubeconfig,
                          Optional<String> kubeContext, Optional<String> masterUrl) {

    private static final Set<String> KEYS = Set.of("cluster", "control_plane", "agent_key", "root_public_key", "policy",
            "data_dir", "status_listen", "poll", "verify_timeout", "clock_skew", "kubernetes");
    private static final Pattern DURATION = Pattern.compile("(\\d+)(ms|s|m|h)");

    public AgentConfig {
        requireNonNull(cluster, "cluster is null");
        requireNonNull(controlPlane, "controlPlane is null");
        requireNonNull(agentKey, "agentKey is null");
        requireNonNull(rootPublicKey, "rootPublicKey is null");
        requireNonNull(policy, "policy is null");
        requireNonNull(dataDir, "dataDir is null");
        requireNonNull(statusListen, "statusListen is null");
        requireNonNull(pollIdle, "pollIdle is null");
        requireNonNull(pollBusy, "pollBusy is null");
        requireNonNull(maxBackoff, "maxBackoff is null");
        requireNonNull(verifyTimeout, "verifyTimeout is null");
        requireNonNull(clockSkew, "clockSkew is null");
        requireNonNull(kubeconfig, "kubeconfig is null");
        requireNonNull(kubeContext, "kubeContext is null");
        requireNonNull(masterUrl, "masterUrl is null");
    }

    /** A mistake in agent.yaml, naming the file, the key and the fix. */
    public static final class Invalid extends IOException {
        Invalid(Path file, String message) {
            super(file + ": " + message);
        }
    }

    public static AgentConfig read(Path file) throws IOException {
        JsonNode root;
        try {
            root = new ObjectMapper(new YAMLFactory()).readTree(file.toFile());
        } catch (IOException e) {
            throw new Invalid(file, "not readable YAML (" + e.getMessage().lines().findFirst().orElse("") + ")");
        }
        if (root == null || !root.isObject()) {
            throw new Invalid(file, "must be a YAML map with cluster, control_plane, root_public_key, policy and data_dir");
        }
        for (Iterator<String> it = root.fieldNames(); it.hasNext(); ) {
            String k = it.next();
            if (!KEYS.contains(k)) {
                throw new Invalid(file, "unknown key '" + k + "'; the keys are " + String.join(", ", KEYS.stream().sorted().toList()));
            }
        }
        Path base = file.toAbsolutePath().getParent();
        String cluster = required(file, root, "cluster");
        if (!cluster.matches("[a-z0-9]([-a-z0-9.]*[a-z0-9])?")) {
            throw new Invalid(file, "cluster '" + cluster + "' must be a DNS-style name (lower case letters, digits, '-', '.')");
        }
        URI cp;
        try {
            cp = URI.create(required(file, root, "control_plane"));
        } catch (IllegalArgumentException e) {
            throw new Invalid(file, "control_plane is not a URL: " + e.getMessage());
        }
        if (!"https".equals(cp.getScheme()) && !("http".equals(cp.getScheme()) && loopback(cp.getHost()))) {
            throw new Invalid(file, "control_plane must be https:// (plain http only to 127.0.0.1 or localhost), not " + cp);
        }
        String rootKey = required(file, root, "root_public_key");
        try {
            KeyFile.publicKey(rootKey);
        } catch (IllegalArgumentException e) {
            throw new Invalid(file, "root_public_key: " + e.getMessage());
        }
        JsonNode poll = root.path("poll");
        JsonNode k8s = root.path("kubernetes");
        return new AgentConfig(cluster, cp,
                base.resolve(optional(root, "agent_key").orElse("agent.key")),
                rootKey,
                base.resolve(required(file, root, "policy")),
                base.resolve(required(file, root, "data_dir")),
                statusListen(file, optional(root, "status_listen")),
                duration(file, "poll.idle", optional(poll, "idle").orElse("5s")),
                duration(file, "poll.busy", optional(poll, "busy").orElse("1s")),
                duration(file, "poll.max_backoff", optional(poll, "max_backoff").orElse("60s")),
                duration(file, "verify_timeout", optional(root, "verify_timeout").orElse("120s")),
                duration(file, "clock_skew", optional(root, "clock_skew").orElse("5s")),
                optional(k8s, "kubeconfig").map(base::resolve), optional(k8s, "context"), optional(k8s, "master_url"));
    }

    private static String required(Path file, JsonNode n, String key) throws Invalid {
        return optional(n, key).orElseThrow(() -> new Invalid(file, "'" + key + "' is missing; see afs agent --help"));
    }

    private static Optional<String> optional(JsonNode n, String key) {
        JsonNode v = n.get(key);
        return v == null || v.isNull() || v.asText().isBlank() ? Optional.empty() : Optional.of(v.asText().trim());
    }

    static Duration duration(Path file, String key, String text) throws Invalid {
        Matcher m = DURATION.matcher(text);
        if (!m.matches() || Long.parseLong(m.group(1)) == 0) {
            throw new Invalid(file, key + " '" + text + "' is not a positive duration; write e.g. 500ms, 5s, 2m or 1h");
        }
        long n = Long.parseLong(m.group(1));
        return switch (m.group(2)) {
            case "ms" -> Duration.ofMillis(n);
            case "s" -> Duration.ofSeconds(n);
            case "m" -> Duration.ofMinutes(n);
            default -> Duration.ofHours(n);
        };
    }

    private static Optional<InetSocketAddress> statusListen(Path file, Optional<String> text) throws Invalid {
        if (text.isEmpty()) {
            return Optional.empty();
        }
        String s = text.get();
        int colon = s.lastIndexOf(':');
        try {
            InetAddress host = InetAddress.getByName(s.substring(0, colon));
            int port = Integer.parseInt(s.substring(colon + 1));
            if (!host.isLoopbackAddress()) {
                throw new Invalid(file, "status_listen " + s + " is not a loopback address; the agent opens no port"
                        + " beyond loopback (use 127.0.0.1:PORT)");
            }
            return Optional.of(new InetSocketAddress(host, port));
        } catch (UnknownHostException | NumberFormatException | StringIndexOutOfBoundsException e) {
            throw new Invalid(file, "status_listen '" + s + "' is not HOST:PORT; write e.g. 127.0.0.1:9477");
        }
    }

    private static boolean loopback(String host) {
        return "127.0.0.1".equals(host) || "localhost".equals(host) || "[::1]".equals(host);
    }

    /** The status file and the journal live here. */
    public Path file(String name) {
        return dataDir.resolve(name);
    }

    static void ensureDataDir(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            Files.createDirectories(dir, java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
                    java.nio.file.attribute.PosixFilePermissions.fromString("rwx------")));
        }
    }
}
