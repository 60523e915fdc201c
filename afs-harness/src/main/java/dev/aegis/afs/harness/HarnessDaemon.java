package dev.aegis.afs.harness;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.aegis.afs.core.AfsError;
import dev.aegis.afs.core.AfsException;
import dev.aegis.afs.core.access.AccessPolicy;
import dev.aegis.afs.core.access.Principal;
import dev.aegis.afs.core.access.UnixAccounts;
import dev.aegis.afs.core.config.ConfigException;
import dev.aegis.afs.core.config.Namespaces;
import dev.aegis.afs.evidence.store.CaptureStore;
import dev.aegis.afs.evidence.store.DirCaptureStore;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * The harness daemon: JSON over HTTP on a loopback address. No {@code main}: the CLI's
 * {@code afs harness --config F} and tests call {@link #start} and {@link #stop}.
 *
 * <pre>
 * Every /v1 endpoint needs an authenticated principal: either the mount's client token
 * (X-Afs-Token) with the uid it attests (X-Afs-Uid, X-Afs-Gid), or Authorization: Bearer with a
 * token named in namespaces.yaml's tokens:. A caller sees only requests of envs it may read.
 *
 * POST /v1/requests                  body: the document; X-Afs-Request-Name (optional: the id, e.g. the FUSE file name)
 * GET  /v1/requests[?limit=N]        newest first
 * GET  /v1/requests/ID               JSON;  GET /v1/requests/ID/status: text; GET /v1/requests/ID/risk: YAML
 * POST /v1/requests/ID/approve       header X-Afs-Uid
 * POST /v1/requests/ID/reject        body {"reason": "..."}
 * POST /v1/requests/ID/cancel
 * GET  /v1/ledger[?from=SEQ&amp;limit=N]
 * GET  /v1/incidents/ID/bundle       the incident's evidence bundle (tar.gz) as the caller may see it; see {@link IncidentExport}
 * /v1/incidents[/ID[/...]]            incidents, see {@link IncidentLifecycleRoutes}
 * POST /v1/triggers/SENDER            Alertmanager and PagerDuty webhooks, see {@link AlertTriggers}
 * POST /v1/evidence, GET /v1/evidence/holds   the mount's, see {@link EvidenceRoutes}
 * GET  /v1/timelines, /v1/incidents/ID/timeline|ledger, POST /v1/incidents/ID/feedback/STEP   see {@link IncidentRoutes}
 * GET  /health, GET /metrics
 * /web/...                           the approval page, when harness.yaml has web: (see {@link dev.aegis.afs.harness.web.WebRoutes})
 * </pre>
 */
public final class HarnessDaemon implements AutoCloseable {

    /**
     * Connections waiting to be accepted, and threads answering: thousands of cluster agents keep
     * connections open and poll every few seconds, and a poll that finds nothing never waits for
     * the control thread, so more threads than cores pay off while a few wait on the store.
     */
    static final int ACCEPT_BACKLOG = 1024;
    static final int HTTP_THREADS = 16;
    /**
     * The JDK server closes keep-alive connections beyond 200 idle ones, so thousands of polling
     * agents reconnect on most polls (bench/README.md, "Quiet machine"). It reads this property
     * once, when its first server starts; an operator's own {@code -D} setting wins.
     */
    private static final String MAX_IDLE_CONNECTIONS = "sun.net.httpserver.maxIdleConnections";

    static {
        if (System.getProperty(MAX_IDLE_CONNECTIONS) == null) {
            System.setProperty(MAX_IDLE_CONNECTIONS, "20000");
        }
    }
    /** Largest drafted skill accepted: the skill schema's own limit on documents is larger, a skill is small. */
    static final int LIBRARY_DOCUMENT_BYTES = 256 * 1024;

    private final CallerToken token;
    private final AccessPolicy access;

    private final Harness harness;
    private final HttpServer server;
    private final ExecutorService executor;
    private final HarnessMetrics metrics;
    private final KubernetesClient ownedClient;

    private final EvidenceRoutes evidence;
    private final Optional<AgentRoutes> agents;
    private final CaptureStore evidenceStore;
    private final Optional<dev.aegis.afs.harness.web.WebRoutes> web;
    private volatile HttpServer metricsServer;
    /** The shared store's retention sweep, when the store is one the harness prunes (postgresql). */
    private volatile StoreRetention retention;
    /** The incident workspace's routes (timeline, ledger slice, feedback). */
    private volatile IncidentRoutes incidents;
    /** The incident lifecycle's routes (the incidents themselves) and the alert webhooks. */
    private final IncidentLifecycleRoutes lifecycle;
    private final AlertTriggers triggers;

    private HarnessDaemon(Harness harness, HttpServer server, ExecutorService executor, HarnessMetrics metrics,
                          KubernetesClient ownedClient, CallerToken token, AccessPolicy access,
                          EvidenceRoutes evidence, Optional<AgentRoutes> agents, CaptureStore evidenceStore,
                          Optional<dev.aegis.afs.harness.web.WebRoutes> web, IncidentLifecycleRoutes lifecycle, AlertTriggers triggers) {
        this.lifecycle = lifecycle;
        this.triggers = triggers;
        this.agents = agents;
        this.evidenceStore = evidenceStore;
        this.web = web;
        this.token = token;
        this.access = access;
        this.evidence = evidence;
        this.harness = harness;
        this.server = server;
        this.executor = executor;
        this.metrics = metrics;
        this.ownedClient = ownedClient;
    }

    /**
     * Starts with a Kubernetes client built from the config: in process, from {@code kubernetes:}
     * (the daemon alone holds write credentials); with execution: agents, from the read-only
     * backend {@code live_state} names, used for the gates' reads only.
     */
    public static HarnessDaemon start(HarnessConfig config) throws IOException {
        KubernetesClient client = config.execution().agents() ? liveStateClient(config) : kubernetesClient(config.kubernetes());
        try {
            return start(config, client, Clock.systemUTC(), UnixAccounts.system(), Harness.Probe.NONE, client);
        } catch (IOException | RuntimeException e) {
            client.close();
            throw e;
        }
    }

    /** Starts with the given client (tests); the caller closes the client. */
    public static HarnessDaemon start(HarnessConfig config, KubernetesClient client, Clock clock, UnixAccounts accounts,
                                      Harness.Probe probe) throws IOException {
        return start(config, client, clock, accounts, probe, null);
    }

    private static HarnessDaemon start(HarnessConfig config, KubernetesClient client, Clock clock, UnixAccounts accounts,
                                       Harness.Probe probe, KubernetesClient owned) throws IOException {
        requireNonNull(config, "config is null");
        // namespaces.yaml is read by afs-core's one reader: the same lists decide in the mount and here
        Namespaces namespaces = Namespaces.load(config.namespacesFile(), dev.aegis.afs.core.tree.EnvSections.all().stream()
                .map(dev.aegis.afs.core.tree.EnvSection::key).collect(java.util.stream.Collectors.toSet()));
        ChangePolicies policies = ChangePolicies.of(namespaces);
        AccessPolicy access = AccessPolicy.from(namespaces, accounts, AccessPolicy.localHost());
        CaptureStore evidence = evidenceStore(config, namespaces, policies);
        HarnessMetrics metrics = new HarnessMetrics();
        PrivateFiles.directory(config.dataDir());
        // with store: postgresql the registry lives in the shared database, so every replica can cite every capture
        EvidenceRegistry registry = config.store() instanceof StoreSettings.Postgres pg
                ? new EvidenceRegistry(CaptureTable.postgres(PostgresDatabase.open(pg)), config.captureKeys(), clock)
                : new EvidenceRegistry(config.dataDir().resolve("evidence.db"), config.captureKeys(), clock);
        Harness harness;
        Optional<IntentLeasing> leasing;
        try {
            leasing = config.execution().agents()
                    ? Optional.of(IntentLeasing.open(config.dataDir(), config.execution(), clock)) : Optional.empty();
            harness = Harness.open(new Harness.Setup(config.dataDir(), config.policy(), policies,
                    new EvidenceGate(evidence, registry, config.policy().maxEvidenceAge(), Duration.ofSeconds(3), clock), client,
                    clock, access, metrics, probe, d -> Thread.sleep(d.toMillis()),
                    config.ledger().witness().map(LedgerWitness::client).orElse(Ledger.Witness.NONE), leasing, config.store()));
        } catch (IOException | RuntimeException e) {
            registry.close();
            throw e;
        }
        // approved skills go into the library the mounts show (namespaces.yaml skills: unless harness.yaml names one)
        harness.library(config.library().dir().or(() -> Optional.of(namespaces.skillsDir())), config.library()
                .platformApprovers().map(n -> dev.aegis.afs.core.access.AccessList.parse(n, accounts))
                .orElse(dev.aegis.afs.core.access.AccessList.NOBODY));
        if (config.ledger().publicKeyHex().isPresent()) {
            String actual = SigningKey.publicKeyHex(Harness.ledgerPublicKey(config.dataDir())).orElseThrow();
            if (!actual.equals(config.ledger().publicKeyHex().get())) {
                closeQuietly(harness);
                throw new IOException(Harness.keyPath(config.dataDir()) + " is not the key pinned in ledger.public_key: the ledger "
                        + "key was replaced; restore the original key, or pin the new one after checking why it changed");
            }
        }
        HttpServer server;
        try {
            server = HttpServer.create(config.listen(), ACCEPT_BACKLOG);
        } catch (IOException e) {
            closeQuietly(harness);
            throw new IOException("cannot listen on " + config.listen() + " (" + e.getMessage()
                    + "); is another harness running? change 'listen' in the harness config", e);
        }
        ExecutorService executor = Executors.newFixedThreadPool(HTTP_THREADS, r -> {
            Thread t = new Thread(r, "afs-harness-http");
            t.setDaemon(true);
            return t;
        });
        CallerToken token = CallerToken.createOrLoad(config.dataDir());
        java.util.Optional<dev.aegis.afs.harness.web.WebRoutes> web;
        AlertTriggers triggers;
        try {
            java.net.URI publicUrl = config.incidents().publicUrl().or(() -> config.web().flatMap(HarnessConfig.Web::origin)
                    .map(java.net.URI::create)).orElse(java.net.URI.create("http://" + server.getAddress().getAddress()
                    .getHostAddress() + ":" + server.getAddress().getPort()));
            Incidents incidents = harness.useIncidents(config.incidents(), IncidentScopes.of(namespaces), publicUrl);
            triggers = new AlertTriggers(config.incidents(), incidents, metrics);
            web = config.web().isEmpty() ? java.util.Optional.empty() : java.util.Optional.of(webRoutes(config.web().get(),
                    harness, access, clock));
        } catch (IOException e) {
            server.stop(0);
            closeQuietly(harness);
            throw e;
        }
        HarnessDaemon daemon = new HarnessDaemon(harness, server, executor, metrics, owned, token, access,
                new EvidenceRoutes(registry, token, harness::open, record -> harness.incidents().readRegistered(record)),
                leasing.map(l -> new AgentRoutes(harness, l)), evidence, web, new IncidentLifecycleRoutes(harness, access), triggers);
        daemon.incidents = new IncidentRoutes(new IncidentTimeline(harness.store(), registry, evidence, access));
        server.createContext("/", daemon::handle);
        server.setExecutor(executor);
        try {
            harness.resume();
        } catch (AfsException e) {
            closeQuietly(harness);
            throw new IOException("cannot resume unfinished requests: " + e.getMessage(), e);
        }
        server.start();
        if (evidence instanceof dev.aegis.afs.evidence.store.ExpiringStore expiring) {
            // mounts may only insert into the shared store: its retention is the control plane's to run
            daemon.retention = new StoreRetention(expiring, () -> EvidenceRoutes.held(harness.open()),
                    namespaces.evidence().retention(), clock).start(namespaces.evidence().sweepInterval());
        }
        if (config.metricsListen().isPresent()) {
            try {
                daemon.metricsServer = HttpServer.create(config.metricsListen().get(), 16);
            } catch (IOException e) {
                daemon.stop();
                throw new IOException("cannot listen for metrics on " + config.metricsListen().get() + " (" + e.getMessage()
                        + "); change metrics.listen in the harness config", e);
            }
            daemon.metricsServer.createContext("/metrics", ex -> {
                try (ex) {
                    send(ex, 200, "text/plain; version=0.0.4; charset=utf-8", metrics.scrape());
                }
            });
            daemon.metricsServer.setExecutor(executor);
            daemon.metricsServer.start();
        }
        return daemon;
    }

    /**
     * Where the harness verifies evidence: harness.yaml {@code evidence.store} (the shared store every
     * mount writes to), else the local evidence directory. A mount configured for a shared store
     * with a harness still reading a directory would make every citation fail, so that is refused.
     */
    static CaptureStore evidenceStore(HarnessConfig config, Namespaces namespaces, ChangePolicies policies) throws IOException {
        if (config.evidenceStore().isPresent()) {
            return config.evidenceStore().get().open();
        }
        if (namespaces.evidence().store().shared()) {
            throw new ConfigException(config.namespacesFile() + ": the mounts keep evidence in "
                    + namespaces.evidence().store().type() + " (" + namespaces.evidence().store().url()
                    + "), but the harness config has no evidence.store; set evidence.store in the harness config to"
                    + " the same store, with the harness's own user");
        }
        Path evidenceDir = config.evidenceDir().or(policies::evidenceDir).orElseThrow(() -> new ConfigException(
                config.namespacesFile() + ": no evidence directory; set evidence.dir in namespaces.yaml or evidence_dir in the harness config"));
        return new DirCaptureStore(evidenceDir);
    }

    /** The approval page; the proxy secret file must be private to the harness's user (and the proxy's). */
    private static dev.aegis.afs.harness.web.WebRoutes webRoutes(HarnessConfig.Web w, Harness harness, AccessPolicy access,
                                                                 Clock clock) throws IOException {
        java.util.Optional<String> secret = java.util.Optional.empty();
        if (w.proxySecretFile().isPresent()) {
            Path file = w.proxySecretFile().get();
            if (!Files.isRegularFile(file)) {
                throw new IOException("web.proxy_secret_file " + file + " does not exist; write the proxy's shared secret there"
                        + " (e.g. head -c 32 /dev/urandom | base64 > " + file + "; chmod 600 " + file + ")");
            }
            PrivateFiles.refuseShared(file, "600");
            String s = Files.readString(file).strip();
            if (s.length() < 16) {
                throw new IOException("web.proxy_secret_file " + file + " holds " + s.length() + " characters; a shared secret "
                        + "needs at least 16 (e.g. head -c 32 /dev/urandom | base64 > " + file + ")");
            }
            secret = java.util.Optional.of(s);
        }
        return new dev.aegis.afs.harness.web.WebRoutes(harness, new dev.aegis.afs.harness.web.WebIdentity(secret, w.users(), access),
                w.origin(), clock);
    }

    /** The file holding the token that attests callers' uids (readable by root only). */
    public Path tokenFile() {
        return token.file();
    }

    /** The base URL, e.g. {@code http://127.0.0.1:7780}. */
    public String url() {
        InetSocketAddress a = server.getAddress();
        return "http://" + a.getAddress().getHostAddress() + ":" + a.getPort();
    }

    public Harness harness() {
        return harness;
    }

    /** The metrics URL on metrics.listen, e.g. {@code http://127.0.0.1:9781/metrics}; empty without one. */
    public java.util.Optional<String> metricsUrl() {
        HttpServer m = metricsServer;
        return m == null ? java.util.Optional.empty() : java.util.Optional.of("http://"
                + m.getAddress().getAddress().getHostAddress() + ":" + m.getAddress().getPort() + "/metrics");
    }

    /** Stops accepting requests, lets the current step finish, closes the database. */
    public void stop() {
        server.stop(0);
        if (metricsServer != null) {
            metricsServer.stop(0);
        }
        executor.shutdown();
        try {
            executor.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (retention != null) {
            retention.close();
        }
        closeQuietly(harness);
        evidence.close();
        evidenceStore.close();
        if (ownedClient != null) {
            ownedClient.close();
        }
    }

    @Override
    public void close() {
        stop();
    }

    static KubernetesClient kubernetesClient(HarnessConfig.Kubernetes k) throws IOException {
        Config config;
        if (k.kubeconfig().isPresent()) {
            Path file = k.kubeconfig().get();
            config = Config.fromKubeconfig(k.context().orElse(null), Files.readString(file), file.toString());
        } else {
            config = Config.autoConfigure(k.context().orElse(null));
        }
        if (k.masterUrl().isPresent()) {
            config = new ConfigBuilder(config).withMasterUrl(k.masterUrl().get()).build();
        }
        return new KubernetesClientBuilder().withConfig(config).build();
    }

    /**
     * The read-only client of execution: agents: built from the {@code type: kubernetes} backend
     * of namespaces.yaml that {@code live_state.backend} names, the credentials the mount reads with.
     */
    static KubernetesClient liveStateClient(HarnessConfig config) throws IOException {
        String name = config.execution().liveStateBackend().orElseThrow();
        dev.aegis.afs.core.config.ConfigNode root = dev.aegis.afs.core.config.ConfigReader.read(config.namespacesFile());
        dev.aegis.afs.core.config.ConfigNode b = root.get("backends").flatMap(n -> n.get(name)).orElseThrow(() ->
                new ConfigException(config.namespacesFile() + ": live_state.backend '" + name + "' of the harness config is not"
                        + " a backend here; add backends." + name + ": {type: kubernetes, ...} (the read-only backend the mount uses)"));
        if (!b.optString("type").orElse("").equals("kubernetes")) {
            throw b.error("live_state.backend '" + name + "' must be a type: kubernetes backend");
        }
        if (b.get("in_cluster").map(dev.aegis.afs.core.config.ConfigNode::asBoolean).orElse(false)) {
            return new KubernetesClientBuilder().withConfig(Config.autoConfigure(null)).build();
        }
        Path base = config.namespacesFile().toAbsolutePath().getParent();
        return kubernetesClient(new HarnessConfig.Kubernetes(b.optString("master_url"),
                b.optString("kubeconfig").map(base::resolve), b.optString("context")));
    }

    // ---- HTTP ----

    private void handle(HttpExchange ex) throws IOException {
        String path = ex.getRequestURI().getPath();
        String method = ex.getRequestMethod();
        String endpoint = "other";
        int status;
        try {
            List<String> parts = List.of(path.replaceAll("^/+|/+$", "").split("/"));
            Map<String, String> query = query(ex.getRequestURI().getRawQuery());
            if (path.equals("/web") || path.startsWith("/web/")) {
                endpoint = "web";
                if (web.isEmpty()) {
                    throw new AfsException(AfsError.NOT_FOUND, "the approval page is off; add web: {proxy_secret_file: ...} "
                            + "to harness.yaml (see docs/web.md)");
                }
                status = web.get().handle(ex);
            } else if (path.equals("/health")) {
                endpoint = "health";
                status = send(ex, 200, "application/json", "{\"status\":\"ok\"}\n".getBytes(StandardCharsets.UTF_8));
            } else if (path.equals("/metrics")) {
                endpoint = "metrics";
                status = send(ex, 200, "text/plain; version=0.0.4; charset=utf-8", metrics.scrape());
            } else if (parts.size() >= 2 && parts.get(0).equals("v1") && parts.get(1).equals("requests")) {
                if (parts.size() == 2 && method.equals("POST")) {
                    endpoint = "submit";
                    status = submit(ex);
                } else if (parts.size() == 2 && method.equals("GET")) {
                    endpoint = "list";
                    Principal caller = principal(ex);
                    int limit = Integer.parseInt(query.getOrDefault("limit", "100"));
                    ArrayNode list = Ledger.JSON.createArrayNode();
                    harness.list(Math.max(1, Math.min(limit, 1000)), caller).forEach(r -> list.add(RequestView.json(r)));
                    ObjectNode body = Ledger.JSON.createObjectNode();
                    body.set("requests", list);
                    status = json(ex, 200, body);
                } else if (parts.size() == 3 && method.equals("GET")) {
                    endpoint = "get";
                    status = json(ex, 200, RequestView.jsonWithDocument(harness.get(parts.get(2), principal(ex))));
                } else if (parts.size() == 4 && method.equals("GET") && parts.get(3).equals("status")) {
                    endpoint = "status";
                    StoredRequest shown = harness.get(parts.get(2), principal(ex));
                    status = send(ex, 200, "text/plain; charset=utf-8", (RequestView.text(RequestView.json(shown))
                            + IntentView.text(harness.intents(shown.id()))).getBytes(StandardCharsets.UTF_8));
                } else if (parts.size() == 4 && method.equals("GET") && parts.get(3).equals("risk")) {
                    endpoint = "risk";
                    status = send(ex, 200, "application/yaml; charset=utf-8",
                            harness.risk(parts.get(2), principal(ex)).getBytes(StandardCharsets.UTF_8));
                } else if (parts.size() == 4 && method.equals("POST")) {
                    endpoint = parts.get(3);
                    Principal caller = principal(ex);
                    String id = parts.get(2);
                    StoredRequest r = switch (parts.get(3)) {
                        case "approve" -> harness.approve(id, caller);
                        case "reject" -> harness.reject(id, caller, reason(ex));
                        case "cancel" -> harness.cancel(id, caller);
                        default -> throw new AfsException(AfsError.NOT_FOUND, "unknown operation " + parts.get(3)
                                + "; use approve, reject or cancel");
                    };
                    status = json(ex, 200, RequestView.json(r));
                } else {
                    throw new AfsException(AfsError.NOT_FOUND, method + " " + path + " is not part of the harness API");
                }
            } else if (IncidentRoutes.owns(parts)) {
                endpoint = IncidentRoutes.endpoint(parts);
                status = incidents.handle(ex, parts, principal(ex));
            } else if (agents.isPresent() && (path.equals("/v1/keys") || path.startsWith("/v1/tasks"))) {
                endpoint = path.equals("/v1/keys") ? "keys" : method.equals("GET") ? "tasks" : "task_result";
                status = agents.get().handle(ex, parts);
            } else if (path.equals("/v1/agents") && method.equals("GET")) {
                endpoint = "agents";
                principal(ex);
                status = json(ex, 200, agents.orElseThrow(() -> new AfsException(AfsError.NOT_FOUND,
                        "this harness runs actions in process (no agents); set execution: agents in harness.yaml")).agents());
            } else if (path.equals("/v1/evidence") && method.equals("POST")) {
                endpoint = "evidence";
                status = json(ex, 201, evidence.register(ex.getRequestHeaders().getFirst(CallerToken.HEADER), readBody(ex, 64 * 1024)));
            } else if (path.equals("/v1/evidence/holds") && method.equals("GET")) {
                endpoint = "evidence_holds";
                status = json(ex, 200, evidence.holds(ex.getRequestHeaders().getFirst(CallerToken.HEADER)));
            } else if (parts.size() == 4 && parts.get(0).equals("v1") && parts.get(1).equals("incidents")
                    && parts.get(3).equals("bundle") && method.equals("GET")) {
                endpoint = "incident_bundle";
                status = sendBundle(ex, harness.exportIncident(parts.get(2), principal(ex)), parts.get(2));
            } else if (path.equals("/v1/skills/proposed") && method.equals("POST")) {
                endpoint = "skill_proposed";
                Principal caller = principal(ex);
                String file = harness.proposeSkill(required(query, "team"), required(query, "env"),
                        query.getOrDefault("incident", ""), readBody(ex, LIBRARY_DOCUMENT_BYTES), caller);
                ObjectNode body = Ledger.JSON.createObjectNode();
                body.put("file", file);
                body.put("path", "/context/skills/" + file);
                status = json(ex, 201, body);
            } else if (parts.size() == 3 && parts.get(0).equals("v1") && parts.get(1).equals("triggers") && method.equals("POST")) {
                endpoint = "trigger";
                AlertTriggers.Answer a = triggers.handle(parts.get(2), ex.getRequestHeaders().getFirst("Authorization"),
                        ex.getRequestHeaders().getFirst("X-Afs-Signature"), readBody(ex, AlertTriggers.MAX_BODY));
                status = json(ex, a.status(), a.body());
            } else if (parts.size() >= 2 && parts.get(0).equals("v1") && parts.get(1).equals("incidents")) {
                endpoint = "incidents";
                status = lifecycle.handle(ex, parts, principal(ex));
            } else if (path.equals("/v1/ledger") && method.equals("GET")) {
                endpoint = "ledger";
                Principal caller = principal(ex);
                long from = Long.parseLong(query.getOrDefault("from", "1"));
                int limit = Integer.parseInt(query.getOrDefault("limit", "1000"));
                ArrayNode entries = Ledger.JSON.createArrayNode();
                for (String line : harness.ledger(Math.max(1, from), Math.max(1, Math.min(limit, 10_000)), caller)) {
                    entries.add(Ledger.JSON.readTree(line));
                }
                ObjectNode body = Ledger.JSON.createObjectNode();
                body.set("entries", entries);
                status = json(ex, 200, body);
            } else {
                throw new AfsException(AfsError.NOT_FOUND, method + " " + path + " is not part of the harness API");
            }
        } catch (AfsException e) {
            status = error(ex, httpStatus(e.error()), e.error().name(), e.getMessage(), List.of());
        } catch (PlanProblems e) {
            status = error(ex, 400, "INVALID_ARGUMENT", e.getMessage(), e.problems());
        } catch (NumberFormatException e) {
            status = error(ex, 400, "INVALID_ARGUMENT", "a query parameter is not a number: " + e.getMessage(), List.of());
        } catch (RuntimeException e) {
            status = error(ex, 500, "INTERNAL", "harness error: " + e, List.of());
        } finally {
            ex.close();
        }
        metrics.request(endpoint, status);
    }

    private int submit(HttpExchange ex) throws IOException, AfsException, PlanProblems {
        Principal caller = principal(ex);
        byte[] body = readBody(ex, ChangeRequestParser.MAX_BYTES);
        String name = ex.getRequestHeaders().getFirst("X-Afs-Request-Name");
        Harness.Submission s = harness.submit(body, caller, java.util.Optional.ofNullable(name));
        ObjectNode out = RequestView.json(s.request());
        out.put("duplicate", s.duplicate());
        return json(ex, s.duplicate() ? 200 : 201, out);
    }

    /** Sends an incident's bundle (a file the harness just wrote) and deletes it. */
    private static int sendBundle(HttpExchange ex, Path bundle, String incident) throws IOException {
        try {
            ex.getResponseHeaders().set("Content-Type", "application/gzip");
            ex.getResponseHeaders().set("Content-Disposition", "attachment; filename=\"" + incident + ".tar.gz\"");
            ex.sendResponseHeaders(200, Files.size(bundle));
            try (OutputStream out = ex.getResponseBody()) {
                Files.copy(bundle, out);
            }
            return 200;
        } finally {
            Files.deleteIfExists(bundle);
        }
    }

    private static String reason(HttpExchange ex) throws IOException, AfsException {
        byte[] body = readBody(ex, 64 * 1024);
        if (body.length == 0) {
            return "";
        }
        JsonNode n;
        try {
            n = Ledger.JSON.readTree(body);
        } catch (IOException e) {
            throw new AfsException(AfsError.INVALID_ARGUMENT, "the body must be JSON {\"reason\": \"...\"}");
        }
        return n.path("reason").asText("");
    }

    /**
     * Who is calling, proven: a bearer token the config knows (an agent, e.g. forwarded by the MCP
     * server), or the mount's client token with the uid the kernel gave the mount. Anything else
     * is refused: a uid header alone proves nothing on a loopback port any process can reach.
     */
    private Principal principal(HttpExchange ex) throws AfsException {
        String authorization = ex.getRequestHeaders().getFirst("Authorization");
        if (authorization != null) {
            if (!authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
                throw new AfsException(AfsError.ACCESS_DENIED, "the Authorization header must be 'Bearer <token>'");
            }
            return access.token(authorization.substring(7)).orElseThrow(() -> new AfsException(AfsError.ACCESS_DENIED,
                    "the bearer token is not one of the tokens in namespaces.yaml (tokens: {<name>: {sha256: ...}}); "
                            + "ask an operator for a token"));
        }
        if (!token.matches(ex.getRequestHeaders().getFirst(CallerToken.HEADER))) {
            throw new AfsException(AfsError.ACCESS_DENIED, "not authenticated: send a bearer token, or go through the mount,"
                    + " which attests your uid with " + token.file() + " (echo yes > /mnt/afs/approvals/<id>/approve;"
                    + " cat /mnt/afs/change_requests/<id>.status), or run afs as a user who can read the token file");
        }
        String uid = ex.getRequestHeaders().getFirst("X-Afs-Uid");
        if (uid == null) {
            throw new AfsException(AfsError.INVALID_ARGUMENT, "the X-Afs-Uid header is missing; use afs or the mount, "
                    + "which send the caller's uid");
        }
        try {
            String gid = ex.getRequestHeaders().getFirst("X-Afs-Gid");
            return access.unix(Integer.parseInt(uid), gid == null ? java.util.Set.of() : java.util.Set.of(Integer.parseInt(gid)));
        } catch (NumberFormatException e) {
            throw new AfsException(AfsError.INVALID_ARGUMENT, "X-Afs-Uid/Gid must be numbers");
        }
    }

    static byte[] readBody(HttpExchange ex, int max) throws IOException, AfsException {
        try (InputStream in = ex.getRequestBody()) {
            byte[] data = in.readNBytes(max + 1);
            if (data.length > max) {
                throw new AfsException(AfsError.TOO_LARGE, "the body is larger than the limit of " + max + " bytes");
            }
            return data;
        }
    }

    private static int httpStatus(AfsError e) {
        return switch (e) {
            case NOT_FOUND -> 404;
            case ACCESS_DENIED -> 403;
            case ALREADY_EXISTS -> 409;
            case TOO_LARGE -> 413;
            case UNAVAILABLE, BACKEND_FAILURE -> 503;
            case INTERNAL, NO_SPACE -> 500;
            default -> 400;
        };
    }

    private static int error(HttpExchange ex, int status, String code, String message, List<String> problems) throws IOException {
        ObjectNode body = Ledger.JSON.createObjectNode();
        body.put("error", code);
        body.put("message", message);
        ArrayNode p = body.putArray("problems");
        problems.forEach(p::add);
        return json(ex, status, body);
    }

    static int json(HttpExchange ex, int status, JsonNode body) throws IOException {
        return send(ex, status, "application/json", (body.toString() + "\n").getBytes(StandardCharsets.UTF_8));
    }

    static int send(HttpExchange ex, int status, String type, byte[] body) throws IOException {
        ex.getResponseHeaders().set("Content-Type", type);
        ex.sendResponseHeaders(status, body.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(body);
        }
        return status;
    }

    private static String required(Map<String, String> query, String key) throws AfsException {
        String v = query.get(key);
        if (v == null || v.isBlank()) {
            throw new AfsException(AfsError.INVALID_ARGUMENT, "missing ?" + key + "=; name the team and env the skill is for,"
                    + " e.g. /v1/skills/proposed?team=payments&env=prod&incident=INC-7");
        }
        return v;
    }

    private static Map<String, String> query(String raw) {
        Map<String, String> out = new HashMap<>();
        if (raw == null) {
            return out;
        }
        for (String kv : raw.split("&")) {
            int eq = kv.indexOf('=');
            if (eq > 0) {
                out.put(URLDecoder.decode(kv.substring(0, eq), StandardCharsets.UTF_8),
                        URLDecoder.decode(kv.substring(eq + 1), StandardCharsets.UTF_8));
            }
        }
        return out;
    }

    private static void closeQuietly(Harness h) {
        try {
            h.close();
        } catch (Exception e) {
            // closing on the way out: nothing more to do
        }
    }

}
