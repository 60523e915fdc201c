package dev.aegis.afs.agent;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.nimbusds.jose.jwk.OctetKeyPair;
import dev.aegis.afs.agent.Workloads.Tool;
import dev.aegis.afs.intent.Action;
import dev.aegis.afs.intent.Action.Mode;
import dev.aegis.afs.intent.Hashes;
import dev.aegis.afs.intent.Intent;
import dev.aegis.afs.intent.IntentRefused;
import dev.aegis.afs.intent.IntentVerifier;
import dev.aegis.afs.intent.JsonValues;
import dev.aegis.afs.intent.TaskResult;
import dev.aegis.afs.intent.TaskResult.Outcome;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * One task, from leased intent to signed result, failing closed at every step: a locked agent
 * answers without looking; then the intent is verified, the tool and parameters checked, the
 * live object read and the local policy evaluated against it, and only then is one write sent
 * (a server-side dry run in shadow mode), carrying the resourceVersion the policy saw. An
 * execution is journaled before its write, so a restart never runs it twice.
 */
public final class TaskRunner {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration VERIFY_EVERY = Duration.ofMillis(500);

    /** How the verify step and the poll loop wait. */
    public interface Sleeper {
        void sleep(Duration d) throws InterruptedException;
    }

    private final String cluster;
    private final String version;
    private final OctetKeyPair agentKey;
    private final IntentVerifier verifier;
    private final Optional<LocalPolicy> policy;
    private final Workloads workloads;
    private final ExecutionJournal journal;
    private final AgentStatus status;
    private final Clock clock;
    private final Duration verifyTimeout;
    private final Sleeper sleeper;

    public TaskRunner(String cluster, String version, OctetKeyPair agentKey, IntentVerifier verifier,
                      Optional<LocalPolicy> policy, Workloads workloads, ExecutionJournal journal, AgentStatus status,
                      Clock clock, Duration verifyTimeout, Sleeper sleeper) {
        this.cluster = requireNonNull(cluster, "cluster is null");
        this.version = requireNonNull(version, "version is null");
        this.agentKey = requireNonNull(agentKey, "agentKey is null");
        this.verifier = requireNonNull(verifier, "verifier is null");
        this.policy = requireNonNull(policy, "policy is null");
        this.status = requireNonNull(status, "status is null");
        this.workloads = requireNonNull(workloads, "workloads is null");
        this.journal = requireNonNull(journal, "journal is null");
        this.clock = requireNonNull(clock, "clock is null");
        this.verifyTimeout = requireNonNull(verifyTimeout, "verifyTimeout is null");
        this.sleeper = requireNonNull(sleeper, "sleeper is null");
    }

