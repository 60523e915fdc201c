package dev.aegis.afs.harness;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.aegis.afs.core.AfsError;
import dev.aegis.afs.core.AfsException;
import dev.aegis.afs.core.Caller;
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
    private final GroupDirectory groups;
    private final HarnessMetrics metrics;
    private final Probe probe;
    private final Sleeper sleeper;
    private final ExecutorService runner = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "afs-harness-runner");
        t.setDaemon(true);
        return t;
    });
    private final ExecutorService worker = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "afs-harness-control");
        t.setDaemon(true);
        return t;
    });

    private Harness(HarnessConfig.Policy policy, ChangePolicies policies, EvidenceGate evidenceGate, Cluster cluster,
                    RequestStore store, Clock clock, GroupDirectory groups, HarnessMetrics metrics, Probe probe,
                    Sleeper sleeper) {
        this.policy = policy;
        this.policies = policies;
        this.evidenceGate = evidenceGate;
        this.cluster = cluster;
        this.store = store;
        this.clock = clock;
        this.groups = groups;
        this.metrics = metrics;
        this.probe = probe;
        this.sleeper = sleeper;
        this.gates = new Gates(policy, evidenceGate, new Guardrails(), cluster, store, clock, metrics);
    }

    /** Everything the harness needs; {@link #open} creates the key, ledger and database under dataDir. */
    public record Setup(Path dataDir, HarnessConfig.Policy policy, ChangePolicies policies, EvidenceGate evidence,
                        KubernetesClient client, Clock clock, GroupDirectory groups, HarnessMetrics metrics, Probe probe,
                        Sleeper sleeper) {
        public Setup {
            requireNonNull(dataDir, "dataDir is null");
            requireNonNull(policy, "policy is null");
            requireNonNull(policies, "policies is null");
            requireNonNull(evidence, "evidence is null");
            requireNonNull(client, "client is null");
            requireNonNull(clock, "clock is null");
            requireNonNull(groups, "groups is null");
            requireNonNull(metrics, "metrics is null");
            requireNonNull(probe, "probe is null");
            requireNonNull(sleeper, "sleeper is null");
        }
    }

    public static Path ledgerPath(Path dataDir) {
        return dataDir.resolve("ledger.jsonl");
    }

    public static Path keyPath(Path dataDir) {
        return dataDir.resolve("signing.key");
    }

    /** Opens (or creates) the data dir and repairs the ledger file from the database. Call {@link #resume()} next. */
    public static Harness open(Setup s) throws IOException {
        Files.createDirectories(s.dataDir());
        SigningKey key = SigningKey.loadOrCreate(keyPath(s.dataDir()), new SecureRandom());
        Ledger ledger = new Ledger(ledgerPath(s.dataDir()), key);
        try {
            RequestStore store = new RequestStore(s.dataDir().resolve("harness.db"), ledger, s.clock());
            store.flushLedger();
            return new Harness(s.policy(), s.policies(), s.evidence(),
                    new Cluster(s.client()), store, s.clock(), s.groups(), s.metrics(), s.probe(), s.sleeper());
        } catch (SQLException e) {
            throw new IOException("cannot open the harness database in " + s.dataDir() + ": " + e.getMessage()
                    + "; check data_dir is writable", e);
        }
    }

    /** Picks up every request a previous run left unfinished. */
    public void resume() throws AfsException {
        for (StoredRequest r : call(store::unfinished)) {
            schedule(r.id());
        }
    }

    // ---- API ----

    public Submission submit(byte[] document, Caller caller) throws AfsException, PlanProblems {
        return submit(document, caller, Optional.empty());
    }

    /**
     * Submits under a chosen id (the FUSE file name {@code /change_requests/<id>.yaml});
     * an id already taken is ALREADY_EXISTS.
     */
    public Submission submit(byte[] document, Caller caller, Optional<String> chosenId) throws AfsException, PlanProblems {
        if (chosenId.isPresent() && !ID.matcher(chosenId.get()).matches()) {
            throw new AfsException(AfsError.INVALID_ARGUMENT, "'" + chosenId.get() + "' is not a request id; use up to 64 "
                    + "letters, digits, '.', '_' or '-', starting with a letter or digit");
        }
        String name = "change-request" + chosenId.map(n -> " " + n).orElse("");
        ChangeRequest cr = ChangeRequestParser.parse(name, document);
        String sha = sha256(document);
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

    public List<StoredRequest> list(int limit) throws AfsException {
        return read(() -> store.list(limit));
    }

    /** Requests not yet final: the retention sweep keeps the evidence they cite. */
    public List<StoredRequest> open() throws AfsException {
        return read(() -> store.list(Integer.MAX_VALUE)).stream().filter(r -> !r.state().terminal()).toList();
    }

    public StoredRequest approve(String id, Caller caller) throws AfsException {
        call(() -> {
            StoredRequest r = existing(id);
            if (r.state() != State.PENDING_APPROVAL) {
                throw new AfsException(AfsError.INVALID_ARGUMENT, "request " + id + " is " + r.state()
                        + ", not PENDING_APPROVAL; there is nothing to approve");
            }
            if (caller.uid() == r.submitter()) {
                metrics.gateFailure("approval");
                throw new AfsException(AfsError.ACCESS_DENIED, "uid " + caller.uid() + " submitted request " + id
                        + " and cannot approve it; ask another approver");
            }
            ChangePolicy p = policies.policy(r.team(), r.env());
            if (!ApprovalPolicy.isApprover(p, caller.uid(), groups)) {
                metrics.gateFailure("approval");
                throw new AfsException(AfsError.ACCESS_DENIED, "uid " + caller.uid() + " is not an approver for "
                        + r.team() + "/" + r.env() + "; approvers are uids " + p.approverUids() + " and groups "
                        + p.approverGroups() + " (changes.approvers in namespaces.yaml)");
            }
            if (r.approvals().contains(caller.uid())) {
                throw new AfsException(AfsError.ALREADY_EXISTS, "uid " + caller.uid() + " already approved request " + id
                        + "; the next approval must come from a different person");
            }
            int count = r.approvals().size() + 1;
            store.inTransaction(tx -> {
                tx.update("INSERT INTO approvals(request_id, uid, at_ms) VALUES (?, ?, ?)", id, caller.uid(), clock.millis());
                tx.record(id, "approve", caller.uid(), RequestStore.detail("approvals", count, "required", r.requiredApprovals()));
                if (count >= r.requiredApprovals()) {
                    tx.transition(id, State.PENDING_APPROVAL, State.APPROVED, caller.uid(), null);
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

    public StoredRequest reject(String id, Caller caller, String reason) throws AfsException {
        if (reason == null || reason.isBlank()) {
            throw new AfsException(AfsError.INVALID_ARGUMENT, "a rejection needs a reason; pass --reason \"...\"");
        }
        call(() -> {
            StoredRequest r = existing(id);
            if (r.state() != State.PENDING_APPROVAL) {
                throw new AfsException(AfsError.INVALID_ARGUMENT, "request " + id + " is " + r.state()
                        + ", not PENDING_APPROVAL; only pending requests can be rejected (use cancel before execution)");
            }
            ChangePolicy p = policies.policy(r.team(), r.env());
            if (!ApprovalPolicy.isApprover(p, caller.uid(), groups)) {
                throw new AfsException(AfsError.ACCESS_DENIED, "uid " + caller.uid() + " is not an approver for "
                        + r.team() + "/" + r.env() + " and cannot reject; the submitter can cancel instead");
            }
            move(r, State.REJECTED, caller.uid(), List.of("rejected by uid " + caller.uid() + ": " + reason),
                    RequestStore.detail("reason", reason));
            return null;
        });
        return get(id);
    }

    public StoredRequest cancel(String id, Caller caller) throws AfsException {
        call(() -> {
            StoredRequest r = existing(id);
            if (!r.state().canMoveTo(State.CANCELLED)) {
                throw new AfsException(AfsError.INVALID_ARGUMENT, "request " + id + " is " + r.state()
                        + " and can no longer be cancelled");
            }
            ChangePolicy p = policies.policy(r.team(), r.env());
            if (caller.uid() != r.submitter() && !ApprovalPolicy.isApprover(p, caller.uid(), groups)) {
                throw new AfsException(AfsError.ACCESS_DENIED, "only the submitter (uid " + r.submitter()
                        + ") or an approver can cancel request " + id);
            }
            move(r, State.CANCELLED, caller.uid(), List.of("cancelled by uid " + caller.uid()), null);
            return null;
        });
        return get(id);
    }

    /** Ledger lines from {@code fromSeq} (1-based). */
    public List<String> ledger(long fromSeq, int limit) throws AfsException {
        return read(() -> store.ledgerLines(fromSeq, limit));
    }

    private static <T> T read(Callable<T> query) throws AfsException {
        try {
            return query.call();
        } catch (AfsException e) {
            throw e;
        } catch (Exception e) {
            throw new AfsException(AfsError.INTERNAL, "cannot read the harness database: " + e.getMessage(), e);
        }
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

    private Submission create(ChangeRequest cr, byte[] document, String sha, Caller caller, Optional<String> chosenId)
            throws SQLException, AfsException {
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
        if (chosenId.isPresent() && store.get(chosenId.get()).isPresent()) {
            throw new AfsException(AfsError.ALREADY_EXISTS, "a change request named " + chosenId.get()
                    + " already exists; choose another name");
        }
        ChangePolicy p = policies.policy(cr.team(), cr.env());
        String id = chosenId.orElseGet(() -> "cr-" + HexFormat.of().formatHex(randomBytes()));
        long now = clock.millis();
        store.inTransaction(tx -> {
            tx.update("INSERT INTO requests(id, incident, team, env, submitter, state, mode, document, doc_sha, created_ms, "
                            + "updated_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", id, cr.incidentId(), cr.team(), cr.env(),
                    caller.uid(), State.SUBMITTED.name(), p.mode().name(), new String(document, StandardCharsets.UTF_8), sha,
                    now, now);
            for (int i = 0; i < cr.actions().size(); i++) {
                Action a = cr.actions().get(i);
                tx.update("INSERT INTO actions(request_id, idx, idempotency_key, tool, target, status) VALUES (?, ?, ?, ?, ?, ?)",
                        id, i, a.idempotencyKey(), a.tool().wireName(), targetKey(cr, p, a), "PLANNED");
            }
            tx.record(id, "submit", caller.uid(), RequestStore.detail("to", State.SUBMITTED.name(), "incident", cr.incidentId(),
                    "team", cr.team(), "env", cr.env(), "mode", p.mode().name(), "document_sha256", sha,
                    "hypothesis", cr.hypothesis(), "confidence", cr.confidence()));
            return null;
        });
        metrics.transition(null, State.SUBMITTED);
        return new Submission(store.get(id).orElseThrow(), false);
    }

    private void schedule(String id) {
        runner.submit(() -> {
            try {
                while (step(id)) {
                    // keep going until the request waits (approval) or is finished
                }
            } catch (RequestStore.ConcurrentChange e) {
                LOG.info("change request {}: {} (cancelled meanwhile); not continuing", id, e.getMessage());
            } catch (Exception e) {
                LOG.error("change request {} stopped at an unexpected error; it is resumed on the next start", id, e);
            }
        });
    }

    /** Runs one step of {@code id}; true when another step should follow at once. */
    private boolean step(String id) throws Exception {
        StoredRequest r = existing(id);
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
                move(r, State.EXECUTING, 0, List.of(), RequestStore.detail("mode", r.mode().name()));
                return true;
            }
            case EXECUTING -> {
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
            move(r, State.VALIDATING, 0, List.of(), null);
            r = existing(id);
        }
        if (r.state() != State.VALIDATING) {
            return;
        }
        ChangeRequest cr = ChangeRequestParser.parse("change-request", r.document().getBytes(StandardCharsets.UTF_8));
        ChangePolicy p = policies.policy(r.team(), r.env());
        Gates.Result gates = this.gates.run(id, r, cr, p);
        List<String> failures = gates.failures();
        List<String> notes = gates.notes();
        int required = gates.requiredApprovals();
        StoredRequest current = r;
        if (!failures.isEmpty()) {
            List<String> all = new ArrayList<>(failures);
            all.addAll(notes);
            move(current, State.REJECTED, 0, all, null);
            return;
        }
        int req = required;
        store.inTransaction(tx -> {
            tx.update("UPDATE requests SET required_approvals = ? WHERE id = ?", req, id);
            return null;
        });
        move(existing(id), req == 0 ? State.APPROVED : State.PENDING_APPROVAL, 0, notes,
                RequestStore.detail("required_approvals", req));
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
                    before = cluster.beforeState(a, ns);
                    marker = cluster.marker(a, before, clock.instant());
                    ObjectNode b = before;
                    store.inTransaction(tx -> {
                        tx.update("UPDATE actions SET status = 'INTENT', before_state = ?, marker = ? WHERE request_id = ? AND idx = ?",
                                b.toString(), marker, r.id(), index);
                        tx.record(r.id(), "action_intent", 0, RequestStore.detail("index", index, "idempotency_key",
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
                store.inTransaction(tx -> {
                    tx.update("UPDATE actions SET status = 'ERROR', outcome = ? WHERE request_id = ? AND idx = ?",
                            RequestStore.detail("error", String.valueOf(e.getMessage())).toString(), r.id(), index);
                    return null;
                });
                move(existing(r.id()), State.FAILED, 0, List.of("execute: " + a.field() + " (" + a.tool().wireName() + " "
                        + sa.target() + ") failed: " + e.getMessage()), null);
                return;
            }
        }
        move(existing(r.id()), State.VERIFYING, 0, List.of(), null);
    }

    private void finishAction(String id, int index, Action a, String status, ObjectNode outcome) throws SQLException {
        store.inTransaction(tx -> {
            tx.update("UPDATE actions SET status = ?, outcome = ? WHERE request_id = ? AND idx = ?",
                    status, outcome.toString(), id, index);
            tx.record(id, "action_done", 0, RequestStore.detail("index", index, "idempotency_key", a.idempotencyKey(),
                    "status", status, "outcome", outcome));
            return null;
        });
    }

    private void verify(StoredRequest r, ChangeRequest cr, ChangePolicy p) throws Exception {
        if (r.mode() == ChangePolicy.Mode.SHADOW) {
            move(r, State.SUCCEEDED, 0, List.of("shadow mode: dry run only, nothing was changed; verify steps skipped"),
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
            move(r, State.SUCCEEDED, 0, List.of(), null);
        } else {
            move(r, State.FAILED, 0, failed, null);
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
                    tx.record(r.id(), "rollback_intent", 0, RequestStore.detail("index", index, "restore", before));
                    return null;
                });
                Optional<String> note = cluster.restore(a, ns, before);
                store.inTransaction(tx -> {
                    tx.update("UPDATE actions SET status = 'ROLLED_BACK' WHERE request_id = ? AND idx = ?", r.id(), index);
                    tx.record(r.id(), "rollback_done", 0, RequestStore.detail("index", index, "note", note.orElse("restored")));
                    return null;
                });
            } catch (KubernetesClientException | Cluster.TargetMissing e) {
                addReasons(r.id(), List.of("rollback: " + a.field() + " could not be restored (" + e.getMessage()
                        + "); restore by hand to " + before + " (retried on the next harness start)"), "rollback_failed");
                return;
            }
        }
        move(existing(r.id()), State.ROLLED_BACK, 0, List.of(), null);
    }

    // ---- helpers ----

    private void move(StoredRequest r, State to, int actor, List<String> reasons, ObjectNode detail) throws SQLException {
        List<String> all = new ArrayList<>(r.reasons());
        all.addAll(reasons);
        ObjectNode d = detail == null ? Ledger.JSON.createObjectNode() : detail.deepCopy();
        if (!reasons.isEmpty()) {
            d.set("reasons", Ledger.JSON.valueToTree(reasons));
        }
        store.inTransaction(tx -> {
            tx.transition(r.id(), r.state(), to, actor, d);
            tx.update("UPDATE requests SET reasons = ? WHERE id = ?", RequestStore.json(all), r.id());
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
            tx.record(id, event, 0, RequestStore.detail("reasons", reasons));
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
            throw new AfsException(AfsError.INTERNAL, "harness error: " + c.getMessage(), c);
        }
    }
}
