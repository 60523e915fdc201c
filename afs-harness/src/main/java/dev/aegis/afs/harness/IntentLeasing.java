package dev.aegis.afs.harness;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.nimbusds.jose.jwk.OctetKeyPair;
import dev.aegis.afs.intent.Action;
import dev.aegis.afs.intent.Hashes;
import dev.aegis.afs.intent.Intent;
import dev.aegis.afs.intent.IntentKeyStore;
import dev.aegis.afs.intent.IntentSigner;
import dev.aegis.afs.intent.Jwks;
import dev.aegis.afs.intent.KeyFile;
import dev.aegis.afs.intent.PollToken;
import dev.aegis.afs.intent.SignatureRefused;
import dev.aegis.afs.intent.TaskResult;
import java.io.IOException;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The control plane's side of execution: agents (docs/execution-plane.md) that does not touch
 * request state: the agents' pinned keys, their poll tokens (checked, each jti once), the
 * online intent keys (signing, the JWKS, pruning ended keys), and each cluster's last poll for
 * {@code afs agents ls}. {@link Harness} decides what is leased and what a result does.
 */
public final class IntentLeasing {

    /** Clock skew allowed on agent tokens, as the contract says. */
    static final Duration SKEW = Duration.ofSeconds(5);

    /** A request from an agent that is not believed: 401, or 403 for another cluster's business. */
    public static final class Refused extends Exception {
        private final int status;

        Refused(int status, String message) {
            super(message);
            this.status = status;
        }

        public int status() {
            return status;
        }
    }

    /** What {@code afs agents ls} shows of one cluster. */
    public record Poll(Instant at, String version, Optional<String> lockReason) {
    }

    private final IntentKeyStore keys;
    private final IntentSigner signer;
    private final Map<String, OctetKeyPair> agentKeys;
    private final Duration defaultTtl;
    private final Clock clock;
    private final Map<String, Instant> seenTokens = new ConcurrentHashMap<>();
    private final Map<String, Poll> polls = new ConcurrentHashMap<>();
    private volatile Instant sweptAt = Instant.MIN;

    public IntentLeasing(IntentKeyStore keys, Map<String, String> agentPublicKeys, Duration defaultTtl, Clock clock) {
        this.keys = requireNonNull(keys, "keys is null");
        this.defaultTtl = requireNonNull(defaultTtl, "defaultTtl is null");
        this.clock = requireNonNull(clock, "clock is null");
        this.signer = new IntentSigner(keys, clock, new SecureRandom(), defaultTtl);
        Map<String, OctetKeyPair> m = new LinkedHashMap<>();
        agentPublicKeys.forEach((c, k) -> m.put(c, KeyFile.publicKey(k)));
        this.agentKeys = Map.copyOf(m);
    }

    /** Opens the online keys under {@code dataDir}; refuses to start without one valid now. */
    public static IntentLeasing open(Path dataDir, HarnessConfig.Execution e, Clock clock) throws IOException {
        IntentKeyStore store = IntentKeyStore.open(dataDir);
        Instant now = clock.instant();
        if (store.keys().stream().noneMatch(k -> k.certificate().validAt(now, 0)
                && !now.plus(e.intentTtl()).isAfter(k.certificate().notAfter()))) {
            throw new IOException("no certified intent key in " + store.dir() + " covers now (" + now + ") plus intent_ttl "
                    + e.intentTtl().toSeconds() + "s; run afs keys rotate --root ROOT_KEY --data-dir " + dataDir
                    + " on the machine that keeps the root key");
        }
        return new IntentLeasing(store, e.agentKeys(), e.intentTtl(), clock);
    }

    /** The cluster whose agent runs {@code p}'s actions: {@code changes.cluster}, else the only agent. */
    Optional<String> clusterOf(ChangePolicy p) {
        if (p.cluster().isPresent()) {
            return agentKeys.containsKey(p.cluster().get()) ? p.cluster() : Optional.empty();
        }
        return agentKeys.size() == 1 ? Optional.of(agentKeys.keySet().iterator().next()) : Optional.empty();
    }

    /** Why {@link #clusterOf} found none, with the fix. */
    String noCluster(ChangePolicy p, String team, String env) {
        return p.cluster().map(c -> "changes.cluster '" + c + "' of " + team + "/" + env + " has no agent in harness.yaml"
                        + " (agents: " + agentKeys.keySet() + "); pin its key under agents." + c + ".public_key")
                .orElse(team + "/" + env + " names no cluster and harness.yaml has " + agentKeys.size()
                        + " agents; set teams." + team + "." + env + ".changes.cluster in namespaces.yaml");
    }

    /** Signs the intent for action {@code index} of {@code r}, valid for the env's intent_ttl. */
    Intent sign(StoredRequest r, ChangeRequest cr, ChangePolicy p, int index, String cluster) {
        ChangeRequest.Action a = cr.actions().get(index);
        boolean shadow = r.mode() == ChangePolicy.Mode.SHADOW;
        // the contract: a shadow run and the execute run of one action use different keys
        return sign(r, cr, p, index, cluster, a.params(), shadow ? Action.Mode.SHADOW : Action.Mode.EXECUTE,
                shadow ? a.idempotencyKey() + "#shadow" : a.idempotencyKey());
    }

