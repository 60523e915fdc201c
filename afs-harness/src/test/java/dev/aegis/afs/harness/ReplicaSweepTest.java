package dev.aegis.afs.harness;

import static dev.aegis.afs.harness.HarnessFixture.AGENT;
import static dev.aegis.afs.harness.HarnessFixture.plan;
import static dev.aegis.afs.harness.HarnessFixture.pointer;
import static dev.aegis.afs.harness.HarnessFixture.scale;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.nimbusds.jose.jwk.OctetKeyPair;
import dev.aegis.afs.core.evidence.EvidenceRecord;
import dev.aegis.afs.core.harness.HarnessClient;
import dev.aegis.afs.intent.Intent;
import dev.aegis.afs.intent.IntentKeyStore;
import dev.aegis.afs.intent.IntentVerifier;
import dev.aegis.afs.intent.Jwks;
import dev.aegis.afs.intent.KeyFile;
import dev.aegis.afs.intent.PollToken;
import dev.aegis.afs.intent.TaskResult;
import dev.aegis.afs.intent.TaskResult.Outcome;
import dev.aegis.afs.testkit.PostgresServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two harness replicas (execution: agents) on one real PostgreSQL, with this test as the agent
 * of prod-eu: what a replica that died leaves behind (a request it held, an intent it leased)
 * is taken up by the other one, and an action is executed once, whoever leases it again.
 */
class ReplicaSweepTest {

    static PostgresServer pg;

    @TempDir
    Path dir;
    HarnessFixture f;
    HarnessDaemon a;
    HarnessDaemon b;
    EvidenceRecord ev;
    StoreSettings.Postgres db;
    final SecureRandom random = new SecureRandom();
    final HttpClient http = HttpClient.newHttpClient();
    OctetKeyPair agentKey;
    IntentVerifier verifier;
    /** The idempotency keys this test-agent has executed, as a real agent's journal keeps them. */
    final List<String> executed = new ArrayList<>();

    @BeforeAll
    static void startPostgres() throws Exception {
        pg = PostgresServer.start();
    }

    @AfterAll
    static void stopPostgres() {
        if (pg != null) {
            pg.close();
        }
    }

    @BeforeEach
    void start() throws Exception {
        db = TestDatabases.fresh(pg);
        f = new HarnessFixture(dir, db);
        ev = f.snapshot(30);
        f.cluster.deployment("payments", "api", 3, 3, "256Mi");
        OctetKeyPair root = KeyFile.generate(random);
        agentKey = KeyFile.generate(random);
        IntentKeyStore.open(dir.resolve("data")).rotate(root, f.clock.instant(), Duration.ofHours(24), Duration.ofHours(1), 1, random);
        a = replica("a", "data");
        // replica b: its own data_dir with the same ledger key and online intent keys (the operator copies them to each replica)
        Path bData = dir.resolve("data-b");
        PrivateFiles.directory(bData);
        Files.copy(Harness.keyPath(dir.resolve("data")), Harness.keyPath(bData), StandardCopyOption.COPY_ATTRIBUTES);
        Path keys = Files.createDirectories(bData.resolve("intent-keys"));
        try (var files = Files.list(dir.resolve("data/intent-keys"))) {
            for (Path p : files.toList()) {
                Files.copy(p, keys.resolve(p.getFileName()), StandardCopyOption.COPY_ATTRIBUTES);
            }
        }
        b = replica("b", "data-b");
        Set<String> seen = new HashSet<>();
        verifier = new IntentVerifier(root, "prod-eu", kid -> keys(b).certificate(kid), (jti, exp, now) -> seen.add(jti),
                f.clock, Duration.ofSeconds(5));
    }

    HarnessDaemon replica(String name, String data) throws Exception {
        Files.writeString(dir.resolve(name + ".yaml"), """
                listen: 127.0.0.1:0
                data_dir: %s
                namespaces: namespaces.yaml
                evidence_dir: evidence
                policy: {max_evidence_age: 2h}
                execution: agents
                live_state: {backend: cluster}
                store: postgresql
                postgresql: {url: "%s", user: %s}
                agents:
                  prod-eu: {public_key: %s}
                """.formatted(data, db.url(), db.user(), agentKey.getX()) + f.captureKeysYaml());
        return HarnessDaemon.start(HarnessConfig.read(dir.resolve(name + ".yaml")), f.cluster.client, f.clock, f.accounts,
                Harness.Probe.NONE);
    }

    @AfterEach
    void stop() throws Exception {
        try {
            for (HarnessDaemon d : new HarnessDaemon[] {a, b}) {
                if (d != null) {
                    d.stop();
                }
            }
        } finally {
            f.close();
        }
    }

