package dev.aegis.afs.agent;

import static java.util.Objects.requireNonNull;

import com.nimbusds.jose.jwk.OctetKeyPair;
import dev.aegis.afs.intent.IntentVerifier;
import dev.aegis.afs.intent.KeyFile;
import dev.aegis.afs.intent.ReplayCache;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.IOException;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running agent: everything agent.yaml names, wired, with the poll loop on its own thread.
 * A policy file that does not load does not stop the agent: it starts locked, says so in its
 * status and metrics, and answers every task with a refusal without touching the cluster.
 */
public final class AgentProcess implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(AgentProcess.class);

    private final Agent agent;
    private final Thread thread;
    private final AgentStatus status;
    private final Optional<StatusServer> statusServer;
    private final ReplayCache replay;
    private final ExecutionJournal journal;
    private final Optional<KubernetesClient> ownedClient;
    private final Path statusFile;

    private AgentProcess(Agent agent, AgentStatus status, Optional<StatusServer> statusServer, ReplayCache replay,
                         ExecutionJournal journal, Optional<KubernetesClient> ownedClient, Path statusFile) {
        this.agent = agent;
        this.status = status;
        this.statusServer = statusServer;
        this.replay = replay;
        this.journal = journal;
        this.ownedClient = ownedClient;
        this.statusFile = statusFile;
        this.thread = new Thread(agent, "afs-agent-poll");
    }

    /** Starts an agent; {@code client} empty means the one agent.yaml's kubernetes section describes. */
    public static AgentProcess start(AgentConfig config, String version, Optional<KubernetesClient> client, Clock clock)
            throws IOException {
        requireNonNull(config, "config is null");
        AgentConfig.ensureDataDir(config.dataDir());
        SecureRandom random = new SecureRandom();
        OctetKeyPair agentKey = loadOrCreateKey(config.agentKey(), random);
        OctetKeyPair root = KeyFile.publicKey(config.rootPublicKey()); // checked by AgentConfig.read
        AgentStatus status = new AgentStatus(config.file("status.json"), config.cluster(), version, agentKey.getKeyID(),
                agentKey.getX().toString());
        Optional<LocalPolicy> policy;
        try {
            policy = Optional.of(LocalPolicy.load(config.policy()));
        } catch (LocalPolicy.Unloadable e) {
            policy = Optional.empty();
            status.lock(e.getMessage() + "; fix the policy file and restart the agent");
            LOG.error("agent LOCKED, it will run nothing: {}", e.getMessage());
        }
        Optional<KubernetesClient> owned = client.isPresent() ? Optional.empty() : Optional.of(kubernetes(config));
        KubernetesClient kube = client.orElseGet(owned::get);
        ReplayCache replay = ReplayCache.open(config.file("replay.cache"));
        ExecutionJournal journal = ExecutionJournal.open(config.file("executions.jsonl"));
        ControlPlaneClient cp = new ControlPlaneClient(config.controlPlane(), config.cluster(), agentKey, version,
                HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build(), clock, random, status::lockReason);
        IntentVerifier verifier = new IntentVerifier(root, config.cluster(), new KeySetCache(cp::keys, clock), replay, clock,
                config.clockSkew());
        TaskRunner.Sleeper sleep = d -> Thread.sleep(d.toMillis());
        TaskRunner runner = new TaskRunner(config.cluster(), version, agentKey, verifier, policy, new Workloads(kube), journal,
                status, clock, config.verifyTimeout(), sleep);
        Agent agent = new Agent(cp, runner, journal, status, clock, config.pollIdle(), config.pollBusy(), config.maxBackoff(), sleep);
        Optional<StatusServer> server = Optional.empty();
        if (config.statusListen().isPresent()) {
            server = Optional.of(new StatusServer(config.statusListen().get(), status));
        }
        status.write();
        AgentProcess p = new AgentProcess(agent, status, server, replay, journal, owned, config.file("status.json"));
        p.thread.start();
        LOG.info("agent for cluster {} polling {} (agent key {}, root key {})", config.cluster(), config.controlPlane(),
                agentKey.getKeyID(), root.getKeyID());
        return p;
    }

    /** The agent key at {@code file}, created 0600 when absent (its public half goes into harness.yaml). */
    public static OctetKeyPair loadOrCreateKey(Path file, SecureRandom random) throws IOException {
        if (!Files.exists(file)) {
            try {
                KeyFile.write(file, KeyFile.generate(random));
            } catch (java.nio.file.FileAlreadyExistsException e) {
                // another start created it first: use that one
            }
        }
        return KeyFile.read(file);
    }

    private static KubernetesClient kubernetes(AgentConfig config) throws IOException {
        Config k;
        if (config.masterUrl().isPresent()) {
            k = new ConfigBuilder(Config.empty()).withMasterUrl(config.masterUrl().get()).build();
        } else if (config.kubeconfig().isPresent()) {
            Path p = config.kubeconfig().get();
            k = Config.fromKubeconfig(config.kubeContext().orElse(null), Files.readString(p, StandardCharsets.UTF_8), p.toString());
        } else {
            k = Config.autoConfigure(config.kubeContext().orElse(null));
        }
        return new KubernetesClientBuilder().withConfig(k).build();
    }

    public AgentStatus status() {
        return status;
    }

    public Path statusFile() {
        return statusFile;
    }

    public Optional<Integer> statusPort() {
        return statusServer.map(StatusServer::port);
    }

    /** Blocks until the poll loop ends (it ends on {@link #close} or when the data dir fails). */
    public void join() throws InterruptedException {
        thread.join();
    }

    @Override
    public void close() throws IOException {
        agent.stop();
        thread.interrupt();
        try {
            thread.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        statusServer.ifPresent(StatusServer::close);
        journal.close();
        replay.close();
        ownedClient.ifPresent(KubernetesClient::close);
    }
}