    /** Runs {@code task} and returns its signed result, already in the journal's outbox. */
    public TaskResult run(ControlPlaneClient.Task task) throws IOException, InterruptedException {
        String sha = Hashes.sha256Hex(task.intent().trim());
        Optional<String> locked = status.lockReason();
        if (locked.isPresent() || policy.isEmpty()) {
            return finish(task, sha, Optional.empty(), Outcome.REFUSED, "locked",
                    "agent is locked and runs nothing: " + locked.orElse("no policy"), JSON.createObjectNode(), false);
        }
        Intent intent;
        try {
            intent = verifier.verify(task.intent());
        } catch (IntentRefused e) {
            return finish(task, sha, Optional.empty(), Outcome.REFUSED, e.reason().wireName(), e.getMessage(),
                    JSON.createObjectNode(), false);
        }
        Action a = intent.action();
        Optional<Intent> known = Optional.of(intent);
        if (!task.id().equals(intent.jti())) {
            return finish(task, sha, known, Outcome.REFUSED, "task_mismatch", "task " + task.id()
                    + " carries the intent with jti " + intent.jti() + "; the control plane must use the jti as task id",
                    JSON.createObjectNode(), false);
        }
        Optional<Tool> tool = Tool.of(a.tool());
        if (tool.isEmpty()) {
            return finish(task, sha, known, Outcome.REFUSED, "unsupported_action", "this agent does not run '" + a.tool()
                    + "' (it runs scale, restart and set_resources)", JSON.createObjectNode(), false);
        }
        try {
            Workloads.check(tool.get(), a.target(), a.parameters());
        } catch (Workloads.BadParameters e) {
            return finish(task, sha, known, Outcome.REFUSED, "bad_parameters", e.getMessage(), JSON.createObjectNode(), false);
        }
        boolean execute = a.mode() == Mode.EXECUTE;
        if (execute) {
            Optional<ExecutionJournal.Result> done = journal.finished(a.idempotencyKey());
            if (done.isPresent()) {
                ObjectNode d = JSON.createObjectNode().put("previous_task", done.get().task())
                        .put("previous_outcome", done.get().outcome()).put("previous_result", done.get().jws());
                return finish(task, sha, known, Outcome.REFUSED, "already_executed", "idempotency key " + a.idempotencyKey()
                        + " already ran as task " + done.get().task() + " (" + done.get().outcome() + "); not run again", d, false);
            }
            if (journal.interrupted(a.idempotencyKey()).isPresent()) {
                return finish(task, sha, known, Outcome.REFUSED, "already_executed", "idempotency key " + a.idempotencyKey()
                        + " was interrupted and is being recovered; not run again", JSON.createObjectNode(), false);
            }
        }
        Optional<HasMetadata> live;
        try {
            live = workloads.read(a.target());
        } catch (KubernetesClientException e) {
            return finish(task, sha, known, Outcome.FAILED, "api_error", "reading " + a.target() + " failed: "
                    + e.getMessage(), JSON.createObjectNode(), false);
        }
        if (live.isEmpty()) {
            return finish(task, sha, known, Outcome.REFUSED, "target_missing", a.target() + " does not exist",
                    JSON.createObjectNode(), false);
        }
        LocalPolicy.Decision decision = policy.get().decide(intentVars(a), Workloads.asMap(live.get()));
        if (!decision.allowed()) {
            return finish(task, sha, known, Outcome.REFUSED, "policy_denied", decision.message(),
                    JSON.createObjectNode().put("rule", decision.rule()), false);
        }
        String marker = tool.get() == Tool.RESTART ? clock.instant().toString() : "";
        if (execute) {
            journal.started(a.idempotencyKey(), task.id(), marker, summary(intent));
        }
        ObjectNode diff;
        try {
            diff = workloads.apply(tool.get(), a.target(), a.parameters(), live.get(), marker, !execute);
        } catch (KubernetesClientException e) {
            boolean conflict = e.getCode() == 409;
            return finish(task, sha, known, Outcome.FAILED, conflict ? "conflict" : "api_error", conflict
                    ? a.target() + " changed after the agent read it (resourceVersion " + live.get().getMetadata().getResourceVersion()
                    + "); nothing was changed" : "the API server refused the " + a.tool() + ": " + e.getMessage(),
                    JSON.createObjectNode().put("status", e.getCode()), !conflict);
        }
        ObjectNode details = JSON.createObjectNode();
        details.set("diff", diff);
        details.put("policy_rule", decision.rule());
        if (!execute) {
            return finish(task, sha, known, Outcome.DRY_RUN, "", "server-side dry run of " + a.tool() + " " + a.target()
                    + " passed; nothing was changed (shadow mode)", details, false);
        }
        Workloads.Readiness r = awaitReady(a);
        details.putObject("verify").put("pods_ready", r.allReady()).put("ready", r.ready()).put("wanted", r.wanted());
        return r.allReady()
                ? finish(task, sha, known, Outcome.EXECUTED, "", a.tool() + " " + a.target() + " done; " + r.ready() + "/"
                        + r.wanted() + " pods ready", details, true)
                : finish(task, sha, known, Outcome.VERIFY_FAILED, "pods_not_ready", a.tool() + " " + a.target()
                        + " was applied but only " + r.ready() + "/" + r.wanted() + " pods were ready after " + verifyTimeout,
                        details, true);
    }