    private Jwks keys(HarnessDaemon d) {
        try {
            return Jwks.parse(http.send(HttpRequest.newBuilder(URI.create(d.url() + "/v1/keys")).build(),
                    HttpResponse.BodyHandlers.ofString()).body());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private HttpResponse<String> send(HarnessDaemon d, String method, String pathAndQuery, String body) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(d.url() + pathAndQuery))
                .header("Authorization", PollToken.SCHEME + " " + PollToken.sign(agentKey, "prod-eu", method, pathAndQuery,
                        f.clock.instant(), random))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
                .build(), HttpResponse.BodyHandlers.ofString());
    }

    private List<Intent> poll(HarnessDaemon d) throws Exception {
        HttpResponse<String> r = send(d, "GET", "/v1/tasks?cluster=prod-eu", null);
        assertEquals(200, r.statusCode(), r.body());
        List<Intent> out = new ArrayList<>();
        for (JsonNode t : Ledger.JSON.readTree(r.body()).path("tasks")) {
            out.add(verifier.verify(t.path("intent").asText()));
        }
        return out;
    }

    /** What a real agent does with an intent: executes its key once; a key it ran before is refused as already_executed. */
    private void act(HarnessDaemon d, Intent i) throws Exception {
        String key = i.action().idempotencyKey();
        TaskResult r;
        if (executed.contains(key)) {
            r = new TaskResult("prod-eu", i.jti(), i.sha256(), Optional.of(i.action().requestId()), Optional.of(i.action().actionId()),
                    Optional.of(key), Outcome.REFUSED, "already_executed", "key " + key + " ran before",
                    Ledger.JSON.createObjectNode().put("previous_outcome", "executed"), f.clock.instant(), "9.9");
        } else {
            executed.add(key);
            int replicas = ((Number) i.action().parameters().get("replicas")).intValue();
            f.cluster.client.apps().deployments().inNamespace("payments").withName("api").edit(dep -> {
                dep.getSpec().setReplicas(replicas);
                return dep;
            });
            r = new TaskResult("prod-eu", i.jti(), i.sha256(), Optional.of(i.action().requestId()), Optional.of(i.action().actionId()),
                    Optional.of(key), Outcome.EXECUTED, "", "scaled", Ledger.JSON.createObjectNode(), f.clock.instant(), "9.9");
        }
        HttpResponse<String> posted = send(d, "POST", "/v1/tasks/" + i.jti() + "/result", r.sign(agentKey));
        assertEquals(200, posted.statusCode(), posted.body());
    }

    private String state(String id) throws Exception {
        return new HarnessClient(URI.create(b.url()), Duration.ofSeconds(20), Optional.of(b.tokenFile())).get(id, AGENT)
                .path("state").asText();
    }

    private String submitTo(HarnessDaemon d, String actions) throws Exception {
        HarnessClient client = new HarnessClient(URI.create(d.url()), Duration.ofSeconds(20), Optional.of(d.tokenFile()));
        String id = client.submit(plan("prod", 0.9, pointer(ev, "1-3"), actions, "").getBytes(StandardCharsets.UTF_8), AGENT).id();
        d.harness().awaitIdle();
        return id;
    }

    @Test
    void aRequestADeadReplicaHeldIsTakenUpByTheOtherReplicasSweepOnceItsClaimLapses() throws Exception {
        String id = submitTo(a, scale("api", 4, "sweep-1") + scale("api", 5, "sweep-2"));
        assertEquals("EXECUTING", state(id));
        Intent first = poll(a).get(0);
        // replica a dies while it runs the request's next step: its claim stays in the database
        a.stop();
        a = null;
        pg.execute(PostgresReplicasTest.dbName(db), "UPDATE requests SET runner = 'replica-that-died', runner_until_ms = "
                + f.clock.instant().plus(Harness.CLAIM).toEpochMilli() + " WHERE id = '" + id + "'");
        act(b, first);
        b.harness().awaitIdle();
        f.clock.advance(Harness.SWEEP_EVERY.plusSeconds(1));
        assertEquals(List.of(), poll(b), "the claim of the dead replica still holds: nobody queues the next action");
        assertEquals(List.of(), b.harness().sweep(), "a claim that has not lapsed is left alone");

        f.clock.advance(Harness.CLAIM); // the claim lapses; b's sweep (every 10 s, or called here) takes the request up
        b.harness().sweep();
        b.harness().awaitIdle();
        Intent second = poll(b).get(0);
        assertEquals("sweep-2", second.action().idempotencyKey());
        act(b, second);
        b.harness().awaitIdle();
        assertEquals("SUCCEEDED", state(id));
        assertEquals(List.of("sweep-1", "sweep-2"), executed);
        assertEquals(5, f.replicas("payments", "api"));
        assertEquals(List.of(), b.harness().sweep(), "a finished request is not swept");
    }

    @Test
    void anIntentLeasedByADeadReplicaIsLeasedAgainByTheOtherAfterItExpiresAndRunsOnce() throws Exception {
        String id = submitTo(a, scale("api", 4, "again-1"));
        Intent first = poll(a).get(0);
        // the agent runs it, and replica a dies before the agent's result reaches it
        executed.add(first.action().idempotencyKey());
        f.cluster.client.apps().deployments().inNamespace("payments").withName("api").edit(d -> {
            d.getSpec().setReplicas(4);
            return d;
        });
        a.stop();
        a = null;
        assertEquals(List.of(), poll(b), "leased and not expired: not handed out again");

        f.clock.advance(Duration.ofSeconds(36)); // the 30 s intent plus the 5 s skew
        Intent again = poll(b).get(0);
        assertNotEquals(first.jti(), again.jti(), "a new intent");
        assertEquals("again-1", again.action().idempotencyKey(), "for the same action: the same key");
        act(b, again);
        b.harness().awaitIdle();
        assertEquals("SUCCEEDED", state(id));
        assertEquals(List.of("again-1"), executed, "executed once: the second intent was refused as already_executed");
        assertEquals(4, f.replicas("payments", "api"));
        String late = new TaskResult("prod-eu", first.jti(), first.sha256(), Optional.of(id), Optional.of("0"), Optional.of("again-1"),
                Outcome.EXECUTED, "", "scaled", Ledger.JSON.createObjectNode(), f.clock.instant(), "9.9").sign(agentKey);
        assertEquals(200, send(b, "POST", "/v1/tasks/" + first.jti() + "/result", late).statusCode(),
                "the first intent's result, resent by the agent to the replica still alive, is stored");
        b.harness().awaitIdle();
        assertEquals("SUCCEEDED", state(id));
    }
}
