package dev.aegis.afs.harness;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.aegis.afs.core.AfsError;
import dev.aegis.afs.core.AfsException;
import dev.aegis.afs.core.access.AccessPolicy;
import dev.aegis.afs.core.access.Principal;
import dev.aegis.afs.harness.ChangeRequest.Action;
import dev.aegis.afs.harness.StoredRequest.StoredAction;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The change pipeline: validate (gates), approve, execute (or dry-run), verify, roll back.
 * Submission, validation and approvals run on one control thread; execution, verify and
 * rollback on one runner thread, so a long verify never holds up a submission or an approval.
 * Each state change is a SQLite transaction with its ledger entry and a compare-and-set on the
 * state, so the two threads cannot both move a request. Each state change runs with its ledger
 * entry. An action's intent (before-state and marker) is committed before Kubernetes is
 * called, so after a crash {@link #resume()} either confirms the action took effect or runs it
 * once; it never runs twice.
 */
public final class Harness implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Harness.class);

    /** Crash points for tests: called around each Kubernetes call. */
    public interface Probe {
        void at(String point, String requestId, int actionIndex);

        Probe NONE = (p, id, i) -> { };
    }

    /** Waits between verify polls; injected so tests do not sleep. */
    public interface Sleeper {
        void sleep(Duration d) throws InterruptedException;
    }

    /** A submission's outcome; {@code duplicate} when an identical earlier request was returned. */
    public record Submission(StoredRequest request, boolean duplicate) {
    }

    private static final java.util.regex.Pattern ID = java.util.regex.Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");

    private final HarnessConfig.Policy policy;
    private final ChangePolicies policies;
    private final EvidenceGate evidenceGate;
    private final Gates gates;
    private final Cluster cluster;
    private final RequestStore store;
    private final Clock clock;
    private final AccessPolicy access;
    private final HarnessMetrics metrics;
    private final Probe probe;
    private final Sleeper sleeper;
    /** Present with execution: agents: actions are leased as signed intents instead of run here. */
    private final Optional<IntentLeasing> leasing;
    /** The incidents change requests belong to (replaced by {@link #useIncidents} with harness.yaml's settings). */
    private volatile Incidents incidents;
    /** How long a replica's claim on a request lasts without renewal (each step renews it). */
    static final Duration CLAIM = Duration.ofMinutes(10);
    /** This harness among replicas sharing one database: the same across its restarts (data_dir/replica.id). */
    private final String replica;
    /** Where evidence bundles are assembled before they are sent (data_dir/exports, 0700). */
    private Path exportDir;
    private Ledger ledger;
    /** Skills and guardrail changes (kind: skill|guardrail requests); set by {@link #library}. */
    private volatile SkillLibrary library;
    private Path dataDir;
    private final ExecutorService runner = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "afs-harness-runner");
        t.setDaemon(true);
        return t;
    });
    /**
     * How often a replica looks for requests another replica left half-run (it died holding
     * them, or between storing an agent's result and taking the next step), and how long such
     * a request must have stood still first.
     */
    static final Duration SWEEP_EVERY = Duration.ofSeconds(10);
    private final java.util.concurrent.ScheduledExecutorService sweeper = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "afs-harness-sweep");
        t.setDaemon(true);
        return t;
    });
    private final ExecutorService worker = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "afs-harness-control");
        t.setDaemon(true);
        return t;
    });

    private Harness(HarnessConfig.Policy policy, ChangePolicies policies, EvidenceGate evidenceGate, Cluster cluster,
                    RequestStore store, Clock clock, AccessPolicy access, HarnessMetrics metrics, Probe probe,
                    Sleeper sleeper, Optional<IntentLeasing> leasing, String replica) {
        this.leasing = leasing;
        this.replica = replica;
        this.policy = policy;
        this.policies = policies;
        this.evidenceGate = evidenceGate;
        this.cluster = cluster;
        this.store = store;
        this.clock = clock;
        this.access = access;
        this.metrics = metrics;
        this.probe = probe;
        this.sleeper = sleeper;
        this.incidents = new Incidents(store, new IncidentScopes(Map.of()), policies, IncidentSettings.DEFAULT,
                java.net.URI.create("http://127.0.0.1"), clock, metrics);
        this.gates = new Gates(policy, evidenceGate, new Guardrails(), cluster, store, clock, metrics, access,
                policies.graphs(), policies.histories(), () -> this.incidents);
        metrics.requestsByState(() -> {
            try {
                return store.countByState();
            } catch (SQLException e) {
                throw new IllegalStateException(e);
            }
        });
    }

    /** Everything the harness needs; {@link #open} creates the key, ledger and database under dataDir. */
    public record Setup(Path dataDir, HarnessConfig.Policy policy, ChangePolicies policies, EvidenceGate evidence,
                        KubernetesClient client, Clock clock, AccessPolicy access, HarnessMetrics metrics, Probe probe,
                        Sleeper sleeper, Ledger.Witness witness, Optional<IntentLeasing> leasing, StoreSettings store) {

        /**
         * With {@code leasing} (execution: agents), {@code client} must hold read-only credentials
         * (the mount's Kubernetes backend): it is used only for the gates' live state and verify.
         */
        public Setup(Path dataDir, HarnessConfig.Policy policy, ChangePolicies policies, EvidenceGate evidence,
                     KubernetesClient client, Clock clock, AccessPolicy access, HarnessMetrics metrics, Probe probe,
                     Sleeper sleeper, Ledger.Witness witness, Optional<IntentLeasing> leasing) {
            this(dataDir, policy, policies, evidence, client, clock, access, metrics, probe, sleeper, witness, leasing,
                    StoreSettings.SQLITE);
        }

        public Setup(Path dataDir, HarnessConfig.Policy policy, ChangePolicies policies, EvidenceGate evidence,
                     KubernetesClient client, Clock clock, AccessPolicy access, HarnessMetrics metrics, Probe probe,
                     Sleeper sleeper) {
            this(dataDir, policy, policies, evidence, client, clock, access, metrics, probe, sleeper, Ledger.Witness.NONE);
        }

        public Setup(Path dataDir, HarnessConfig.Policy policy, ChangePolicies policies, EvidenceGate evidence,
                     KubernetesClient client, Clock clock, AccessPolicy access, HarnessMetrics metrics, Probe probe,
                     Sleeper sleeper, Ledger.Witness witness) {
            this(dataDir, policy, policies, evidence, client, clock, access, metrics, probe, sleeper, witness, Optional.empty(),
                    StoreSettings.SQLITE);
        }

        /** The same setup on another store. */
        public Setup withStore(StoreSettings other) {
            return new Setup(dataDir, policy, policies, evidence, client, clock, access, metrics, probe, sleeper, witness, leasing,
                    other);
        }

        public Setup {
            requireNonNull(dataDir, "dataDir is null");
            requireNonNull(policy, "policy is null");
            requireNonNull(policies, "policies is null");
            requireNonNull(evidence, "evidence is null");
            requireNonNull(client, "client is null");
            requireNonNull(clock, "clock is null");
            requireNonNull(access, "access is null");
            requireNonNull(metrics, "metrics is null");
            requireNonNull(probe, "probe is null");
            requireNonNull(sleeper, "sleeper is null");
            requireNonNull(witness, "witness is null");
            requireNonNull(leasing, "leasing is null");
            requireNonNull(store, "store is null");
        }
    }

    public static Path ledgerPath(Path dataDir) {
        return dataDir.resolve("ledger.jsonl");
    }

    public static Path keyPath(Path dataDir) {
        return dataDir.resolve("ledger.key");
    }

    /** Opens (or creates) the data dir and repairs the ledger file from the database. Call {@link #resume()} next. */
    public static Harness open(Setup s) throws IOException {
        PrivateFiles.directory(s.dataDir());
        Path older = s.dataDir().resolve("signing.key"); // its name before docs/trust-model.md
        if (Files.exists(older) && !Files.exists(keyPath(s.dataDir()))) {
            Files.move(older, keyPath(s.dataDir()));
        }
        SigningKey key = SigningKey.loadOrCreate(keyPath(s.dataDir()), new SecureRandom());
        Ledger ledger = new Ledger(ledgerPath(s.dataDir()), key, s.clock(), s.witness());
        try {
            RequestStore store = openStore(s, ledger);
            store.flushLedger();
            Harness harness = new Harness(s.policy(), s.policies(), s.evidence(),
                    new Cluster(s.client()), store, s.clock(), s.access(), s.metrics(), s.probe(), s.sleeper(), s.leasing(),
                    replicaId(s.dataDir()));
            harness.exportDir = PrivateFiles.directory(s.dataDir().resolve("exports"));
            // a bundle left by a crash mid-send holds copies of evidence: nobody will fetch it now
            try (java.util.stream.Stream<Path> left = Files.list(harness.exportDir)) {
                for (Path p : left.toList()) {
                    Files.deleteIfExists(p);
                }
            }
            harness.ledger = ledger;
            harness.dataDir = s.dataDir();
            harness.library(Optional.empty(), dev.aegis.afs.core.access.AccessList.NOBODY);
            return harness;
        } catch (SQLException e) {
            throw new IOException("cannot open the harness database " + (s.store() instanceof StoreSettings.Postgres pg
                    ? pg.url() : "in " + s.dataDir()) + ": " + e.getMessage()
                    + (s.store() instanceof StoreSettings.Postgres ? "" : "; check data_dir is writable"), e);
        }
    }

    /**
     * This harness's name among replicas on one database, kept in data_dir so that a restarted
     * harness takes up its own claims at once (another replica would wait for them to lapse).
     */
    static String replicaId(Path dataDir) throws IOException {
        Path file = dataDir.resolve("replica.id");
        if (!Files.exists(file)) {
            Path temp = PrivateFiles.file(dataDir.resolve("replica.id.tmp"));
            Files.writeString(temp, "harness-" + HexFormat.of().formatHex(randomBytes()) + "\n");
            Files.move(temp, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        }
        return Files.readString(file).strip();
    }

    /**
     * SQLite in data_dir, or the shared PostgreSQL database. With PostgreSQL the ledger file in
     * data_dir is this replica's copy of the one chain in the database, every replica's entries
     * in order; the replicas share one ledger key, so the whole chain verifies under it.
     */
    private static RequestStore openStore(Setup s, Ledger ledger) throws IOException, SQLException {
        if (s.store() instanceof StoreSettings.Postgres pg) {
            return new PostgresRequestStore(PostgresDatabase.open(pg), ledger, s.clock());
        }
        return new SqliteRequestStore(PrivateFiles.file(s.dataDir().resolve("harness.db")), ledger, s.clock());
    }

    /** The ledger public key as docs/trust-model.md writes it (base64url), for the operator to pin. */
    public static String ledgerPublicKey(Path dataDir) throws IOException {
        return SigningKey.loadOrCreate(keyPath(dataDir), new SecureRandom()).publicKeyBase64Url();
    }

    /**
     * Where approved skills are written ({@code skillsDir}: the library the mounts show at
     * /context/skills) and who alone may approve a skill for the shared library or a loosened
     * guardrail ({@code platformApprovers}). Call before {@link #resume()}.
     */
    public void library(Optional<Path> skillsDir, dev.aegis.afs.core.access.AccessList platformApprovers) {
        this.library = new SkillLibrary(skillsDir, dataDir.resolve("guardrails"), platformApprovers, access);
    }

    /**
     * Incidents with harness.yaml's {@code incidents:} settings and namespaces.yaml's scopes;
     * links in notifications start with {@code publicUrl}. Call before {@link #resume()}.
     */
    public Incidents useIncidents(IncidentSettings settings, IncidentScopes scopes, java.net.URI publicUrl) {
        Incidents old = incidents;
        incidents = new Incidents(store, scopes, policies, settings, publicUrl, clock, metrics);
        old.close();
        return incidents;
    }

    public Incidents incidents() {
        return incidents;
    }

    /**
     * Picks up every request a previous run left unfinished, then sweeps every
     * {@link #SWEEP_EVERY} for requests another replica left half-run (see {@link #sweep}).
     */
    public void resume() throws AfsException {
        for (StoredRequest r : call(store::unfinished)) {
            schedule(r.id());
        }
        sweeper.scheduleWithFixedDelay(() -> {
            try {
                sweep();
            } catch (AfsException | RuntimeException e) {
                LOG.warn("sweep for half-run requests failed ({}); trying again in {}", e.getMessage(), SWEEP_EVERY);
            }
        }, SWEEP_EVERY.toMillis(), SWEEP_EVERY.toMillis(), TimeUnit.MILLISECONDS);
    }

    /**
     * Schedules every request that has a step to take and that no live replica is taking: its
     * claim lapsed (the replica holding it died) or nobody claimed it (a replica stored an
     * agent's result and died before the next step), and it stood still for a sweep interval.
     * The claim decides which replica runs each step, and an action leased again reaches the
     * agent under the same idempotency key, which the agent runs at most once. Returns the ids.
     */
    public List<String> sweep() throws AfsException {
        long now = clock.millis();
        List<String> stalled = read(() -> store.stalled(now, now - SWEEP_EVERY.toMillis()));
        for (String id : stalled) {
            LOG.info("change request {}: no replica is running it; taking it up", id);
            schedule(id);
        }
        return stalled;
    }

    // ---- API ----

    public Submission submit(byte[] document, Principal caller) throws AfsException, PlanProblems {
        return submit(document, caller, Optional.empty());
    }

    /**
     * Submits under a chosen id (the FUSE file name {@code /change_requests/<id>.yaml}). An id
     * already taken is ALREADY_EXISTS, unless its submitter sends a changed plan while it still
     * waits (PENDING_APPROVAL or APPROVED): then the plan is replaced, validated again, and the
     * approvals given to the earlier plan count for nothing.
     */
    public Submission submit(byte[] document, Principal caller, Optional<String> chosenId) throws AfsException, PlanProblems {
        if (chosenId.isPresent() && !ID.matcher(chosenId.get()).matches()) {
            throw new AfsException(AfsError.INVALID_ARGUMENT, "'" + chosenId.get() + "' is not a request id; use up to 64 "
                    + "letters, digits, '.', '_' or '-', starting with a letter or digit");
        }
        String name = "change-request" + chosenId.map(n -> " " + n).orElse("");
        if (LibraryChange.isLibraryChange(document)) {
            return submitLibrary(LibraryChange.parse(name, document), document, caller, chosenId);
        }
        ChangeRequest cr = ChangeRequestParser.parse(name, document);
        String sha = sha256(document);
        Optional<String> refused = access.proposeProblem(caller, cr.team(), cr.env());
        if (refused.isPresent()) {
            metrics.gateFailure("proposer");
            call(() -> store.inTransaction(tx -> {
                tx.recordFor(chosenId.orElse(""), cr.team(), cr.env(), "refused", caller.id(),
                        RequestStore.detail("reason", refused.get(), "document_sha256", sha));
                return null;
            }));
            throw new AfsException(AfsError.ACCESS_DENIED, "REJECTED: " + refused.get() + "; nothing was submitted");
        }
        Submission s = call(() -> create(cr, document, sha, caller, chosenId));
        if (s.duplicate()) {
            return s;
        }
        StoredRequest validated = call(() -> {
            validate(s.request().id());
            return existing(s.request().id());
        });
        schedule(validated.id());
        return new Submission(validated, false);
    }

    /** Reads go straight to the database, so status stays available while a step runs on the worker. */
    public StoredRequest get(String id) throws AfsException {
        return read(() -> store.get(id)).orElseThrow(() -> new AfsException(AfsError.NOT_FOUND,
                "no change request " + id + "; list them with afs plan list"));
    }

    /**
     * The request as {@code viewer} may see it: a request of an env it may not read is
     * NOT_FOUND, exactly like one that does not exist, so its existence is not revealed either.
     */
    public StoredRequest get(String id, Principal viewer) throws AfsException {
        StoredRequest r = get(id);
        if (!access.canRead(viewer, r.team(), r.env())) {
            throw new AfsException(AfsError.NOT_FOUND, "no change request " + id + "; list them with afs plan list");
        }
        return r;
    }

    /**
     * The request's newest risk report (YAML), as {@code viewer} may see it. It is kept in the
     * store beside the gate report, so every replica sharing the database serves it.
     */
    public String risk(String id, Principal viewer) throws AfsException {
        get(id, viewer);
        return read(() -> store.risk(id)).orElseThrow(() -> new AfsException(AfsError.NOT_FOUND, "change request " + id
                + " has no risk report yet: it is written when the request is validated; read " + id + ".status"));
    }

    public List<StoredRequest> list(int limit) throws AfsException {
        return read(() -> store.list(limit));
    }

    /** The newest requests of envs {@code viewer} may read. */
    public List<StoredRequest> list(int limit, Principal viewer) throws AfsException {
        return read(() -> store.list(100_000)).stream().filter(r -> access.canRead(viewer, r.team(), r.env()))
                .limit(limit).toList();
    }

    /** Requests not yet final: the retention sweep keeps the evidence they cite. */
    public List<StoredRequest> open() throws AfsException {
        return read(() -> store.list(Integer.MAX_VALUE)).stream().filter(r -> !r.state().terminal()).toList();
    }

    public StoredRequest approve(String id, Principal caller) throws AfsException {
        call(() -> {
            StoredRequest r = visible(id, caller);
            if (r.state() != State.PENDING_APPROVAL) {
                throw new AfsException(AfsError.INVALID_ARGUMENT, "request " + id + " is " + r.state()
                        + ", not PENDING_APPROVAL; there is nothing to approve");
            }
            Optional<String> problem = libraryChange(r).map(c -> library.approverProblem(c, caller))
                    .orElseGet(() -> access.approveProblem(caller, r.team(), r.env()));
            if (caller.agent() && problem.isPresent()) {
                metrics.gateFailure("approval"); // the most basic reason first: an agent never approves
                throw new AfsException(AfsError.ACCESS_DENIED, problem.get());
            }
            if (caller.person().equals(r.submitterPerson())) {
                metrics.gateFailure("approval");
                throw new AfsException(AfsError.ACCESS_DENIED, caller.person() + " submitted request " + id
                        + " and cannot approve it; ask another approver");
            }
            if (problem.isPresent()) {
                metrics.gateFailure("approval");
                throw new AfsException(AfsError.ACCESS_DENIED, problem.get());
            }
            ChangePolicy p = policies.policy(r.team(), r.env());
            long now = clock.millis();
            List<String> valid = r.validApprovers(now, p.approvalTtl().toMillis());
            if (valid.contains(caller.person())) {
                throw new AfsException(AfsError.ALREADY_EXISTS, caller.person() + " already approved request " + id
                        + "; two-person approval needs a different person (one person is one approval, whichever way they approve)");
            }
            int count = valid.size() + 1;
            List<String> expired = r.approvals().stream().filter(a -> a.planSha256().equals(r.documentSha256())
                    && !valid.contains(a.person()) && !a.person().equals(caller.person())).map(a -> "approval: the approval of "
                    + a.person() + " expired (older than changes.approval_ttl " + p.approvalTtl().toSeconds()
                    + "s) and counts for nothing; approve again").distinct().filter(x -> !r.reasons().contains(x)).toList();
            if (!expired.isEmpty()) {
                addReasons(id, expired, "approvals_expired");
            }
            store.inTransaction(tx -> {
                tx.update("INSERT INTO plan_approvals(request_id, person, principal, plan_sha, at_ms) VALUES (?, ?, ?, ?, ?) "
                        + "ON CONFLICT (request_id, person, plan_sha) DO UPDATE SET principal = excluded.principal, at_ms = excluded.at_ms",
                        id, caller.person(), caller.id(), r.documentSha256(), now);
                tx.record(id, "approve", caller.id(), RequestStore.detail("person", caller.person(), "plan_sha256",
                        r.documentSha256(), "approvals", count, "required", r.requiredApprovals()));
                if (count >= r.requiredApprovals()) {
                    tx.transition(id, State.PENDING_APPROVAL, Optional.of(r.documentSha256()), State.APPROVED, caller.id(), null);
                }
                return null;
            });
            if (count >= r.requiredApprovals()) {
                metrics.transition(State.PENDING_APPROVAL, State.APPROVED);
                metrics.approvalWait(java.time.Duration.ofMillis(clock.millis() - r.createdMillis()));
            }
            return null;
        });
        schedule(id);
        return get(id);
    }

    public StoredRequest reject(String id, Principal caller, String reason) throws AfsException {
        if (reason == null || reason.isBlank()) {
            throw new AfsException(AfsError.INVALID_ARGUMENT, "a rejection needs a reason; pass --reason \"...\"");
        }
        call(() -> {
            StoredRequest r = visible(id, caller);
            if (r.state() != State.PENDING_APPROVAL) {
                throw new AfsException(AfsError.INVALID_ARGUMENT, "request " + id + " is " + r.state()
                        + ", not PENDING_APPROVAL; only pending requests can be rejected (use cancel before execution)");
            }
            Optional<String> problem = access.approveProblem(caller, r.team(), r.env());
            if (problem.isPresent()) {
                throw new AfsException(AfsError.ACCESS_DENIED, problem.get() + "; the submitter can cancel instead");
            }
            move(r, State.REJECTED, caller.id(), List.of("rejected by " + caller.person() + ": " + reason),
                    RequestStore.detail("reason", reason));
            return null;
        });
        return get(id);
    }

    public StoredRequest cancel(String id, Principal caller) throws AfsException {
        call(() -> {
            StoredRequest r = visible(id, caller);
            if (!r.state().canMoveTo(State.CANCELLED)) {
                throw new AfsException(AfsError.INVALID_ARGUMENT, "request " + id + " is " + r.state()
                        + " and can no longer be cancelled");
            }
            if (!caller.person().equals(r.submitterPerson()) && access.approveProblem(caller, r.team(), r.env()).isPresent()) {
                throw new AfsException(AfsError.ACCESS_DENIED, "only the submitter (" + r.submitter()
                        + ") or an approver can cancel request " + id);
            }
            move(r, State.CANCELLED, caller.id(), List.of("cancelled by " + caller.person()), null);
            return null;
        });
        return get(id);
    }

    /** The request, when {@code caller} may read its env; NOT_FOUND otherwise, as if it did not exist. */
    private StoredRequest visible(String id, Principal caller) throws SQLException, AfsException {
        StoredRequest r = existing(id);
        if (!access.canRead(caller, r.team(), r.env())) {
            throw new AfsException(AfsError.NOT_FOUND, "no change request " + id + "; list them with afs plan list");
        }
        return r;
    }

    // ---- what a reviewer sees (the web page) ----

    /** The plan of a stored request, parsed again. */
    public ChangeRequest plan(StoredRequest r) throws AfsException {
        try {
            return ChangeRequestParser.parse("change-request " + r.id(), r.document().getBytes(StandardCharsets.UTF_8));
        } catch (PlanProblems e) {
            throw new AfsException(AfsError.INTERNAL, "stored request " + r.id() + " no longer parses: " + e.getMessage());
        }
    }

    /** Each cited snapshot verified now (re-hashed, signature and registration checked), as the evidence gate does. */
    public List<EvidenceGate.Verdict> verifyEvidence(StoredRequest r) throws AfsException {
        return evidenceGate.verify(r.team(), r.env(), plan(r).evidence());
    }

    /** The cited lines of a snapshot that {@link #verifyEvidence} passed. */
    public List<String> evidenceLines(ChangeRequest.EvidencePointer p, int max) throws AfsException {
        try {
            return evidenceGate.lines(p.id(), p.firstLine(), p.lastLine(), max);
        } catch (IOException e) {
            throw new AfsException(AfsError.NOT_FOUND, "snapshot " + p.id() + " cannot be read: " + e.getMessage());
        }
    }

    /** What each action's target looks like now (read only), for a reviewer to compare with the plan. */
    public List<String> liveBefore(StoredRequest r) throws AfsException {
        ChangeRequest cr = plan(r);
        ChangePolicy p = policies.policy(r.team(), r.env());
        List<String> out = new ArrayList<>();
        for (Action a : cr.actions()) {
            Optional<String> ns = p.namespaceFor(a.target().namespace());
            try {
                out.add(ns.isEmpty() ? "namespace not allowed" : cluster.beforeState(a, ns.get()).toString());
            } catch (Cluster.TargetMissing | KubernetesClientException e) {
                out.add("cannot read the live state: " + e.getMessage());
            }
        }
        return out;
    }

    /** The ledger entries of one request, oldest first (call it only for a request the viewer may read). */
    public List<String> history(String id) throws AfsException {
        return read(() -> store.ledgerOf(id));
    }

    /**
     * The evidence bundle of {@code incident} as {@code viewer} may see it (see {@link IncidentExport}):
     * a new tar.gz in data_dir/exports that the caller sends and deletes.
     */
    public Path exportIncident(String incident, Principal viewer) throws AfsException {
        return read(() -> new IncidentExport(store, ledger, access, evidenceGate, clock, exportDir).export(incident, viewer));
    }

    /** Ledger lines from {@code fromSeq} (1-based). */
    public List<String> ledger(long fromSeq, int limit) throws AfsException {
        return read(() -> store.ledgerLines(fromSeq, limit));
    }

    /**
     * The ledger as {@code viewer} may see it: entries of envs it may read in full, every other
     * entry as its seq, prev and hash only, so the chain still links and a tenant learns
     * nothing of another team's plans, hypotheses or targets.
     */
    public List<String> ledger(long fromSeq, int limit, Principal viewer) throws AfsException {
        List<String> out = new ArrayList<>();
        for (RequestStore.LedgerRow row : read(() -> store.ledgerRows(fromSeq, limit))) {
            if (viewer.isRoot() || (!row.team().isEmpty() && access.canRead(viewer, row.team(), row.env()))) {
                out.add(row.line());
            } else {
                out.add(row.hiddenLine());
            }
        }
        return out;
    }

    private static <T> T read(Callable<T> query) throws AfsException {
        try {
            return query.call();
        } catch (AfsException e) {
            throw e;
        } catch (RequestStore.Unavailable e) {
            throw new AfsException(AfsError.UNAVAILABLE, e.getMessage(), e);
        } catch (Exception e) {
            throw new AfsException(AfsError.INTERNAL, "cannot read the harness database: " + e.getMessage(), e);
        }
    }

    /** The store (tests). */
    RequestStore store() {
        return store;
    }

    /** Waits until every queued step has run (tests, shutdown). */
    public void awaitIdle() throws AfsException {
        call(() -> null);
        try {
            runner.submit(() -> null).get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException e) {
            throw new AfsException(AfsError.INTERNAL, "harness runner failed: " + e.getCause(), e.getCause());
        }
        call(() -> null);
    }

    @Override
    public void close() throws Exception {
        sweeper.shutdownNow();
        incidents.close();
        worker.shutdown();
        runner.shutdown();
        if (!worker.awaitTermination(30, TimeUnit.SECONDS)) {
            worker.shutdownNow();
        }
        if (!runner.awaitTermination(30, TimeUnit.SECONDS)) {
            runner.shutdownNow();
        }
        store.close();
    }

    // ---- pipeline: create/validate on the control thread, steps on the runner ----

    private Submission create(ChangeRequest cr, byte[] document, String sha, Principal caller, Optional<String> chosenId)
            throws SQLException, AfsException {
        if (chosenId.isPresent()) {
            Optional<StoredRequest> taken = store.get(chosenId.get());
            if (taken.isPresent() && access.canRead(caller, taken.get().team(), taken.get().env())) {
                StoredRequest t = taken.get();
                if (t.documentSha256().equals(sha)) {
                    return new Submission(t, true);
                }
                if ((t.state() == State.PENDING_APPROVAL || t.state() == State.APPROVED)
                        && caller.person().equals(t.submitterPerson()) && t.team().equals(cr.team()) && t.env().equals(cr.env())) {
                    return amend(t, cr, document, sha, caller);
                }
            }
            if (taken.isPresent()) {
                throw new AfsException(AfsError.ALREADY_EXISTS, "a change request named " + chosenId.get()
                        + " already exists; choose another name");
            }
        }
        Optional<String> earlier = Optional.empty();
        for (Action a : cr.actions()) {
            Optional<String> holder = store.requestWithKey(a.idempotencyKey());
            if (holder.isPresent()) {
                StoredRequest e = store.get(holder.get()).orElseThrow();
                if (!e.documentSha256().equals(sha) || (earlier.isPresent() && !earlier.get().equals(e.id()))) {
                    metrics.gateFailure("idempotency");
                    throw new AfsException(AfsError.ALREADY_EXISTS, a.field() + ".idempotency_key '" + a.idempotencyKey()
                            + "' was already used by request " + e.id() + " (" + e.state() + ") for a different change;"
                            + " resubmit that exact document to get its outcome, or use a new key for a new change");
                }
                earlier = Optional.of(e.id());
            }
        }
        if (earlier.isPresent()) {
            return new Submission(store.get(earlier.get()).orElseThrow(), true);
        }
        ChangePolicy p = policies.policy(cr.team(), cr.env());
        String id = chosenId.orElseGet(() -> "cr-" + HexFormat.of().formatHex(randomBytes()));
        long now = clock.millis();
        store.inTransaction(tx -> {
            tx.update("INSERT INTO requests(id, incident, team, env, submitter, submitter_person, state, mode, document, doc_sha, "
                            + "created_ms, updated_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", id, cr.incidentId(), cr.team(),
                    cr.env(), caller.id(), caller.person(), State.SUBMITTED.name(), p.mode().name(), new String(document, StandardCharsets.UTF_8), sha,
                    now, now);
            for (int i = 0; i < cr.actions().size(); i++) {
                Action a = cr.actions().get(i);
                tx.update("INSERT INTO actions(request_id, idx, idempotency_key, tool, target, status) VALUES (?, ?, ?, ?, ?, ?)",
                        id, i, a.idempotencyKey(), a.tool().wireName(), targetKey(cr, p, a), "PLANNED");
            }
            tx.record(id, "submit", caller.id(), RequestStore.detail("to", State.SUBMITTED.name(), "incident", cr.incidentId(),
                    "team", cr.team(), "env", cr.env(), "mode", p.mode().name(), "document_sha256", sha,
                    "hypothesis", cr.hypothesis(), "confidence", cr.confidence()));
            return null;
        });
        metrics.transition(null, State.SUBMITTED);
        return new Submission(store.get(id).orElseThrow(), false);
    }

    /**
     * Replaces the plan of a waiting request by its submitter's new one: its actions are
     * re-planned, it is validated again, and approvals (bound to the old plan's hash) no longer count.
     */
    private Submission amend(StoredRequest t, ChangeRequest cr, byte[] document, String sha, Principal caller)
            throws SQLException, AfsException {
        for (Action a : cr.actions()) {
            Optional<String> holder = store.requestWithKey(a.idempotencyKey());
            if (holder.isPresent() && !holder.get().equals(t.id())) {
                metrics.gateFailure("idempotency");
                throw new AfsException(AfsError.ALREADY_EXISTS, a.field() + ".idempotency_key '" + a.idempotencyKey()
                        + "' was already used by request " + holder.get() + "; use a new key for a new change");
            }
        }
        ChangePolicy p = policies.policy(cr.team(), cr.env());
        store.inTransaction(tx -> {
            tx.update("UPDATE requests SET document = ?, doc_sha = ?, incident = ?, required_approvals = 0 WHERE id = ? AND state = ?",
                    new String(document, StandardCharsets.UTF_8), sha, cr.incidentId(), t.id(), t.state().name());
            tx.update("DELETE FROM actions WHERE request_id = ?", t.id());
            for (int i = 0; i < cr.actions().size(); i++) {
                Action a = cr.actions().get(i);
                tx.update("INSERT INTO actions(request_id, idx, idempotency_key, tool, target, status) VALUES (?, ?, ?, ?, ?, ?)",
                        t.id(), i, a.idempotencyKey(), a.tool().wireName(), targetKey(cr, p, a), "PLANNED");
            }
            tx.transition(t.id(), t.state(), State.VALIDATING, caller.id(), RequestStore.detail("amended", true,
                    "document_sha256", sha, "previous_document_sha256", t.documentSha256(),
                    "note", "the plan changed: approvals of the previous plan no longer count"));
            return null;
        });
        metrics.transition(t.state(), State.VALIDATING);
        return new Submission(store.get(t.id()).orElseThrow(), false);
    }

    private void schedule(String id) {
        runner.submit(() -> {
            boolean claimed = false;
            Optional<State> stoppedAt = Optional.empty();
            try {
                // with replicas on one database only the holder of the claim runs the steps; it is renewed per step
                while (claimed = store.claim(id, replica, clock.millis() + CLAIM.toMillis())) {
                    if (!step(id)) {
                        stoppedAt = state(id);
                        break; // the request waits (approval, an agent) or is finished
                    }
                }
                if (!claimed) {
                    LOG.info("change request {}: another harness replica runs it", id);
                }
            } catch (RequestStore.ConcurrentChange e) {
                LOG.info("change request {}: {} (cancelled meanwhile); not continuing", id, e.getMessage());
            } catch (Exception e) {
                LOG.error("change request {} stopped at an unexpected error; it is resumed on the next start", id, e);
            } finally {
                if (claimed) {
                    try {
                        store.release(id, replica);
                    } catch (SQLException e) {
                        LOG.warn("change request {}: cannot give up its claim ({}); it lapses after {}", id, e.getMessage(), CLAIM);
                    }
                }
                Optional<State> now = stoppedAt.isPresent() ? state(id) : Optional.empty();
                if (now.isPresent() && !now.equals(stoppedAt) && RUNNABLE.contains(now.get())) {
                    schedule(id); // moved on (say, approved at another replica) while this one still held the claim
                }
            }
        });
    }

    /** States in which the runner has a step to take. */
    private static final java.util.Set<State> RUNNABLE = java.util.EnumSet.of(State.SUBMITTED, State.VALIDATING,
            State.APPROVED, State.EXECUTING, State.VERIFYING);

    private Optional<State> state(String id) {
        try {
            return store.get(id).map(StoredRequest::state);
        } catch (SQLException e) {
            return Optional.empty(); // the database is away: resumed on the next start
        }
    }

    /** Runs one step of {@code id}; true when another step should follow at once. */
    private boolean step(String id) throws Exception {
        StoredRequest r = existing(id);
        Optional<LibraryChange> change = libraryChange(r);
        if (change.isPresent()) {
            return stepLibrary(r, change.get());
        }
        ChangeRequest cr;
        try {
            cr = ChangeRequestParser.parse("change-request", r.document().getBytes(StandardCharsets.UTF_8));
        } catch (PlanProblems e) {
            throw new IllegalStateException("stored request " + id + " no longer parses: " + e.getMessage(), e);
        }
        ChangePolicy p = policies.policy(r.team(), r.env());
        switch (r.state()) {
            case SUBMITTED, VALIDATING -> {
                call(() -> {
                    validate(id);
                    return null;
                });
                return true;
            }
            case APPROVED -> {
                if (recheck(r, cr, p, State.APPROVED)) {
                    moveIfPlan(r, State.EXECUTING, List.of(), RequestStore.detail("mode", r.mode().name(),
                            "rechecked", "evidence, policy, guardrails, windows, budget, loops and approvals held at execution"));
                }
                return true;
            }
            case EXECUTING -> {
                if (leasing.isPresent()) {
                    return queueNext(r, cr, p, leasing.get());
                }
                execute(r, cr, p);
                return true;
            }
            case VERIFYING -> {
                verify(r, cr, p);
                return true;
            }
            case FAILED -> {
                rollback(r, cr, p);
                return false;
            }
            default -> {
                return false;
            }
        }
    }

    private void validate(String id) throws Exception {
        StoredRequest r = existing(id);
        if (r.state() == State.SUBMITTED) {
            move(r, State.VALIDATING, HARNESS, List.of(), null);
            r = existing(id);
        }
        if (r.state() != State.VALIDATING) {
            return;
        }
        Optional<LibraryChange> change = libraryChange(r);
        if (change.isPresent()) {
            validateLibrary(r, change.get());
            return;
        }
        ChangeRequest cr = ChangeRequestParser.parse("change-request", r.document().getBytes(StandardCharsets.UTF_8));
        ChangePolicy p = policies.policy(r.team(), r.env());
        Gates.Result gates = this.gates.run(id, r, cr, p, "submit");
        incidents.apiCalls(cr.incidentId(), cr.actions().size()); // the gates read each live target once
        List<String> failures = gates.failures();
        List<String> notes = gates.notes();
        int required = gates.requiredApprovals();
        StoredRequest current = r;
        store.inTransaction(tx -> {
            tx.saveGates(id, gates.report());
            tx.saveRisk(id, gates.risk().yaml(id));
            return null;
        });
        // notes (low confidence, loops) raise the approvals; they are not why a request is rejected
        ObjectNode noted = notes.isEmpty() ? null : RequestStore.detail("notes", notes);
        if (!failures.isEmpty()) {
            move(current, State.REJECTED, HARNESS, failures, noted);
            return;
        }
        int req = required;
        store.inTransaction(tx -> {
            tx.update("UPDATE requests SET required_approvals = ? WHERE id = ?", req, id);
            return null;
        });
        // approvals given to this very plan (e.g. before a restart) still count
        StoredRequest fresh = existing(id);
        int valid = fresh.validApprovers(clock.millis(), p.approvalTtl().toMillis()).size();
        ObjectNode detail = RequestStore.detail("required_approvals", req);
        if (!notes.isEmpty()) {
            detail.set("notes", Ledger.JSON.valueToTree(notes));
        }
        move(fresh, req <= valid ? State.APPROVED : State.PENDING_APPROVAL, HARNESS, List.of(), detail);
        if (gates.escalation().isPresent()) {
            incidents.escalate(cr.incidentId(), "repeated_action", gates.escalation().get(), HARNESS);
        }
    }

    /**
     * The gates again, right before an action runs: evidence (via the evidence gate), the
     * allowlist and CEL guardrails against the live target, freeze and change windows, budget,
     * loops, and that enough approvals for this exact plan are still valid. A failure moves the
     * request on (REJECTED; PENDING_APPROVAL where new approvals would fix it; FAILED once an
     * action has run, so the done ones roll back) and nothing runs. The move is conditional on
     * the state and the plan's hash, so a plan amended meanwhile never runs unchecked.
     *
     * @return true when the action may run
     */
    private boolean recheck(StoredRequest r, ChangeRequest cr, ChangePolicy p, State from) throws Exception {
        Gates.Result g = gates.run(r.id(), r, cr, p, "execution");
        incidents.apiCalls(cr.incidentId(), cr.actions().size());
        store.inTransaction(tx -> {
            tx.saveGates(r.id(), g.report());
            tx.saveRisk(r.id(), g.risk().yaml(r.id()));
            return null;
        });
        List<String> failures = g.failures().stream().map(f -> "at execution: " + f).toList();
        State failTo = from == State.APPROVED ? State.REJECTED : State.FAILED;
        if (!failures.isEmpty()) {
            moveIfPlan(r, failTo, failures, RequestStore.detail("recheck", "failed"));
            return false;
        }
        int required = Math.max(g.requiredApprovals(), r.requiredApprovals());
        List<String> valid = r.validApprovers(clock.millis(), p.approvalTtl().toMillis());
        if (valid.size() < required) {
            long stale = r.approvals().stream().filter(a -> !valid.contains(a.person())).count();
            String why = "at execution: approval: " + valid.size() + " valid approval(s) of " + required + " required"
                    + (stale > 0 ? "; " + stale + " approval(s) no longer count (given to an earlier plan, or older than "
                    + "changes.approval_ttl " + p.approvalTtl().toMinutes() + " min)" : "")
                    + "; approve again (echo yes > /approvals/" + r.id() + "/approve)";
            metrics.gateFailure("approval");
            if (from == State.APPROVED) {
                store.inTransaction(tx -> {
                    tx.update("UPDATE requests SET required_approvals = ? WHERE id = ?", required, r.id());
                    return null;
                });
                moveIfPlan(r, State.PENDING_APPROVAL, List.of(why), RequestStore.detail("required_approvals", required));
            } else {
                moveIfPlan(r, State.FAILED, List.of(why), null);
            }
            return false;
        }
        return true;
    }

    private void execute(StoredRequest r, ChangeRequest cr, ChangePolicy p) throws Exception {
        boolean dryRun = r.mode() == ChangePolicy.Mode.SHADOW;
        for (int i = 0; i < cr.actions().size(); i++) {
            Action a = cr.actions().get(i);
            StoredAction sa = r.actions().get(i);
            if (sa.status().equals("DONE") || sa.status().equals("DRY_RUN")) {
                continue;
            }
            String ns = p.namespaceFor(a.target().namespace()).orElseThrow(() -> new IllegalStateException(
                    "namespace of " + a.field() + " is no longer allowed"));
            int index = i;
            try {
                ObjectNode before;
                String marker;
                if (sa.status().equals("INTENT")) {
                    before = (ObjectNode) Ledger.JSON.readTree(sa.beforeState().orElse("{}"));
                    marker = sa.marker().orElse("");
                    if (!dryRun && cluster.applied(a, ns, marker, before)) {
                        ObjectNode outcome = RequestStore.detail("confirmed_after_restart", true,
                                "note", "the action had taken effect before the harness stopped; not run again");
                        finishAction(r.id(), index, a, "DONE", outcome);
                        continue;
                    }
                } else {
                    if (i > 0 && !recheck(existing(r.id()), cr, p, State.EXECUTING)) {
                        return; // FAILED with the reason; the actions already done roll back
                    }
                    before = cluster.beforeState(a, ns);
                    marker = cluster.marker(a, before, clock.instant());
                    ObjectNode b = before;
                    store.inTransaction(tx -> {
                        tx.update("UPDATE actions SET status = 'INTENT', before_state = ?, marker = ? WHERE request_id = ? AND idx = ?",
                                b.toString(), marker, r.id(), index);
                        tx.record(r.id(), "action_intent", HARNESS, RequestStore.detail("index", index, "idempotency_key",
                                a.idempotencyKey(), "tool", a.tool().wireName(), "target", sa.target(), "before", b,
                                "marker", marker, "dry_run", dryRun));
                        return null;
                    });
                }
                probe.at("before_execute", r.id(), index);
                ObjectNode outcome = cluster.execute(a, ns, marker, before, dryRun);
                probe.at("after_execute", r.id(), index);
                finishAction(r.id(), index, a, dryRun ? "DRY_RUN" : "DONE", outcome);
            } catch (KubernetesClientException | Cluster.TargetMissing | IllegalStateException e) {
                // REFUSED: nothing was written, so rollback leaves the target as its other writer left it
                String status = Cluster.TargetChanged.nothingWritten(e) ? "REFUSED" : "ERROR";
                store.inTransaction(tx -> {
                    tx.update("UPDATE actions SET status = ?, outcome = ? WHERE request_id = ? AND idx = ?", status,
                            RequestStore.detail("error", String.valueOf(e.getMessage())).toString(), r.id(), index);
                    return null;
                });
                move(existing(r.id()), State.FAILED, HARNESS, List.of("execute: " + a.field() + " (" + a.tool().wireName() + " "
                        + sa.target() + ") failed: " + e.getMessage()), null);
                return;
            }
        }
        move(existing(r.id()), State.VERIFYING, HARNESS, List.of(), null);
    }

    private void finishAction(String id, int index, Action a, String status, ObjectNode outcome) throws SQLException {
        store.inTransaction(tx -> {
            tx.update("UPDATE actions SET status = ?, outcome = ? WHERE request_id = ? AND idx = ?",
                    status, outcome.toString(), id, index);
            tx.record(id, "action_done", HARNESS, RequestStore.detail("index", index, "idempotency_key", a.idempotencyKey(),
                    "status", status, "outcome", outcome));
            return null;
        });
    }

    private void verify(StoredRequest r, ChangeRequest cr, ChangePolicy p) throws Exception {
        if (r.mode() == ChangePolicy.Mode.SHADOW) {
            move(r, State.SUCCEEDED, HARNESS, List.of("shadow mode: dry run only, nothing was changed; verify steps skipped"),
                    RequestStore.detail("shadow", true));
            return;
        }
        List<String> failed = new ArrayList<>();
        for (int i = 0; i < cr.verify().size(); i++) {
            ChangeRequest.VerifyStep step = cr.verify().get(i);
            Optional<String> ns = p.namespaceFor(step.podsReady().namespace());
            String what = step.podsReady().kind() + " " + ns.orElse("?") + "/" + step.podsReady().name();
            if (ns.isEmpty()) {
                failed.add("verify[" + i + "]: namespace not allowed for " + r.team() + "/" + r.env());
                continue;
            }
            Instant deadline = clock.instant().plus(step.timeout());
            boolean ok = false;
            String last = "";
            while (true) {
                try {
                    ok = cluster.podsReady(step.podsReady(), ns.get());
                    Map<String, Object> s = cluster.liveState(step.podsReady(), ns.get());
                    last = s.get("ready_replicas") + " of " + s.get("replicas") + " pods ready";
                } catch (Cluster.TargetMissing | KubernetesClientException e) {
                    last = e.getMessage();
                }
                if (ok || !clock.instant().isBefore(deadline)) {
                    break;
                }
                sleeper.sleep(Duration.ofSeconds(1));
            }
            if (!ok) {
                failed.add("verify[" + i + "]: " + what + " not ready after " + step.timeout().toSeconds() + "s (" + last + ")");
            }
        }
        if (failed.isEmpty()) {
            move(r, State.SUCCEEDED, HARNESS, List.of(), null);
        } else {
            move(r, State.FAILED, HARNESS, failed, null);
        }
    }

    private void rollback(StoredRequest r, ChangeRequest cr, ChangePolicy p) throws Exception {
        if (cr.rollback() == ChangeRequest.Rollback.NONE) {
            String note = "rollback: none requested (rollback: none); the changes stay as they are";
            if (!r.reasons().contains(note)) {
                addReasons(r.id(), List.of(note), "rollback_skipped");
            }
            return;
        }
        if (leasing.isPresent()) {
            rollbackByAgents(r, p, leasing.get());
            return;
        }
        for (int i = cr.actions().size() - 1; i >= 0; i--) {
            Action a = cr.actions().get(i);
            StoredAction sa = r.actions().get(i);
            if (!List.of("DONE", "ERROR", "ROLLBACK_INTENT").contains(sa.status()) || sa.beforeState().isEmpty()) {
                continue;
            }
            int index = i;
            String ns = p.namespaceFor(a.target().namespace()).orElse(a.target().namespace().orElse(r.team()));
            ObjectNode before = (ObjectNode) Ledger.JSON.readTree(sa.beforeState().get());
            try {
                store.inTransaction(tx -> {
                    tx.update("UPDATE actions SET status = 'ROLLBACK_INTENT' WHERE request_id = ? AND idx = ?", r.id(), index);
                    tx.record(r.id(), "rollback_intent", HARNESS, RequestStore.detail("index", index, "restore", before));
                    return null;
                });
                Optional<String> note = cluster.restore(a, ns, before);
                store.inTransaction(tx -> {
                    tx.update("UPDATE actions SET status = 'ROLLED_BACK' WHERE request_id = ? AND idx = ?", r.id(), index);
                    tx.record(r.id(), "rollback_done", HARNESS, RequestStore.detail("index", index, "note", note.orElse("restored")));
                    return null;
                });
            } catch (KubernetesClientException | Cluster.TargetMissing e) {
                addReasons(r.id(), List.of("rollback: " + a.field() + " could not be restored (" + e.getMessage()
                        + "); restore by hand to " + before + " (retried on the next harness start)"), "rollback_failed");
                return;
            }
        }
        move(existing(r.id()), State.ROLLED_BACK, HARNESS, List.of(), null);
    }

    // ---- execution: agents (docs/execution-plane.md) ----

    /** One intent handed to an agent: the task id is its jti. */
    public record Lease(String jti, String compact) {
    }

    /** What became of a posted result (the HTTP answer follows it). */
    public enum ResultAnswer { STORED, REPEAT, CONFLICT, UNKNOWN }

    /** How long after its expiry an unanswered intent is leased again (the agents' clock skew). */
    private static final Duration RELEASE_AFTER = IntentLeasing.SKEW;
    /** Actions leased to one poll at most; the rest go to the next poll. */
    static final int LEASES_PER_POLL = 100;
    /** How long a replica's claim on a queued action lasts while it re-checks the gates and signs. */
    private static final Duration LEASE_CLAIM = Duration.ofSeconds(60);

    /**
     * With execution: agents, the EXECUTING step queues the next action for its cluster's agent
     * (after re-checking the gates, as in process) and waits; a result moves it on.
     *
     * @return true when another step should follow at once
     */
    private boolean queueNext(StoredRequest r, ChangeRequest cr, ChangePolicy p, IntentLeasing l) throws Exception {
        for (int i = 0; i < cr.actions().size(); i++) {
            StoredAction sa = r.actions().get(i);
            switch (sa.status()) {
                case "DONE", "DRY_RUN" -> {
                    continue;
                }
                case "PLANNED" -> {
                    if (i > 0 && !recheck(existing(r.id()), cr, p, State.EXECUTING)) {
                        return true; // FAILED with the reason
                    }
                    Optional<String> cluster = l.clusterOf(p);
                    if (cluster.isEmpty()) {
                        move(r, State.FAILED, HARNESS, List.of("execute: " + l.noCluster(p, r.team(), r.env())), null);
                        return true;
                    }
                    int index = i;
                    Action a = cr.actions().get(i);
                    store.inTransaction(tx -> {
                        tx.queueAction(r.id(), index, cluster.get());
                        tx.record(r.id(), "action_queued", HARNESS, RequestStore.detail("index", index, "cluster", cluster.get(),
                                "idempotency_key", a.idempotencyKey(), "tool", a.tool().wireName(), "target", sa.target()));
                        return null;
                    });
                    return false;
                }
                case "QUEUED", "LEASED" -> {
                    return false; // the agent's poll leases it; its result schedules the next step
                }
                default -> {
                    // REFUSED or ERROR whose move to FAILED a crash interrupted
                    move(r, State.FAILED, HARNESS, List.of("execute: action " + i + " was " + sa.status() + " by the agent"), null);
                    return true;
                }
            }
        }
        move(existing(r.id()), State.VERIFYING, HARNESS, List.of(), null);
        return true;
    }

    /**
     * {@code GET /v1/tasks?cluster=<cluster>}: leases every queued action of that cluster (and
     * every lease that expired unanswered) as a new signed intent, each after every gate ran
     * again (evidence, policy and guardrails on the live target, freeze, windows, budget, loops,
     * approvals). A failed re-check fails the request and leases nothing for it.
     */
    public List<Lease> lease(String cluster) throws AfsException {
        IntentLeasing l = leasing.orElseThrow(() -> new AfsException(AfsError.NOT_FOUND,
                "this harness runs actions in process; set execution: agents in harness.yaml to lease intents"));
        long now = clock.millis();
        try {
            if (!store.hasClaimable(cluster, now - RELEASE_AFTER.toMillis())) {
                return List.of(); // nearly every poll: answered without the control thread
            }
        } catch (java.sql.SQLException e) {
            throw new AfsException(AfsError.UNAVAILABLE, "the harness store cannot be read: " + e.getMessage(), e);
        }
        List<String> failed = new ArrayList<>();
        List<Lease> out = call(() -> leaseNow(l, cluster, failed));
        failed.forEach(this::schedule);
        return out;
    }

    private List<Lease> leaseNow(IntentLeasing l, String cluster, List<String> failed) throws Exception {
        List<Lease> out = new ArrayList<>();
        long now = clock.millis();
        // claimed with FOR UPDATE SKIP LOCKED: with replicas on one database each action goes to one of them
        for (RequestStore.ClaimedAction claimed : store.claimQueued(cluster, replica, LEASES_PER_POLL,
                now - RELEASE_AFTER.toMillis(), now + LEASE_CLAIM.toMillis())) {
            StoredRequest r = existing(claimed.requestId());
            ChangePolicy p = policies.policy(r.team(), r.env());
            StoredAction sa = r.actions().get(claimed.index());
            boolean rollback = sa.status().startsWith("ROLLBACK_");
            if (r.state() != (rollback ? State.FAILED : State.EXECUTING) || !l.clusterOf(p).equals(Optional.of(cluster))) {
                continue; // moved on, or its env now names another cluster: the claim lapses
            }
            boolean expired = sa.status().endsWith("LEASED");
            ChangeRequest cr = ChangeRequestParser.parse("change-request", r.document().getBytes(StandardCharsets.UTF_8));
            // a rollback restores what was there, as in process: the gates guard changes, not their undoing
            if (!rollback && !recheck(r, cr, p, State.EXECUTING)) {
                failed.add(r.id());
                continue;
            }
            dev.aegis.afs.intent.Intent intent = rollback
                    ? l.signRollback(r, cr, p, sa.index(), cluster, RollbackStep.restore(sa).orElseThrow())
                    : l.sign(r, cr, p, sa.index(), cluster);
            String kid = com.nimbusds.jose.JWSObject.parse(intent.compact()).getHeader().getKeyID();
            boolean leased = store.inTransaction(tx -> {
                if (!tx.leaseAction(r.id(), sa.index(), replica, intent.expiresAt().toEpochMilli())) {
                    return false; // the claim lapsed and another replica took the action: this intent is never sent
                }
                tx.update("INSERT INTO intents(jti, request_id, idx, cluster, sha256, key_id, iat_ms, exp_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                        intent.jti(), r.id(), sa.index(), cluster, intent.sha256(), kid, intent.issuedAt().toEpochMilli(),
                        intent.expiresAt().toEpochMilli());
                tx.record(r.id(), "intent_leased", HARNESS, RequestStore.detail("index", sa.index(), "cluster", cluster,
                        "jti", intent.jti(), "intent_sha256", intent.sha256(), "key_id", kid,
                        "expires_at", intent.expiresAt().toString(), "mode", intent.action().mode().wireName(),
                        "idempotency_key", intent.action().idempotencyKey(), "evidence_hash", intent.action().evidenceHash(),
                        "released", expired, "rollback", rollback, "rechecked", rollback ? "none: a rollback restores the state before"
                                : "evidence, policy, guardrails, windows, budget, loops and approvals held at lease"));
                return true;
            });
            if (leased) {
                out.add(new Lease(intent.jti(), intent.compact()));
            }
        }
        return out;
    }

    /**
     * A result the agent of {@code cluster} signed (checked by the caller) for task {@code jti}:
     * written to the ledger with the intent's hash, and the request follows it: executed and
     * dry_run move on, anything else fails the request with the agent's reason. A refusal as
     * already_executed with the earlier outcome counts as that outcome; without one (the agent
     * is still recovering it) the action waits for the earlier task's own result.
     */
    public ResultAnswer acceptResult(String cluster, String jti, dev.aegis.afs.intent.TaskResult res, String jws)
            throws AfsException {
        ResultAnswer a = call(() -> acceptNow(cluster, jti, res, jws));
        if (a == ResultAnswer.STORED) {
            read(() -> store.intent(jti)).ifPresent(i -> schedule(i.requestId()));
        }
        return a;
    }

    private ResultAnswer acceptNow(String cluster, String jti, dev.aegis.afs.intent.TaskResult res, String jws) throws Exception {
        Optional<RequestStore.LeasedIntent> found = store.intent(jti);
        if (found.isEmpty() || !found.get().cluster().equals(cluster)) {
            return ResultAnswer.UNKNOWN;
        }
        RequestStore.LeasedIntent li = found.get();
        if (li.result().isPresent()) {
            return li.result().get().strip().equals(jws.strip()) ? ResultAnswer.REPEAT : ResultAnswer.CONFLICT;
        }
        StoredRequest r = existing(li.requestId());
        StoredAction sa = r.actions().get(li.index());
        String outcome = res.outcome().wireName();
        ObjectNode d = RequestStore.detail("index", li.index(), "cluster", cluster, "jti", jti, "intent_sha256", li.sha256(),
                "result_sha256", dev.aegis.afs.intent.Hashes.sha256Hex(jws.strip()), "outcome", outcome, "reason", res.reason(),
                "message", res.message(), "details", res.details(), "agent_version", res.agentVersion());
        if (!res.intentSha256().equals(li.sha256())) {
            d.put("received_intent_sha256", res.intentSha256());
            d.put("note", "the agent received an intent other than the one signed: it was altered on the way");
        }
        String status = null;
        String failure = null;
        String previous = res.details().path("previous_outcome").asText("");
        switch (res.outcome()) {
            case EXECUTED -> status = "DONE";
            case DRY_RUN -> status = "DRY_RUN";
            case VERIFY_FAILED -> {
                status = "DONE";
                failure = res.message();
            }
            case INTERRUPTED -> {
                if (res.details().path("applied").asBoolean(false)) {
                    status = "DONE";
                } else {
                    status = "ERROR";
                    failure = res.message();
                }
            }
            case REFUSED -> {
                if (res.reason().equals("already_executed") && previous.isEmpty()) {
                    status = null; // its first task's result decides
                } else if (res.reason().equals("already_executed") && (previous.equals("executed") || previous.equals("interrupted"))) {
                    status = "DONE";
                } else {
                    status = "REFUSED";
                    failure = res.reason() + ": " + res.message();
                }
            }
            case FAILED -> {
                status = "ERROR";
                failure = res.reason() + ": " + res.message();
            }
        }
        boolean open = r.state() == State.EXECUTING && List.of("QUEUED", "LEASED").contains(sa.status());
        if (r.state() == State.FAILED && List.of("ROLLBACK_QUEUED", "ROLLBACK_LEASED").contains(sa.status())) {
            return acceptRollback(r, sa, li, cluster, jti, res, jws, d, status);
        }
        String st = status;
        ObjectNode result = Ledger.JSON.createObjectNode();
        result.put("agent", cluster);
        result.put("task", jti);
        result.put("outcome", outcome);
        if (!res.reason().isEmpty()) {
            result.put("reason", res.reason());
        }
        result.put("dry_run", res.outcome() == dev.aegis.afs.intent.TaskResult.Outcome.DRY_RUN);
        if (res.details().has("diff")) {
            result.set("diff", res.details().get("diff"));
        }
        if (res.details().has("applied")) {
            result.set("applied", res.details().get("applied"));
        }
        store.inTransaction(tx -> {
            tx.update("UPDATE intents SET result = ?, outcome = ?, reason = ? WHERE jti = ?", jws.strip(), outcome, res.reason(), jti);
            tx.record(r.id(), "intent_result", "agent:" + cluster, d);
            if (open && st != null) {
                tx.update("UPDATE actions SET status = ?, outcome = ? WHERE request_id = ? AND idx = ?", st, result.toString(),
                        r.id(), li.index());
            }
            return null;
        });
        if (open && failure != null) {
            move(existing(r.id()), State.FAILED, "agent:" + cluster, List.of("execute: action " + li.index() + " ("
                    + sa.tool() + " " + sa.target() + ") " + outcome + " by agent " + cluster + ": " + failure), null);
        }
        return ResultAnswer.STORED;
    }

    /** The intents leased for request {@code id}, oldest first (for its status). */
    public List<RequestStore.LeasedIntent> intents(String id) throws AfsException {
        return read(() -> store.intentsOf(id));
    }

    /** Leased intents not yet answered, by cluster (for {@code afs agents ls}). */
    public Map<String, Integer> leasedByCluster() throws AfsException {
        Map<String, Integer> out = new java.util.HashMap<>();
        for (StoredRequest r : read(store::executing)) {
            for (RequestStore.LeasedIntent i : read(() -> store.intentsOf(r.id()))) {
                if (i.result().isEmpty() && i.expiresMillis() >= clock.millis()) {
                    out.merge(i.cluster(), 1, Integer::sum);
                }
            }
        }
        return out;
    }

    /**
     * Rollback through agents: the actions the agent changed, last first, each leased to the
     * agent as an intent of its own (the same tool restoring the agent's {@code diff.before},
     * key {@code <key>#rollback}) and recorded like a forward action. One at a time: the next is
     * queued when the previous one's result arrives. An action that cannot be undone (restart)
     * or whose rollback the agent did not run is named in the reasons; once none is left to
     * queue the request is ROLLED_BACK, unless a rollback failed (it stays FAILED, with what to
     * restore by hand).
     */
    private void rollbackByAgents(StoredRequest r, ChangePolicy p, IntentLeasing l) throws Exception {
        List<String> notes = new ArrayList<>();
        boolean failed = false;
        for (int i = r.actions().size() - 1; i >= 0; i--) {
            StoredAction sa = r.actions().get(i);
            switch (sa.status()) {
                case "ROLLBACK_QUEUED", "ROLLBACK_LEASED" -> {
                    return; // the agent's poll leases it; its result schedules the next step
                }
                case "ROLLBACK_FAILED" -> failed = true;
                case "DONE" -> {
                    Optional<Map<String, Object>> restore = RollbackStep.restore(sa);
                    Optional<String> cluster = l.clusterOf(p);
                    if (restore.isEmpty() || cluster.isEmpty()) {
                        String why = cluster.isEmpty() ? l.noCluster(p, r.team(), r.env())
                                : sa.tool() + " cannot be undone, or the agent reported no state before it";
                        String note = "rollback: action " + i + " " + sa.tool() + " " + sa.target() + " not rolled back (" + why
                                + ")" + sa.outcome().map(o -> "; it changed: " + o).orElse("");
                        int index = i;
                        store.inTransaction(tx -> {
                            tx.update("UPDATE actions SET status = 'NOT_ROLLED_BACK' WHERE request_id = ? AND idx = ?", r.id(), index);
                            return null;
                        }); // the note goes to the ledger with the reasons, below
                        notes.add(note);
                        continue;
                    }
                    int index = i;
                    store.inTransaction(tx -> {
                        tx.update("UPDATE actions SET status = 'ROLLBACK_QUEUED', cluster = ?, queued_ms = ?, lease_expires_ms = NULL "
                                + "WHERE request_id = ? AND idx = ? AND status = 'DONE'", cluster.get(), clock.millis(), r.id(), index);
                        tx.record(r.id(), "rollback_queued", HARNESS, RequestStore.detail("index", index, "cluster", cluster.get(),
                                "restore", restore.get(), "idempotency_key", IntentLeasing.rollbackKey(sa.idempotencyKey())));
                        return null;
                    });
                    if (!notes.isEmpty()) {
                        addReasons(r.id(), notes, "rollback_skipped");
                    }
                    return;
                }
                default -> {
                    // nothing changed (planned, refused, dry run), or already rolled back or named
                }
            }
        }
        if (!notes.isEmpty()) {
            addReasons(r.id(), notes, "rollback_skipped");
        }
        if (!failed) {
            move(existing(r.id()), State.ROLLED_BACK, HARNESS, List.of(), null);
        }
    }

    /** The agent's result for a rollback intent: the action is ROLLED_BACK, or ROLLBACK_FAILED with what to restore by hand. */
    private ResultAnswer acceptRollback(StoredRequest r, StoredAction sa, RequestStore.LeasedIntent li, String cluster, String jti,
                                        dev.aegis.afs.intent.TaskResult res, String jws, ObjectNode d, String forwardStatus)
            throws Exception {
        // the forward mapping says whether the change is in place: DONE means the rollback ran
        String status = forwardStatus == null ? null : forwardStatus.equals("DONE") ? "ROLLED_BACK" : "ROLLBACK_FAILED";
        d.put("rollback", true);
        String note = status != null && status.equals("ROLLBACK_FAILED")
                ? "rollback: action " + li.index() + " " + sa.tool() + " " + sa.target() + " was not restored by agent " + cluster
                + " (" + res.outcome().wireName() + (res.reason().isEmpty() ? "" : " " + res.reason()) + ": " + res.message()
                + "); restore by hand to " + RollbackStep.restore(sa).map(Object::toString).orElse("the state before")
                : null;
        store.inTransaction(tx -> {
            tx.update("UPDATE intents SET result = ?, outcome = ?, reason = ? WHERE jti = ?", jws.strip(), res.outcome().wireName(),
                    res.reason(), jti);
            tx.record(r.id(), "intent_result", "agent:" + cluster, d);
            if (status != null) {
                tx.update("UPDATE actions SET status = ? WHERE request_id = ? AND idx = ?", status, r.id(), li.index());
                tx.record(r.id(), status.equals("ROLLED_BACK") ? "rollback_done" : "rollback_failed", "agent:" + cluster,
                        RequestStore.detail("index", li.index(), "jti", jti, "note", note == null ? "restored" : note));
            }
            return null;
        });
        if (note != null) {
            addReasons(r.id(), List.of(note), "rollback_failed");
        }
        return ResultAnswer.STORED;
    }

    // ---- helpers ----

    /** The actor of steps the harness takes by itself. */
    static final String HARNESS = "harness";

    /** {@link #move}, only while the request still holds the plan {@code r} was checked with. */
    // ---- kind: skill | guardrail: the same store, approvals and ledger; the library instead of a cluster ----

    /** The request's library change, when it is one (a plan has no kind:). */
    private static Optional<LibraryChange> libraryChange(StoredRequest r) throws AfsException {
        byte[] doc = r.document().getBytes(StandardCharsets.UTF_8);
        if (!LibraryChange.isLibraryChange(doc)) {
            return Optional.empty();
        }
        try {
            return Optional.of(LibraryChange.parse("change-request " + r.id(), doc));
        } catch (PlanProblems e) {
            throw new AfsException(AfsError.INTERNAL, "stored request " + r.id() + " no longer parses: " + e.getMessage());
        }
    }

    private Submission submitLibrary(LibraryChange change, byte[] document, Principal caller, Optional<String> chosenId)
            throws AfsException {
        String sha = sha256(document);
        Optional<String> refused = access.proposeProblem(caller, change.team(), change.env());
        if (refused.isPresent()) {
            call(() -> store.inTransaction(tx -> {
                tx.recordFor(chosenId.orElse(""), change.team(), change.env(), "refused", caller.id(),
                        RequestStore.detail("reason", refused.get(), "document_sha256", sha));
                return null;
            }));
            throw new AfsException(AfsError.ACCESS_DENIED, "REJECTED: " + refused.get() + "; nothing was submitted");
        }
        Submission s = call(() -> {
            if (chosenId.isPresent() && store.get(chosenId.get()).isPresent()) {
                StoredRequest taken = store.get(chosenId.get()).get();
                if (taken.documentSha256().equals(sha) && access.canRead(caller, taken.team(), taken.env())) {
                    return new Submission(taken, true);
                }
                throw new AfsException(AfsError.ALREADY_EXISTS, "a change request named " + chosenId.get()
                        + " already exists; choose another name");
            }
            String id = chosenId.orElseGet(() -> "cr-" + HexFormat.of().formatHex(randomBytes()));
            long now = clock.millis();
            store.inTransaction(tx -> {
                tx.update("INSERT INTO requests(id, incident, team, env, submitter, submitter_person, state, mode, document, doc_sha, "
                        + "created_ms, updated_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", id, change.incidentId(),
                        change.team(), change.env(), caller.id(), caller.person(), State.SUBMITTED.name(),
                        policies.policy(change.team(), change.env()).mode().name(), new String(document, StandardCharsets.UTF_8),
                        sha, now, now);
                tx.record(id, "submit", caller.id(), RequestStore.detail("to", State.SUBMITTED.name(), "incident",
                        change.incidentId(), "team", change.team(), "env", change.env(), "kind",
                        change.kind().name().toLowerCase(java.util.Locale.ROOT), "name", change.name(), "scope",
                        change.direction(), "document_sha256", sha));
                return null;
            });
            metrics.transition(null, State.SUBMITTED);
            return new Submission(store.get(id).orElseThrow(), false);
        });
        if (s.duplicate()) {
            return s;
        }
        StoredRequest validated = call(() -> {
            validate(s.request().id());
            return existing(s.request().id());
        });
        return new Submission(validated, false);
    }

    /**
     * Stores a drafted skill ({@code afs skills propose}) under the library's
     * {@code proposed/<team>/}, where the team's mounts show it, and records it in the ledger.
     * Only a proposer of team/env may; the draft must pass the skill schema. A draft is not in
     * any {@code _index.json}: agents find it only after a {@code kind: skill} request is approved.
     *
     * @return the draft's path under /context/skills
     */
    public String proposeSkill(String team, String env, String incident, byte[] skill, Principal caller)
            throws AfsException, PlanProblems {
        Optional<String> refused = access.proposeProblem(caller, team, env);
        if (refused.isPresent()) {
            throw new AfsException(AfsError.ACCESS_DENIED, refused.get() + "; nothing was proposed");
        }
        String text = new String(skill, StandardCharsets.UTF_8);
        dev.aegis.afs.core.skills.SkillSchema.Result read = dev.aegis.afs.core.skills.SkillSchema.read("proposed skill", text,
                Optional.empty());
        if (!read.ok()) {
            throw new PlanProblems(read.problems().stream().map(Object::toString).toList());
        }
        String name = read.skill().orElseThrow().name();
        String file = library.propose(team, name, text);
        call(() -> store.inTransaction(tx -> {
            tx.recordFor("", team, env, "skill_proposed", caller.id(), RequestStore.detail("incident", incident, "name", name,
                    "file", file, "sha256", sha256(skill)));
            return null;
        }));
        return file;
    }

    /** One approval, from whom {@link SkillLibrary#approverProblem} allows; rejected when nobody could approve. */
    private void validateLibrary(StoredRequest r, LibraryChange change) throws SQLException, AfsException {
        Optional<String> unapprovable = library.unapprovable(change);
        if (unapprovable.isPresent()) {
            move(r, State.REJECTED, HARNESS, List.of(unapprovable.get()), null);
            return;
        }
        store.inTransaction(tx -> {
            tx.update("UPDATE requests SET required_approvals = 1 WHERE id = ?", r.id());
            return null;
        });
        move(existing(r.id()), State.PENDING_APPROVAL, HARNESS, List.of(), RequestStore.detail("required_approvals", 1,
                "approved_by", change.approvedBy()));
    }

    /**
     * APPROVED: the approval is checked again (this plan, within its TTL, from whom may approve
     * it now); EXECUTING: the skill is written into the library (a guardrail change beside the
     * policy); VERIFYING: it is read back and must hash to what was approved. No cluster is involved.
     */
    private boolean stepLibrary(StoredRequest r, LibraryChange change) throws Exception {
        ChangePolicy p = policies.policy(r.team(), r.env());
        switch (r.state()) {
            case SUBMITTED, VALIDATING -> {
                call(() -> {
                    validate(r.id());
                    return null;
                });
                return true;
            }
            case APPROVED -> {
                List<String> valid = r.validApprovers(clock.millis(), p.approvalTtl().toMillis());
                if (valid.isEmpty()) {
                    moveIfPlan(r, State.PENDING_APPROVAL, List.of("at execution: the approval no longer counts (older than "
                            + "changes.approval_ttl, or given to an earlier document); approve again"), null);
                    return false;
                }
                moveIfPlan(r, State.EXECUTING, List.of(), RequestStore.detail("approved_by", String.join(", ", valid)));
                return true;
            }
            case EXECUTING -> {
                String written;
                try {
                    written = library.write(change);
                } catch (IOException e) {
                    move(r, State.FAILED, HARNESS, List.of("write: " + e.getMessage()), null);
                    return true;
                }
                String sha = sha256(change.content().getBytes(StandardCharsets.UTF_8));
                store.inTransaction(tx -> {
                    tx.record(r.id(), "library_write", HARNESS, RequestStore.detail("kind",
                            change.kind().name().toLowerCase(java.util.Locale.ROOT), "file", written, "sha256", sha));
                    return null;
                });
                move(r, State.VERIFYING, HARNESS, List.of(), RequestStore.detail("file", written));
                return true;
            }
            case VERIFYING -> {
                boolean same = library.holds(change);
                String file = library.relative(change);
                move(r, same ? State.SUCCEEDED : State.FAILED, HARNESS, same ? List.of("written to " + file)
                        : List.of("verify: " + file + " does not hold the approved content"), null);
                return false;
            }
            default -> {
                return false; // FAILED: nothing to roll back in a library; the file is rewritten on the next approval
            }
        }
    }

    private void moveIfPlan(StoredRequest r, State to, List<String> reasons, ObjectNode detail) throws SQLException {
        move(r, to, HARNESS, reasons, detail, Optional.of(r.documentSha256()));
    }

    private void move(StoredRequest r, State to, String actor, List<String> reasons, ObjectNode detail) throws SQLException {
        move(r, to, actor, reasons, detail, Optional.empty());
    }

    private void move(StoredRequest r, State to, String actor, List<String> reasons, ObjectNode detail,
                      Optional<String> planSha) throws SQLException {
        List<String> all = new ArrayList<>(r.reasons());
        all.addAll(reasons);
        ObjectNode d = detail == null ? Ledger.JSON.createObjectNode() : detail.deepCopy();
        if (!reasons.isEmpty()) {
            d.set("reasons", Ledger.JSON.valueToTree(reasons));
        }
        store.inTransaction(tx -> {
            tx.transition(r.id(), r.state(), planSha, to, actor, d);
            tx.update("UPDATE requests SET reasons = ? WHERE id = ?", RequestStore.json(all), r.id());
            if (to.terminal() || to == State.FAILED) {
                // the actions follow the request: one that will never run is not shown as PLANNED
                tx.update("UPDATE actions SET status = 'NOT_RUN' WHERE request_id = ? AND status = 'PLANNED'", r.id());
            }
            return null;
        });
        metrics.transition(r.state(), to);
    }

    private void addReasons(String id, List<String> reasons, String event) throws SQLException {
        StoredRequest r = store.get(id).orElseThrow();
        List<String> all = new ArrayList<>(r.reasons());
        all.addAll(reasons);
        store.inTransaction(tx -> {
            tx.update("UPDATE requests SET reasons = ? WHERE id = ?", RequestStore.json(all), id);
            tx.record(id, event, HARNESS, RequestStore.detail("reasons", reasons));
            return null;
        });
    }

    private StoredRequest existing(String id) throws SQLException, AfsException {
        return store.get(id).orElseThrow(() -> new AfsException(AfsError.NOT_FOUND,
                "no change request " + id + "; list them with afs plan list"));
    }

    private static String targetKey(ChangeRequest cr, ChangePolicy p, Action a) {
        return a.target().namespace().orElse(p.namespaces().isEmpty() ? cr.team() : p.namespaces().get(0)) + "/"
                + a.target().kind() + "/" + a.target().name() + a.target().container().map(c -> "/" + c).orElse("");
    }

    private static byte[] randomBytes() {
        byte[] b = new byte[6];
        new SecureRandom().nextBytes(b);
        return b;
    }

    static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Runs {@code task} on the worker and waits; unwraps AfsException and PlanProblems. */
    private <T> T call(Callable<T> task) throws AfsException {
        Future<T> f = worker.submit(task);
        try {
            return f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AfsException(AfsError.UNAVAILABLE, "interrupted while waiting for the harness", e);
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            if (c instanceof AfsException ae) {
                throw ae;
            }
            if (c instanceof RequestStore.ConcurrentChange) {
                throw new AfsException(AfsError.INVALID_ARGUMENT, c.getMessage()
                        + ": it changed state meanwhile; check it with afs plan status");
            }
            if (c instanceof RequestStore.Unavailable) {
                throw new AfsException(AfsError.UNAVAILABLE, "REFUSED: " + c.getMessage(), c);
            }
            throw new AfsException(AfsError.INTERNAL, "harness error: " + c.getMessage(), c);
        }
    }
}