    /** Answers, once, every execution the journal shows begun and never finished: never runs them again. */
    public int recoverInterrupted() throws IOException {
        int n = 0;
        for (ExecutionJournal.Started s : journal.interrupted()) {
            JsonNode i = s.intentSummary();
            Action.Target t = new Action.Target(i.path("kind").asText(), i.path("namespace").asText(), i.path("name").asText(),
                    i.hasNonNull("container") ? Optional.of(i.get("container").asText()) : Optional.empty());
            @SuppressWarnings("unchecked")
            Map<String, Object> params = (Map<String, Object>) JsonValues.plain(i.path("parameters"));
            boolean applied;
            try {
                applied = Tool.of(i.path("action").asText()).map(tool -> workloads.applied(tool, t, params, s.marker())).orElse(false);
            } catch (KubernetesClientException e) {
                applied = false;
            }
            TaskResult r = new TaskResult(cluster, s.task(), i.path("intent_sha256").asText(),
                    Optional.of(i.path("request_id").asText()), Optional.of(i.path("action_id").asText()),
                    Optional.of(s.idempotencyKey()), Outcome.INTERRUPTED, "agent_restarted",
                    "the agent stopped during " + i.path("action").asText() + " " + t + "; the change is "
                            + (applied ? "in place" : "not in place") + "; it was not run again",
                    JSON.createObjectNode().put("applied", applied), clock.instant(), version);
            journal.result(s.task(), Optional.of(s.idempotencyKey()), true, r.outcome().wireName(), r.sign(agentKey));
            status.task(r.outcome().wireName(), r.reason());
            n++;
        }
        return n;
    }

    private Workloads.Readiness awaitReady(Action a) throws InterruptedException {
        Instant deadline = clock.instant().plus(verifyTimeout);
        while (true) {
            Workloads.Readiness r;
            try {
                r = workloads.readiness(a.target());
            } catch (KubernetesClientException e) {
                r = new Workloads.Readiness(0, 1);
            }
            if (r.allReady() || !clock.instant().isBefore(deadline)) {
                return r;
            }
            sleeper.sleep(VERIFY_EVERY);
        }
    }

    private TaskResult finish(ControlPlaneClient.Task task, String sha, Optional<Intent> intent, Outcome outcome, String reason,
                              String message, JsonNode details, boolean spent) throws IOException {
        Optional<Action> a = intent.map(Intent::action);
        TaskResult r = new TaskResult(cluster, task.id(), sha, a.map(Action::requestId), a.map(Action::actionId),
                a.map(Action::idempotencyKey), outcome, reason, message, details, clock.instant(), version);
        boolean started = a.isPresent() && a.get().mode() == Mode.EXECUTE && journal.interrupted(a.get().idempotencyKey())
                .filter(s -> s.task().equals(task.id())).isPresent();
        journal.result(task.id(), started ? a.map(Action::idempotencyKey) : Optional.empty(), spent, outcome.wireName(),
                r.sign(agentKey));
        status.task(outcome.wireName(), reason);
        return r;
    }

    static Map<String, Object> intentVars(Action a) {
        Map<String, Object> target = new LinkedHashMap<>();
        target.put("kind", a.target().kind());
        target.put("namespace", a.target().namespace());
        target.put("name", a.target().name());
        a.target().container().ifPresent(c -> target.put("container", c));
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("cluster", a.cluster());
        m.put("request_id", a.requestId());
        m.put("action_id", a.actionId());
        m.put("action", a.tool());
        m.put("mode", a.mode().wireName());
        m.put("target", target);
        m.put("parameters", a.parameters());
        m.put("evidence_hash", a.evidenceHash());
        m.put("idempotency_key", a.idempotencyKey());
        return m;
    }

    private static ObjectNode summary(Intent intent) {
        Action a = intent.action();
        ObjectNode o = JSON.createObjectNode();
        o.put("action", a.tool());
        o.put("kind", a.target().kind());
        o.put("namespace", a.target().namespace());
        o.put("name", a.target().name());
        a.target().container().ifPresent(c -> o.put("container", c));
        o.set("parameters", JSON.valueToTree(a.parameters()));
        o.put("request_id", a.requestId());
        o.put("action_id", a.actionId());
        o.put("intent_sha256", intent.sha256());
        return o;
    }
}