    /**
     * Signs the rollback of action {@code index}: the same tool on the same target with the
     * parameters that restore what the agent reported before it acted ({@code restore}), under
     * the key {@code <idempotency_key>#rollback}, so the agent runs a rollback at most once too.
     */
    Intent signRollback(StoredRequest r, ChangeRequest cr, ChangePolicy p, int index, String cluster, Map<String, Object> restore) {
        return sign(r, cr, p, index, cluster, restore, Action.Mode.EXECUTE, rollbackKey(cr.actions().get(index).idempotencyKey()));
    }

    static String rollbackKey(String idempotencyKey) {
        return idempotencyKey + "#rollback";
    }

    private Intent sign(StoredRequest r, ChangeRequest cr, ChangePolicy p, int index, String cluster, Map<String, Object> params,
                        Action.Mode mode, String key) {
        ChangeRequest.Action a = cr.actions().get(index);
        String ns = p.namespaceFor(a.target().namespace()).orElseThrow(() -> new IllegalStateException(
                "namespace of " + a.field() + " is no longer allowed"));
        Action action = new Action(cluster, r.id(), String.valueOf(index), a.tool().wireName(),
                new Action.Target(a.target().kind(), ns, a.target().name(), a.target().container()), params, mode,
                evidenceHash(cr), key);
        return signer.sign(action, p.intentTtl().orElse(defaultTtl));
    }

    /** sha256 of the evidence set the gates checked: the cited snapshots' sha256s, sorted, one per line. */
    static String evidenceHash(ChangeRequest cr) {
        return Hashes.sha256Hex(String.join("\n", cr.evidence().stream().map(ChangeRequest.EvidencePointer::sha256)
                .sorted().toList()));
    }

    /** The JWKS of {@code GET /v1/keys}: every online key whose certificate has not ended. */
    String jwks() throws IOException {
        Instant now = clock.instant();
        keys.prune(now); // a key whose certificate ended can no longer have a valid intent out
        return Jwks.json(keys.published(now));
    }

    /**
     * The cluster an {@code Authorization: AfsAgent <token>} header proves, for {@code method} and
     * {@code pathAndQuery} exactly as sent. Each token is accepted once.
     */
    String authenticate(String authorization, String method, String pathAndQuery) throws Refused {
        if (authorization == null || !authorization.startsWith(PollToken.SCHEME + " ")) {
            throw new Refused(401, "agents authenticate with Authorization: " + PollToken.SCHEME + " <token signed by the agent key>");
        }
        String token = authorization.substring(PollToken.SCHEME.length() + 1).trim();
        String cluster = PollToken.claimedCluster(token).orElseThrow(() -> new Refused(401,
                "the agent token names no agent:<cluster> issuer"));
        OctetKeyPair key = Optional.ofNullable(agentKeys.get(cluster)).orElseThrow(() -> new Refused(401,
                "no agent key is pinned for cluster " + cluster + "; add agents." + cluster + ".public_key to harness.yaml"));
        Instant now = clock.instant();
        String jti;
        try {
            jti = PollToken.verify(token, key, cluster, method, pathAndQuery, now, SKEW);
        } catch (SignatureRefused e) {
            throw new Refused(401, "agent token refused: " + e.getMessage());
        }
        if (now.isAfter(sweptAt.plusSeconds(1))) { // a sweep per second, not per poll: thousands of agents poll
            sweptAt = now;
            seenTokens.values().removeIf(at -> at.isBefore(now.minus(PollToken.LIFETIME).minus(SKEW)));
        }
        if (seenTokens.putIfAbsent(cluster + " " + jti, now) != null) {
            throw new Refused(401, "agent token refused: its jti was already used (a replayed request)");
        }
        return cluster;
    }

    /** Checks a result against the pinned key of {@code cluster}. */
    TaskResult verifyResult(String cluster, String jws) throws Refused {
        try {
            return TaskResult.verify(jws, agentKeys.get(cluster), cluster);
        } catch (SignatureRefused e) {
            throw new Refused(401, "result refused: " + e.getMessage());
        }
    }

    void polled(String cluster, String userAgent, Optional<String> lockReason) {
        String version = userAgent == null ? "" : userAgent.replaceFirst("^afs-agent/", "");
        polls.put(cluster, new Poll(clock.instant(), version, lockReason));
    }

    /** {@code GET /v1/agents}: every pinned cluster, its key and its last poll (none since this start: never). */
    ObjectNode agents(Map<String, Integer> leasedByCluster) {
        ObjectNode out = Ledger.JSON.createObjectNode();
        ArrayNode list = out.putArray("agents");
        for (Map.Entry<String, OctetKeyPair> e : agentKeys.entrySet()) {
            ObjectNode a = list.addObject();
            a.put("cluster", e.getKey());
            a.put("key_id", e.getValue().getKeyID());
            Poll p = polls.get(e.getKey());
            a.put("last_poll_at", p == null ? null : p.at().toString());
            a.put("version", p == null ? null : p.version());
            a.put("state", p == null ? "never polled" : p.lockReason().isPresent() ? "locked" : "running");
            if (p != null && p.lockReason().isPresent()) {
                a.put("lock_reason", p.lockReason().get());
            }
            a.put("leased", leasedByCluster.getOrDefault(e.getKey(), 0));
        }
        return out;
    }

    List<String> clusters() {
        return List.copyOf(agentKeys.keySet());
    }
}
