package dev.aegis.afs.core.config;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * namespaces.yaml, checked: the one place that reads it. Top-level structure is validated
 * here; each backend type, env section and the harness validate their own sections.
 *
 * @param file       the file read
 * @param root       the whole document, with positions
 * @param evidence   where snapshots go and how long they stay
 * @param harnessUrl where the FUSE daemon forwards change requests
 * @param harnessTokenFile the harness' client.token, which attests the uids the daemon forwards
 * @param skillsDir  the directory shown at /context/skills
 * @param backends   backend sections by name
 * @param teams      team -> env -> env section
 * @param limits     per-read time budget and evidence quotas
 */
public record Namespaces(Path file, ConfigNode root, Evidence evidence, Optional<String> harnessUrl,
                         Path harnessTokenFile, Path skillsDir, Map<String, ConfigNode> backends,
                         Map<String, Map<String, ConfigNode>> teams, Limits limits) {

    /** Keys allowed at the top of the file. */
    public static final Set<String> TOP_KEYS = Set.of("evidence", "harness", "skills", "backends", "teams", "metrics",
            "agents", "tokens", "limits", "plain_tools");

    /** One quota: snapshots and bytes per sliding hour (0 = unlimited). */
    public record Quota(long snapshotsPerHour, long bytesPerHour) {
    }

    /**
     * {@code limits: {read_time: 30s, per_caller: {snapshots_per_hour, bytes_per_hour}, per_env: {...}}}.
     *
     * @param readTime  how long one live read may run before it is stopped (ETIMEDOUT)
     * @param perCaller evidence a uid may create per hour (EDQUOT beyond)
     * @param perEnv    evidence a team/env may hold created per hour (EDQUOT beyond)
     */
    public record Limits(Duration readTime, Quota perCaller, Quota perEnv) {
        public static final Duration DEFAULT_READ_TIME = Duration.ofSeconds(30);
        public static final Quota DEFAULT_PER_CALLER = new Quota(1000, 1L << 30);
        public static final Quota DEFAULT_PER_ENV = new Quota(5000, 4L << 30);
        public static final Limits DEFAULT = new Limits(DEFAULT_READ_TIME, DEFAULT_PER_CALLER, DEFAULT_PER_ENV);
    }

    /** Keys of an env besides its source sections: read by the access lists and the harness. */
    public static final Set<String> ENV_SETTINGS = Set.of("access", "changes", "redact", "incidents");

    private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9_.-]{0,62}");

    /**
     * Evidence settings: {@code evidence: {dir, retention, max_snapshot_bytes, sweep_interval, store}};
     * {@code store} is where evidence must be durable before a read is served (see {@link EvidenceStoreConfig}).
     */
    public record Evidence(Path dir, Duration retention, long maxSnapshotBytes, Duration sweepInterval,
                           dev.aegis.afs.evidence.store.StoreSpec store) {
        public Evidence(Path dir, Duration retention, long maxSnapshotBytes, Duration sweepInterval) {
            this(dir, retention, maxSnapshotBytes, sweepInterval, dev.aegis.afs.evidence.store.StoreSpec.dir(dir));
        }

        public static final Duration DEFAULT_RETENTION = Duration.ofHours(72);
        public static final long DEFAULT_MAX_SNAPSHOT_BYTES = 4L << 30;
        /** How often the mount's retention sweep runs. */
        public static final Duration DEFAULT_SWEEP_INTERVAL = Duration.ofMinutes(10);
    }

    public Namespaces {
        Objects.requireNonNull(file, "file is null");
        Objects.requireNonNull(root, "root is null");
        Objects.requireNonNull(evidence, "evidence is null");
        Objects.requireNonNull(harnessUrl, "harnessUrl is null");
        Objects.requireNonNull(harnessTokenFile, "harnessTokenFile is null");
        Objects.requireNonNull(skillsDir, "skillsDir is null");
        Objects.requireNonNull(limits, "limits is null");
        backends = Map.copyOf(backends);
        teams = Map.copyOf(teams);
    }

    /** The directory relative paths in the file resolve against. */
    public Path configDir() {
        Path parent = file.toAbsolutePath().getParent();
        return parent == null ? Path.of("/") : parent;
    }

    /**
     * Reads and checks the structure of {@code file}.
     *
     * @param envSectionKeys the source sections an env may have (logs, runbooks, metrics, k8s)
     * @throws ConfigException with file:line:column and the fix
     */
    public static Namespaces load(Path file, Set<String> envSectionKeys) {
        ConfigNode root = ConfigReader.read(file);
        if (!root.isMap()) {
            throw root.error("namespaces.yaml must be a map with the keys " + String.join(", ", TOP_KEYS));
        }
        root.allowOnly(TOP_KEYS);
        Path dir = file.toAbsolutePath().getParent();

        Evidence evidence = evidence(root.get("evidence"), dir);
        Optional<String> harness = root.get("harness").map(h -> {
            h.allowOnly(Set.of("url", "token_file"));
            String url = h.string("url");
            if (!url.startsWith("http://") && !url.startsWith("https://")) {
                throw h.require("url").error("'" + url + "' is not an http(s) URL; write e.g. http://127.0.0.1:7780");
            }
            return url;
        });
        Path token = dir.resolve(root.get("harness").flatMap(h -> h.optString("token_file"))
                .orElse("/var/lib/afs/harness/client.token")).normalize();
        metricsListen(root); // checked now, with its position, rather than when the daemon starts
        Path skills = dir.resolve(root.optString("skills").orElse("skills")).normalize();
        plainToolsPushdown(root);

        Map<String, ConfigNode> backends = new LinkedHashMap<>();
        root.get("backends").ifPresent(b -> b.entries().forEach((name, section) -> {
            checkName(section, "backend", name);
            if (!section.isMap()) {
                throw section.error("backend '" + name + "' must be a map with at least 'type:'");
            }
            backends.put(name, section);
        }));

        ConfigNode teamsNode = root.require("teams");
        if (!teamsNode.isMap() || teamsNode.keys().isEmpty()) {
            throw teamsNode.error("'teams' must map each team to its envs, e.g. teams: {payments: {prod: {logs: ...}}}");
        }
        Set<String> envKeys = new java.util.HashSet<>(envSectionKeys);
        envKeys.addAll(ENV_SETTINGS);
        Map<String, Map<String, ConfigNode>> teams = new LinkedHashMap<>();
        teamsNode.entries().forEach((team, envsNode) -> {
            checkName(envsNode, "team", team);
            if (!envsNode.isMap() || envsNode.keys().isEmpty()) {
                throw envsNode.error("team '" + team + "' must map each env to its sources, e.g. prod: {logs: ...}");
            }
            Map<String, ConfigNode> envs = new LinkedHashMap<>();
            envsNode.entries().forEach((env, envNode) -> {
                checkName(envNode, "env", env);
                if (!envNode.isMap()) {
                    throw envNode.error("env '" + team + "/" + env + "' must be a map of sources (" 
                            + String.join(", ", new java.util.TreeSet<>(envSectionKeys)) + ")");
                }
                envNode.allowOnly(envKeys);
                envs.put(env, envNode);
            });
            teams.put(team, envs);
        });
        return new Namespaces(file, root, evidence, harness, token, skills, backends, teams, limits(root.get("limits")));
    }

    private static Limits limits(Optional<ConfigNode> node) {
        if (node.isEmpty()) {
            return Limits.DEFAULT;
        }
        ConfigNode l = node.get().allowOnly(Set.of("read_time", "per_caller", "per_env"));
        Duration readTime = l.get("read_time").map(ConfigNode::asDuration).orElse(Limits.DEFAULT_READ_TIME);
        if (readTime.isZero()) {
            throw l.require("read_time").error("read_time must be longer than 0; write e.g. 30s");
        }
        return new Limits(readTime, quota(l.get("per_caller"), Limits.DEFAULT_PER_CALLER),
                quota(l.get("per_env"), Limits.DEFAULT_PER_ENV));
    }

    private static Quota quota(Optional<ConfigNode> node, Quota defaults) {
        if (node.isEmpty()) {
            return defaults;
        }
        ConfigNode q = node.get().allowOnly(Set.of("snapshots_per_hour", "bytes_per_hour"));
        return new Quota(q.get("snapshots_per_hour").map(n -> n.asLong(0, Long.MAX_VALUE)).orElse(defaults.snapshotsPerHour()),
                q.get("bytes_per_hour").map(n -> n.asLong(0, Long.MAX_VALUE)).orElse(defaults.bytesPerHour()));
    }

    /**
     * {@code metrics: {listen: 127.0.0.1:9464}}: where the mount daemon serves Prometheus metrics;
     * empty when the section is absent (nothing is served).
     */
    public Optional<InetSocketAddress> metricsListen() {
        return metricsListen(root);
    }

    private static Optional<InetSocketAddress> metricsListen(ConfigNode root) {
        return root.get("metrics").map(m -> {
            m.allowOnly(Set.of("listen"));
            ConfigNode listen = m.require("listen");
            String text = listen.asString();
            int colon = text.lastIndexOf(':');
            String host = colon > 0 ? text.substring(0, colon) : "";
            int port;
            try {
                port = Integer.parseInt(text.substring(colon + 1));
            } catch (NumberFormatException e) {
                port = -1;
            }
            if (host.isEmpty() || port < 1 || port > 65535) {
                throw listen.error("'" + text + "' is not host:port; write e.g. 127.0.0.1:9464 (loopback: only a local"
                        + " Prometheus or agent scrapes it)");
            }
            return new InetSocketAddress(host.replaceAll("^\\[|\\]$", ""), port);
        });
    }

    /**
     * {@code plain_tools: {pushdown: false}} turns off the pushdown of plain grep/tail/head run on
     * this mount (default on).
     */
    public boolean plainToolsPushdown() {
        return plainToolsPushdown(root);
    }

    private static boolean plainToolsPushdown(ConfigNode root) {
        return root.get("plain_tools").map(n -> {
            if (!n.isMap()) {
                throw n.error("plain_tools must be a map like {pushdown: true}");
            }
            n.allowOnly(Set.of("pushdown"));
            return n.get("pushdown").map(ConfigNode::asBoolean).orElse(true);
        }).orElse(true);
    }

    private static Evidence evidence(Optional<ConfigNode> node, Path dir) {
        if (node.isEmpty()) {
            return new Evidence(Path.of("/var/lib/afs/evidence"), Evidence.DEFAULT_RETENTION,
                    Evidence.DEFAULT_MAX_SNAPSHOT_BYTES, Evidence.DEFAULT_SWEEP_INTERVAL);
        }
        ConfigNode e = node.get().allowOnly(Set.of("dir", "retention", "max_snapshot_bytes", "sweep_interval", "store"));
        Path evidenceDir = dir.resolve(e.optString("dir").orElse("/var/lib/afs/evidence")).normalize();
        Duration retention = e.get("retention").map(ConfigNode::asDuration).orElse(Evidence.DEFAULT_RETENTION);
        if (retention.isZero()) {
            throw e.require("retention").error("retention must be longer than 0; write e.g. 72h");
        }
        long max = e.get("max_snapshot_bytes").map(n -> n.asLong(1, Long.MAX_VALUE))
                .orElse(Evidence.DEFAULT_MAX_SNAPSHOT_BYTES);
        Duration sweep = e.get("sweep_interval").map(ConfigNode::asDuration).orElse(Evidence.DEFAULT_SWEEP_INTERVAL);
        if (sweep.isZero()) {
            throw e.require("sweep_interval").error("sweep_interval must be longer than 0; write e.g. 10m");
        }
        return new Evidence(evidenceDir, retention, max, sweep,
                EvidenceStoreConfig.parse(e.get("store"), dir, evidenceDir, false, retention));
    }

    private static void checkName(ConfigNode node, String what, String name) {
        if (!NAME.matcher(name).matches()) {
            throw node.error(what + " name '" + name + "' is not allowed; use lower-case letters, digits, '-', '_' or '.',"
                    + " starting with a letter or digit (it becomes a directory name)");
        }
    }
}
