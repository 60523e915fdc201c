package dev.aegis.afs.harness;

import static java.util.Objects.requireNonNull;

import dev.aegis.afs.core.config.ConfigNode;
import dev.aegis.afs.core.config.ConfigReader;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Duration;
import dev.aegis.afs.evidence.PinnedKey;
import dev.aegis.afs.evidence.PinnedKeys;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * The harness's own configuration ({@code harness.yaml}). Relative paths resolve against the
 * file's directory. Only the harness reads it: it holds the Kubernetes write credentials.
 *
 * <pre>
 * listen: 127.0.0.1:7780
 * data_dir: data                  # SQLite db, signing key, ledger
 * store: sqlite                   # or postgresql: several replicas on one database
 * postgresql: {url: jdbc:postgresql://db:5432/afs, user: afs, password_file: /run/secrets/afs-db,
 *              pool_size: 10, connect_timeout: 5s}
 * namespaces: namespaces.yaml     # teams.&lt;team&gt;.&lt;env&gt;.changes
 * evidence_dir: evidence          # default: evidence.dir of namespaces.yaml
 * evidence:                       # capture keys whose signed records are believed (afs evidence key prints one)
 *   capture_keys: [{key_id: 3f2a..., public_key: base64url, not_after: 2027-06-01T00:00:00Z}]
 *   store: {type: postgresql, url: jdbc:postgresql://cp:5432/afs, user: afs, password_file: pw}  # default: the evidence dir
 * kubernetes: {master_url: https://..., kubeconfig: ~/.kube/config, context: prod}
 * execution: agents              # or in_process (default): see {@link Execution}
 * agents: {prod-eu: {public_key: base64url}}
 * intent_ttl: 30s
 * live_state: {backend: cluster}  # a read-only type: kubernetes backend of namespaces.yaml
 * policy: {max_evidence_age: 1h, confidence_threshold: 0.7, max_actions_per_incident_per_hour: 10,
 *          loop_threshold: 3, loop_window: 1h, large_workload: 10, freeze: false,
 *          risk: {wide_blast_radius: 2, poor_history: {failure_rate: 0.5, min_actions: 3}, history: 30d, recent_changes: 24h}}
 * web:                            # the approval page at /web/ (off without this section)
 *   proxy_secret_file: proxy.secret   # 0600; the proxy sends its content as X-Afs-Proxy-Secret
 *   origin: https://afs.example.com   # the origin browsers use (POSTs from any other are refused)
 *   users: {alice: {sha256: &lt;hex&gt;, groups: [sre]}}   # per-user tokens (login form), sha256 only
 * metrics: {listen: 127.0.0.1:9781}   # Prometheus /metrics on its own loopback port
 * incidents: {budget: {...}, senders: {...}, notify: {...}}   # see {@link IncidentSettings}
 * </pre>
 */
public record HarnessConfig(InetSocketAddress listen, Path dataDir, Path namespacesFile, Optional<Path> evidenceDir,
                            Kubernetes kubernetes, Policy policy, LedgerSettings ledger,
                            PinnedKeys captureKeys, Execution execution,
                            Optional<dev.aegis.afs.evidence.store.StoreSpec> evidenceStore, StoreSettings store,
                            Optional<Web> web, Optional<InetSocketAddress> metricsListen, Library library,
                            IncidentSettings incidents) {

    /**
     * The skills library the harness writes approved skills into, and who approves what a team
     * may not approve alone (docs/skills.md): {@code skills: {library: DIR}} (default: the
     * {@code skills:} directory of namespaces.yaml, which the mounts show at /context/skills) and
     * {@code platform: {approvers: [user:carol, group:platform]}} (the access-list syntax of
     * namespaces.yaml), who alone may promote a skill into the shared library or loosen a
     * guardrail, and only when they are not the team's own approvers.
     */
    public record Library(Optional<Path> dir, Optional<ConfigNode> platformApprovers) {
        public Library {
            java.util.Objects.requireNonNull(dir, "dir is null");
            java.util.Objects.requireNonNull(platformApprovers, "platformApprovers is null");
        }
    }

    /**
     * How approved actions reach a cluster. {@code in_process} (the default, for a single host):
     * the harness acts with the credentials of {@code kubernetes:}. {@code agents}: the harness
     * holds no cluster credentials; it leases signed intents to the agent of each cluster
     * ({@code agents: {<cluster>: {public_key}}}) and reads live state for its gates through the
     * read-only {@code type: kubernetes} backend of namespaces.yaml named by {@code live_state}.
     */
    public record Execution(boolean agents, Map<String, String> agentKeys, Duration intentTtl, Optional<String> liveStateBackend) {
        public static final Execution IN_PROCESS = new Execution(false, Map.of(), Duration.ofSeconds(30), Optional.empty());

        public Execution {
            agentKeys = Map.copyOf(agentKeys);
            requireNonNull(intentTtl, "intentTtl is null");
            requireNonNull(liveStateBackend, "liveStateBackend is null");
        }
    }

    public HarnessConfig(InetSocketAddress listen, Path dataDir, Path namespacesFile, Optional<Path> evidenceDir,
                         Kubernetes kubernetes, Policy policy, LedgerSettings ledger, PinnedKeys captureKeys) {
        this(listen, dataDir, namespacesFile, evidenceDir, kubernetes, policy, ledger, captureKeys, Execution.IN_PROCESS);
    }

    /**
     * The approval page: who vouches for a browser's user. Either an authenticating proxy (its
     * user and groups headers count only with the shared secret of {@code proxy_secret_file}) or
     * per-user tokens entered once in the login form, or both.
     *
     * @param proxySecretFile the shared secret the proxy sends as {@code X-Afs-Proxy-Secret}
     * @param origin          {@code scheme://host[:port]} browsers use; empty: {@code http://} plus the Host header
     * @param users           per-user tokens by user name: their sha256 and the user's groups
     */
    public record Web(Optional<Path> proxySecretFile, Optional<String> origin, java.util.Map<String, WebUser> users) {
        public Web {
            requireNonNull(proxySecretFile, "proxySecretFile is null");
            requireNonNull(origin, "origin is null");
            users = java.util.Map.copyOf(users);
        }
    }

    /** A per-user web token: only its sha256 is kept. */
    public record WebUser(String sha256, Set<String> groups) {
        public WebUser {
            requireNonNull(sha256, "sha256 is null");
            groups = Set.copyOf(groups);
        }
    }

    public HarnessConfig(InetSocketAddress listen, Path dataDir, Path namespacesFile, Optional<Path> evidenceDir,
                         Kubernetes kubernetes, Policy policy, LedgerSettings ledger, PinnedKeys captureKeys,
                         Execution execution) {
        this(listen, dataDir, namespacesFile, evidenceDir, kubernetes, policy, ledger, captureKeys, execution, Optional.empty());
    }

    public HarnessConfig(InetSocketAddress listen, Path dataDir, Path namespacesFile, Optional<Path> evidenceDir,
                         Kubernetes kubernetes, Policy policy, LedgerSettings ledger, PinnedKeys captureKeys,
                         Execution execution, Optional<dev.aegis.afs.evidence.store.StoreSpec> evidenceStore) {
        this(listen, dataDir, namespacesFile, evidenceDir, kubernetes, policy, ledger, captureKeys, execution, evidenceStore,
                StoreSettings.SQLITE, Optional.empty(), Optional.empty(), new Library(Optional.empty(), Optional.empty()),
                IncidentSettings.DEFAULT);
    }

    /**
     * {@code ledger: {public_key, witness}}: the pinned ledger key (base64url or hex; the harness
     * refuses to start with another key, and {@code afs ledger verify --config} uses it) and the
     * URL of the {@code afs witness} that keeps every signed checkpoint.
     */
    public record LedgerSettings(Optional<String> publicKeyHex, Optional<java.net.URI> witness) {
        public static final LedgerSettings NONE = new LedgerSettings(Optional.empty(), Optional.empty());
    }

    public HarnessConfig(InetSocketAddress listen, Path dataDir, Path namespacesFile, Optional<Path> evidenceDir,
                         Kubernetes kubernetes, Policy policy) {
        this(listen, dataDir, namespacesFile, evidenceDir, kubernetes, policy, LedgerSettings.NONE, PinnedKeys.of());
    }

    public HarnessConfig {
        requireNonNull(listen, "listen is null");
        requireNonNull(dataDir, "dataDir is null");
        requireNonNull(namespacesFile, "namespacesFile is null");
        requireNonNull(evidenceDir, "evidenceDir is null");
        requireNonNull(kubernetes, "kubernetes is null");
        requireNonNull(policy, "policy is null");
        requireNonNull(ledger, "ledger is null");
        requireNonNull(captureKeys, "captureKeys is null");
        requireNonNull(execution, "execution is null");
        requireNonNull(evidenceStore, "evidenceStore is null");
        requireNonNull(store, "store is null");
        requireNonNull(web, "web is null");
        requireNonNull(metricsListen, "metricsListen is null");
        requireNonNull(incidents, "incidents is null");
    }

    /** Where the write credentials come from; all empty means the in-cluster / default kubeconfig. */
    public record Kubernetes(Optional<String> masterUrl, Optional<Path> kubeconfig, Optional<String> context) {
    }

    /**
     * Harness-wide policy knobs.
     *
     * @param maxEvidenceAge                evidence older than this is stale
     * @param confidenceThreshold           below it a human must approve
     * @param maxActionsPerIncidentPerHour  budget of actions per incident in any hour
     * @param loopThreshold                 the same action on the same target this many times in
     *                                      {@code loopWindow} escalates to a human
     * @param largeWorkload                 workloads with at least this many replicas need one more approval
     * @param freeze                        refuse every change (a global change freeze)
     */
    public record Policy(Duration maxEvidenceAge, double confidenceThreshold, int maxActionsPerIncidentPerHour,
                         int loopThreshold, Duration loopWindow, int largeWorkload, boolean freeze, RiskPolicy risk) {

        public Policy {
            Objects.requireNonNull(risk, "risk is null");
        }

        /** With the default {@link RiskPolicy}. */
        public Policy(Duration maxEvidenceAge, double confidenceThreshold, int maxActionsPerIncidentPerHour,
                      int loopThreshold, Duration loopWindow, int largeWorkload, boolean freeze) {
            this(maxEvidenceAge, confidenceThreshold, maxActionsPerIncidentPerHour, loopThreshold, loopWindow, largeWorkload,
                    freeze, RiskPolicy.defaults());
        }

        public static Policy defaults() {
            return new Policy(Duration.ofHours(1), 0.7, 10, 3, Duration.ofHours(1), 10, false);
        }
    }

    /** {@code policy.risk}: see {@link RiskPolicy}. */
    private static RiskPolicy risk(ConfigNode n) {
        n.allowOnly(Set.of("wide_blast_radius", "poor_history", "history", "recent_changes"));
        RiskPolicy d = RiskPolicy.defaults();
        double rate = d.poorHistoryRate();
        int min = d.poorHistoryMinActions();
        Optional<ConfigNode> poor = n.get("poor_history");
        if (poor.isPresent()) {
            poor.get().allowOnly(Set.of("failure_rate", "min_actions"));
            rate = poor.get().get("failure_rate").map(HarnessConfig::fraction).orElse(rate);
            if (rate == 0) {
                throw poor.get().require("failure_rate").error("failure_rate 0 would call every history poor; write e.g. 0.5");
            }
            min = poor.get().get("min_actions").map(v -> v.asLong(1, 1_000_000)).orElse((long) min).intValue();
        }
        return new RiskPolicy(n.get("wide_blast_radius").map(v -> v.asLong(1, 1000)).orElse((long) d.wideBlastRadius()).intValue(),
                rate, min, n.get("history").map(ConfigNode::asDuration).orElse(d.history()),
                n.get("recent_changes").map(ConfigNode::asDuration).orElse(d.recentChanges()));
    }

    public static HarnessConfig read(Path file) {
        ConfigNode root = ConfigReader.read(file);
        return parse(root, file.toAbsolutePath().getParent());
    }

    public static HarnessConfig parse(ConfigNode root, Path baseDir) {
        if (!root.isMap()) {
            throw root.error("the harness config must be a map; start with 'data_dir: data' and 'namespaces: namespaces.yaml'");
        }
        root.allowOnly(Set.of("listen", "data_dir", "namespaces", "evidence_dir", "evidence", "kubernetes", "policy", "ledger",
                "execution", "agents", "intent_ttl", "live_state",
                "store", "postgresql", "web", "metrics", "skills", "platform", "incidents"));
        InetSocketAddress listen = root.get("listen").map(HarnessConfig::listen)
                .orElse(new InetSocketAddress(InetAddress.getLoopbackAddress(), 7780));
        Path dataDir = baseDir.resolve(root.string("data_dir")).normalize();
        Path namespaces = baseDir.resolve(root.string("namespaces")).normalize();
        Optional<Path> evidence = root.optString("evidence_dir").map(s -> baseDir.resolve(s).normalize());
        Kubernetes kube = new Kubernetes(Optional.empty(), Optional.empty(), Optional.empty());
        Optional<ConfigNode> k = root.get("kubernetes");
        if (k.isPresent()) {
            k.get().allowOnly(Set.of("master_url", "kubeconfig", "context"));
            kube = new Kubernetes(k.get().optString("master_url"),
                    k.get().optString("kubeconfig").map(s -> baseDir.resolve(s).normalize()),
                    k.get().optString("context"));
        }
        Policy policy = Policy.defaults();
        Optional<ConfigNode> p = root.get("policy");
        if (p.isPresent()) {
            ConfigNode n = p.get();
            n.allowOnly(Set.of("max_evidence_age", "confidence_threshold", "max_actions_per_incident_per_hour",
                    "loop_threshold", "loop_window", "large_workload", "freeze", "risk"));
            Policy d = policy;
            policy = new Policy(
                    n.get("max_evidence_age").map(ConfigNode::asDuration).orElse(d.maxEvidenceAge()),
                    n.get("confidence_threshold").map(HarnessConfig::fraction).orElse(d.confidenceThreshold()),
                    n.get("max_actions_per_incident_per_hour").map(v -> v.asLong(1, 10_000))
                            .orElse((long) d.maxActionsPerIncidentPerHour()).intValue(),
                    n.get("loop_threshold").map(v -> v.asLong(2, 1000)).orElse((long) d.loopThreshold()).intValue(),
                    n.get("loop_window").map(ConfigNode::asDuration).orElse(d.loopWindow()),
                    n.get("large_workload").map(v -> v.asLong(1, 1_000_000)).orElse((long) d.largeWorkload()).intValue(),
                    n.get("freeze").map(ConfigNode::asBoolean).orElse(d.freeze()),
                    n.get("risk").map(HarnessConfig::risk).orElse(d.risk()));
        }
        LedgerSettings ledger = LedgerSettings.NONE;
        Optional<ConfigNode> l = root.get("ledger");
        if (l.isPresent()) {
            l.get().allowOnly(Set.of("public_key", "witness"));
            Optional<String> key = l.get().get("public_key").map(pk -> SigningKey.publicKeyHex(pk.asString()).orElseThrow(() ->
                    pk.error("'" + pk.asString() + "' is not an Ed25519 public key; copy the base64url key the harness prints at start "
                            + "(or data_dir/ledger.key.pub)")));
            Optional<java.net.URI> witness = l.get().get("witness").map(w -> {
                if (!w.asString().startsWith("http://") && !w.asString().startsWith("https://")) {
                    throw w.error("'" + w.asString() + "' is not an http(s) URL; write the URL afs witness prints, e.g. http://127.0.0.1:7782");
                }
                return java.net.URI.create(w.asString());
            });
            ledger = new LedgerSettings(key, witness);
        }
        Optional<dev.aegis.afs.evidence.store.StoreSpec> store = root.get("evidence").flatMap(e -> e.get("store"))
                .map(n -> dev.aegis.afs.core.config.EvidenceStoreConfig.parse(Optional.of(n), baseDir, dataDir, true))
                .filter(dev.aegis.afs.evidence.store.StoreSpec::shared);
        Optional<InetSocketAddress> metrics = root.get("metrics").map(m -> {
            m.allowOnly(Set.of("listen"));
            return listen(m.require("listen"));
        });
        return new HarnessConfig(listen, dataDir, namespaces, evidence, kube, policy, ledger,
                root.get("evidence").map(HarnessConfig::captureKeys).orElse(PinnedKeys.of()), execution(root), store,
                store(root, baseDir), root.get("web").map(w -> web(w, baseDir)), metrics, library(root, baseDir),
                root.get("incidents").map(i -> IncidentSettings.parse(i, baseDir)).orElse(IncidentSettings.DEFAULT));
    }

    private static Library library(ConfigNode root, Path baseDir) {
        Optional<Path> dir = root.get("skills").map(s -> {
            s.allowOnly(Set.of("library"));
            return baseDir.resolve(s.string("library")).normalize();
        });
        Optional<ConfigNode> platform = root.get("platform").map(p -> {
            p.allowOnly(Set.of("approvers"));
            return p.require("approvers");
        });
        return new Library(dir, platform);
    }

    /** {@code execution}, {@code agents}, {@code intent_ttl}, {@code live_state}: see {@link Execution}. */
    static Execution execution(ConfigNode root) {
        String mode = root.optString("execution").orElse("in_process");
        if (!mode.equals("agents")) {
            if (!mode.equals("in_process")) {
                throw root.require("execution").error("unknown execution '" + mode + "'; write in_process (the harness acts"
                        + " with its own kubernetes: credentials) or agents (cluster agents pull signed intents)");
            }
            for (String key : List.of("agents", "intent_ttl", "live_state")) {
                if (root.get(key).isPresent()) {
                    throw root.require(key).error(key + " is used only with execution: agents; add that, or remove " + key);
                }
            }
            return Execution.IN_PROCESS;
        }
        if (root.get("kubernetes").isPresent()) {
            throw root.require("kubernetes").error("with execution: agents the control plane holds no cluster credentials;"
                    + " remove kubernetes: (live state is read through live_state: {backend: <a type: kubernetes backend"
                    + " of namespaces.yaml>})");
        }
        ConfigNode agents = root.require("agents");
        Map<String, String> keys = new LinkedHashMap<>();
        for (Map.Entry<String, ConfigNode> e : agents.entries().entrySet()) {
            ConfigNode a = e.getValue();
            if (!a.isMap()) {
                throw a.error("each agent is {public_key: <base64url>}; afs agent --config agent.yaml --print-key prints it");
            }
            a.allowOnly(Set.of("public_key"));
            String key = a.string("public_key");
            try {
                dev.aegis.afs.intent.KeyFile.publicKey(key);
            } catch (IllegalArgumentException ex) {
                throw a.require("public_key").error("'" + key + "' is not an agent public key (base64url of 32 bytes);"
                        + " afs agent --config agent.yaml --print-key prints it");
            }
            keys.put(e.getKey(), key);
        }
        if (keys.isEmpty()) {
            throw agents.error("execution: agents needs at least one agent: agents: {<cluster>: {public_key: ...}}");
        }
        Duration ttl = root.get("intent_ttl").map(ConfigNode::asDuration).orElse(Duration.ofSeconds(30));
        if (ttl.isZero() || ttl.compareTo(Duration.ofMinutes(10)) > 0) {
            throw root.require("intent_ttl").error("intent_ttl must be from 1s to 10m (agents refuse longer); write e.g. 30s");
        }
        ConfigNode live = root.get("live_state").orElseThrow(() -> root.error("execution: agents needs live_state:"
                + " {backend: <name>}, a type: kubernetes backend of namespaces.yaml (read-only, as the mount uses it):"
                + " the gates read the live target through it"));
        live.allowOnly(Set.of("backend"));
        return new Execution(true, keys, ttl, Optional.of(live.string("backend")));
    }


    /** {@code store: sqlite|postgresql}; postgresql needs the {@code postgresql:} section. */
    static StoreSettings store(ConfigNode root, Path baseDir) {
        String kind = root.optString("store").orElse("sqlite");
        Optional<ConfigNode> pg = root.get("postgresql");
        switch (kind) {
            case "sqlite" -> {
                if (pg.isPresent()) {
                    throw pg.get().error("a postgresql: section is used only with 'store: postgresql'; add that line, or remove the section");
                }
                return StoreSettings.SQLITE;
            }
            case "postgresql" -> {
                ConfigNode n = pg.orElseThrow(() -> root.get("store").orElseThrow().error("store: postgresql needs a postgresql: "
                        + "section, e.g. postgresql: {url: jdbc:postgresql://db:5432/afs, user: afs, password_file: /run/secrets/afs-db}"));
                n.allowOnly(Set.of("url", "user", "password_file", "pool_size", "connect_timeout"));
                try {
                    return new StoreSettings.Postgres(n.string("url"), n.string("user"),
                            n.optString("password_file").map(f -> baseDir.resolve(f).normalize()),
                            n.get("pool_size").map(v -> v.asLong(1, 1000)).orElse((long) StoreSettings.Postgres.DEFAULT_POOL_SIZE).intValue(),
                            n.get("connect_timeout").map(ConfigNode::asDuration).orElse(StoreSettings.Postgres.DEFAULT_CONNECT_TIMEOUT));
                } catch (IllegalArgumentException e) {
                    throw n.error(e.getMessage());
                }
            }
            default -> throw root.get("store").orElseThrow().error("unknown store '" + kind
                    + "'; write 'store: sqlite' (the default, one harness) or 'store: postgresql' (several replicas on one database)");
        }
    }

    static Web web(ConfigNode w, Path baseDir) {
        if (!w.isMap()) {
            throw w.error("web: is a map; write e.g. web: {proxy_secret_file: proxy.secret, origin: https://afs.example.com}");
        }
        w.allowOnly(Set.of("proxy_secret_file", "origin", "users"));
        Optional<String> origin = w.get("origin").map(o -> {
            String v = o.asString();
            if (!v.matches("https?://[A-Za-z0-9.:\\[\\]-]+")) {
                throw o.error("'" + v + "' is not an origin; write scheme://host[:port] as the browser shows it, "
                        + "e.g. https://afs.example.com (no path, no trailing slash)");
            }
            return v;
        });
        java.util.Map<String, WebUser> users = new java.util.LinkedHashMap<>();
        w.get("users").ifPresent(u -> u.entries().forEach((name, spec) -> {
            spec.allowOnly(Set.of("sha256", "groups"));
            String sha = spec.string("sha256").toLowerCase(java.util.Locale.ROOT);
            if (!sha.matches("[0-9a-f]{64}")) {
                throw spec.require("sha256").error("web user '" + name + "': sha256 must be 64 hex digits; write the output of "
                        + "printf %s \"$TOKEN\" | sha256sum");
            }
            users.put(name, new WebUser(sha, Set.copyOf(spec.get("groups").map(ConfigNode::asStringList).orElse(List.of()))));
        }));
        Optional<Path> secret = w.optString("proxy_secret_file").map(s -> baseDir.resolve(s).normalize());
        if (secret.isEmpty() && users.isEmpty()) {
            throw w.error("web: names nobody who can vouch for a browser's user; set proxy_secret_file (behind an "
                    + "authenticating proxy such as oauth2-proxy) or users: {<name>: {sha256: ...}}");
        }
        return new Web(secret, origin, users);
    }

    /** {@code evidence: {capture_keys: [{key_id, public_key, not_after}]}}: several, for rotation. */
    public static PinnedKeys captureKeys(ConfigNode evidence) {
        evidence.allowOnly(Set.of("capture_keys", "store"));
        List<PinnedKey> keys = new ArrayList<>();
        // an empty "capture_keys:" (the demo file, before a key is appended) pins nothing
        for (ConfigNode k : evidence.get("capture_keys").filter(n -> !n.isNull()).map(ConfigNode::items).orElse(List.of())) {
            if (!k.isMap()) {
                throw k.error("each capture key is {key_id: ..., public_key: ..., not_after: ...}; afs evidence key on the"
                        + " mount host prints one");
            }
            k.allowOnly(Set.of("key_id", "public_key", "not_after"));
            Optional<Instant> notAfter = k.get("not_after").map(n -> {
                try {
                    return Instant.parse(n.asString());
                } catch (DateTimeParseException e) {
                    throw n.error("'" + n.asString() + "' is not an RFC 3339 UTC time; write e.g. 2027-06-01T00:00:00Z");
                }
            });
            try {
                keys.add(new PinnedKey(k.string("key_id"), k.string("public_key"), notAfter));
            } catch (IllegalArgumentException e) {
                throw k.error(e.getMessage());
            }
        }
        return new PinnedKeys(keys);
    }

    static double fraction(ConfigNode n) {
        try {
            double d = Double.parseDouble(n.asString());
            if (d >= 0 && d <= 1) {
                return d;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw n.error("'" + n.asString() + "' is not a number from 0 to 1; write e.g. 0.7");
    }

    private static InetSocketAddress listen(ConfigNode n) {
        String s = n.asString();
        int colon = s.lastIndexOf(':');
        if (colon < 0) {
            throw n.error("'" + s + "' is not host:port; write e.g. 127.0.0.1:7780");
        }
        int port;
        try {
            port = Integer.parseInt(s.substring(colon + 1));
        } catch (NumberFormatException e) {
            throw n.error("'" + s + "' has no port number; write e.g. 127.0.0.1:7780");
        }
        if (port < 0 || port > 65535) {
            throw n.error("port " + port + " is out of range; use 0 (any free port) to 65535");
        }
        try {
            InetAddress address = InetAddress.getByName(s.substring(0, colon));
            if (!address.isLoopbackAddress()) {
                throw n.error("'" + s + "' is not a loopback address; the harness accepts changes only from this "
                        + "machine, listen on 127.0.0.1");
            }
            return new InetSocketAddress(address, port);
        } catch (UnknownHostException e) {
            throw n.error("unknown host in '" + s + "'; write e.g. 127.0.0.1:7780");
        }
    }
}
