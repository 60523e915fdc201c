package dev.aegis.afs.agent;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSObject;
import com.nimbusds.jose.Payload;
import com.nimbusds.jose.crypto.Ed25519Signer;
import com.nimbusds.jose.jwk.OctetKeyPair;
import dev.aegis.afs.intent.Action;
import dev.aegis.afs.intent.Action.Mode;
import dev.aegis.afs.intent.Action.Target;
import dev.aegis.afs.intent.Intent;
import dev.aegis.afs.intent.IntentKeyStore;
import dev.aegis.afs.intent.IntentSigner;
import dev.aegis.afs.intent.KeyFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * Everything an agent test needs, real where a user would have it: a root key and a certified
 * online key store with the real {@link IntentSigner}, a control plane over HTTP on
 * 127.0.0.1, fabric8's mock API server in CRUD mode with Deployment payments/api (2 of 2
 * pods ready), and the agent's own files (key, agent.yaml, policy).
 */
final class AgentFixture implements AutoCloseable {

    static final String CLUSTER = "prod-eu";
    static final String POLICY = """
            allow:
              - name: scale-payments
                when: "intent.action == 'scale' && intent.target.namespace == 'payments' && intent.parameters.replicas <= 2 * object.spec.replicas"
              - name: restart-payments
                when: "intent.action == 'restart' && intent.target.namespace == 'payments'"
            deny:
              - name: frozen
                when: "has(object.metadata.labels) && 'afs/freeze' in object.metadata.labels"
            """;
    private static final ObjectMapper JSON = new ObjectMapper();

    final Path dir;
    final SecureRandom random = new SecureRandom();
    final OctetKeyPair root = KeyFile.generate(random);
    final IntentKeyStore store;
    final IntentSigner signer;
    final ApiServer api = new ApiServer();
    final OctetKeyPair agentKey;
    final TestControlPlane cp;
    final Path config;
    final Path policy;
    private AgentProcess agent;

    AgentFixture(Path dir) throws Exception {
        this.dir = dir;
        store = IntentKeyStore.open(dir.resolve("harness"));
        store.rotate(root, Clock.systemUTC().instant().minusSeconds(60), Duration.ofHours(24), Duration.ofHours(1), 1, random);
        signer = new IntentSigner(store, Clock.systemUTC(), random, IntentSigner.DEFAULT_TTL);
        agentKey = AgentProcess.loadOrCreateKey(dir.resolve("agent/agent.key"), random);
        cp = new TestControlPlane(CLUSTER, agentKey.toPublicJWK(), store, Clock.systemUTC());
        api.deployment("payments", "api", 2, 2);
        policy = dir.resolve("agent/policy.yaml");
        Files.writeString(policy, POLICY);
        config = dir.resolve("agent/agent.yaml");
        Files.writeString(config, """
                cluster: %s
                control_plane: %s
                agent_key: agent.key
                root_public_key: %s
                policy: policy.yaml
                data_dir: data
                status_listen: 127.0.0.1:0
                poll: {idle: 50ms, busy: 50ms, max_backoff: 200ms}
                verify_timeout: 3s
                kubernetes: {master_url: "%s"}
                """.formatted(CLUSTER, cp.url(), root.getX(), api.client.getMasterUrl()));
    }

    AgentProcess start() throws Exception {
        agent = AgentProcess.start(AgentConfig.read(config), "test", Optional.of(api.client), Clock.systemUTC());
        return agent;
    }

    void stopAgent() throws Exception {
        if (agent != null) {
            agent.close();
            agent = null;
        }
    }

    static Action scale(long replicas, Mode mode, String idempotencyKey) {
        return new Action(CLUSTER, "cr-7", "a1", "scale", new Target("Deployment", "payments", "api"),
                Map.of("replicas", replicas), mode, "ab".repeat(32), idempotencyKey);
    }

    /** Signs {@code a} with the real signer and leases it; returns the task id (its jti). */
    String lease(Action a) {
        Intent i = signer.sign(a);
        cp.lease(i.jti(), i.compact());
        return i.jti();
    }

    /** The payload of {@code compact}, signed again by {@code key} under {@code kid}. */
    static String resign(String compact, OctetKeyPair key, String kid) throws Exception {
        JWSObject original = JWSObject.parse(compact);
        JWSObject jws = new JWSObject(new JWSHeader.Builder(JWSAlgorithm.EdDSA).type(new JOSEObjectType("afs-intent+jwt"))
                .keyID(kid).build(), new Payload(original.getPayload().toString()));
        jws.sign(new Ed25519Signer(key));
        return jws.serialize();
    }

    static String jti(String compact) throws Exception {
        return JSON.readTree(JWSObject.parse(compact).getPayload().toString()).path("jti").asText();
    }

    JsonNode statusFile() throws Exception {
        return JSON.readTree(Files.readString(dir.resolve("agent/data/status.json"), StandardCharsets.UTF_8));
    }

    @Override
    public void close() throws Exception {
        try {
            stopAgent();
        } finally {
            cp.close();
            api.close();
        }
    }
}
