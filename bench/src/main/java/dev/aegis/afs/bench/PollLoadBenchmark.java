package dev.aegis.afs.bench;

import com.nimbusds.jose.jwk.OctetKeyPair;
import dev.aegis.afs.core.access.UnixAccounts;
import dev.aegis.afs.harness.Harness;
import dev.aegis.afs.harness.HarnessConfig;
import dev.aegis.afs.harness.HarnessDaemon;
import dev.aegis.afs.intent.IntentKeyStore;
import dev.aegis.afs.intent.KeyFile;
import dev.aegis.afs.intent.PollToken;
import dev.aegis.afs.testkit.PostgresServer;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Issue 12's poll load against one control plane: 10,000 simulated cluster agents, each polling
 * {@code GET /v1/tasks?cluster=<id>} every 5 s (2,000 polls/s), with 50,000 intents buffered
 * in the store, over loopback with keep-alive connections. Not JMH: two processes, so the
 * control plane's RSS and CPU are its own and the load generator's CPU share is measured apart.
 *
 * <pre>
 * java -cp bench/target/benchmarks.jar dev.aegis.afs.bench.PollLoadBenchmark server DIR sqlite|postgresql
 * java -cp bench/target/benchmarks.jar dev.aegis.afs.bench.PollLoadBenchmark drive DIR [warmupSeconds measureSeconds]
 * </pre>
 * bench/poll-load.sh runs both. The server generates the 10,000 agent keys (their private halves
 * in DIR/agents.txt, for the driver), one certified intent key, a harness.yaml with
 * {@code execution: agents}, starts {@link HarnessDaemon} and then buffers the 50,000 intents:
 * actions of EXECUTING requests, leased to the agents (5 per cluster) and valid for a day, so
 * every poll runs the lease query against them and finds nothing new to lease. The driver is a
 * JDK {@link HttpClient} (HTTP/1.1, its connection pool keeps connections alive) sending at a
 * fixed rate, each poll with a fresh agent-signed token as a real agent does.
 */
public final class PollLoadBenchmark {

    static final int AGENTS = 10_000;
    static final int INTENTS = 50_000;
    static final Duration POLL_EVERY = Duration.ofSeconds(5);

    private PollLoadBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length >= 3 && args[0].equals("server")) {
            server(Path.of(args[1]), args[2]);
        } else if (args.length >= 2 && args[0].equals("drive")) {
            drive(Path.of(args[1]), args.length > 2 ? Integer.parseInt(args[2]) : 15, args.length > 3 ? Integer.parseInt(args[3]) : 45,
                    args.length > 4 ? Integer.parseInt(args[4]) : AGENTS);
        } else {
            System.err.println("usage: PollLoadBenchmark server DIR sqlite|postgresql | drive DIR [warmup measure]");
            System.exit(2);
        }
    }

    static String cluster(int i) {
        return String.format("c%05d", i);
    }

    // ---- the control plane ----

    static void server(Path dir, String store) throws Exception {
        SecureRandom random = new SecureRandom();
        Files.createDirectories(dir);
        Path data = dir.resolve("data");
        Files.createDirectories(data);
        Files.setPosixFilePermissions(data, java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
        Files.createDirectories(dir.resolve("evidence"));
        StringBuilder agentsYaml = new StringBuilder("agents:\n");
        List<String> privates = new ArrayList<>();
        for (int i = 0; i < AGENTS; i++) {
            OctetKeyPair k = KeyFile.generate(random);
            agentsYaml.append("  ").append(cluster(i)).append(": {public_key: ").append(k.getX()).append("}\n");
            privates.add(cluster(i) + " " + k.toJSONString());
        }
        Files.write(dir.resolve("agents.txt"), privates);
        OctetKeyPair root = KeyFile.generate(random);
        IntentKeyStore.open(data).rotate(root, Instant.now(), Duration.ofHours(24), Duration.ofHours(1), 1, random);
        Files.writeString(dir.resolve("namespaces.yaml"), """
                evidence: {dir: evidence}
                backends:
                  cluster: {type: kubernetes, master_url: "http://127.0.0.1:1"}
                teams:
                  payments:
                    prod:
                      access: {read: [uid:1000]}
                      changes: {mode: execute, allow: [scale], namespaces: [payments]}
                """);
        PostgresServer pg = null;
        String storeYaml = "";
        String jdbc;
        if (store.equals("postgresql")) {
            pg = PostgresServer.start();
            jdbc = pg.createDatabase("harness");
            storeYaml = "store: postgresql\npostgresql: {url: \"" + jdbc + "\", user: postgres, pool_size: 10}\n";
        } else {
            jdbc = "jdbc:sqlite:" + data.resolve("harness.db").toAbsolutePath();
        }
        Files.writeString(dir.resolve("harness.yaml"), """
                listen: 127.0.0.1:0
                data_dir: data
                namespaces: namespaces.yaml
                evidence_dir: evidence
                execution: agents
                live_state: {backend: cluster}
                intent_ttl: 30s
                """ + storeYaml + agentsYaml);
        // the gates' read-only client: no poll here leases anything new, so it is never called
        KubernetesClient client = new KubernetesClientBuilder().withConfig(new ConfigBuilder()
                .withMasterUrl("http://127.0.0.1:1").build()).build();
        HarnessDaemon daemon = HarnessDaemon.start(HarnessConfig.read(dir.resolve("harness.yaml")), client, Clock.systemUTC(),
                UnixAccounts.system(), Harness.Probe.NONE);
        buffer(jdbc, pg);
        Files.writeString(dir.resolve("server.url"), daemon.url() + " " + ProcessHandle.current().pid() + "\n");
        System.out.println("control plane at " + daemon.url() + " (" + store + "), " + INTENTS + " intents buffered for "
                + AGENTS + " agents");
        while (!Files.exists(dir.resolve("stop"))) {
            Thread.sleep(200);
        }
        daemon.stop();
        client.close();
        if (pg != null) {
            pg.close();
        }
    }

    /** 50,000 actions of EXECUTING requests, leased to the agents (5 each) and valid for a day. */
    static void buffer(String jdbc, PostgresServer pg) throws Exception {
        try (Connection c = pg != null ? DriverManager.getConnection(jdbc, PostgresServer.SUPERUSER, "") : DriverManager.getConnection(jdbc)) {
            c.setAutoCommit(false);
            long now = System.currentTimeMillis();
            try (PreparedStatement r = c.prepareStatement("INSERT INTO requests(id, incident, team, env, submitter, "
                    + "submitter_person, state, mode, document, doc_sha, created_ms, updated_ms) VALUES (?, ?, 'payments', 'prod', "
                    + "'unix:1000@bench', 'user:agent', 'EXECUTING', 'EXECUTE', 'bench', ?, ?, ?)");
                 PreparedStatement a = c.prepareStatement("INSERT INTO actions(request_id, idx, idempotency_key, tool, target, "
                         + "status, cluster, queued_ms, lease_expires_ms) VALUES (?, 0, ?, 'scale', 'payments/Deployment/api', "
                         + "'LEASED', ?, ?, ?)")) {
                for (int i = 0; i < INTENTS; i++) {
                    String id = String.format("cr-bench-%06d", i);
                    r.setString(1, id);
                    r.setString(2, "INC-" + i);
                    r.setString(3, "sha-" + i);
                    r.setLong(4, now);
                    r.setLong(5, now);
                    r.addBatch();
                    a.setString(1, id);
                    a.setString(2, "key-" + i);
                    a.setString(3, cluster(i % AGENTS));
                    a.setLong(4, now);
                    a.setLong(5, now + Duration.ofDays(1).toMillis());
                    a.addBatch();
                    if (i % 1000 == 999) {
                        r.executeBatch();
                        a.executeBatch();
                    }
                }
            }
            c.commit();
        }
    }

    // ---- the load generator ----

    /** Drives {@code agentCount} of the agents (all 10,000: 2,000 polls/s); an agent polls again only once answered. */
    static void drive(Path dir, int warmupSeconds, int measureSeconds, int agentCount) throws Exception {
        String[] server = Files.readString(dir.resolve("server.url")).strip().split(" ");
        String url = server[0];
        long serverPid = Long.parseLong(server[1]);
        List<String> lines = Files.readAllLines(dir.resolve("agents.txt"));
        String[] clusters = new String[Math.min(agentCount, lines.size())];
        OctetKeyPair[] keys = new OctetKeyPair[clusters.length];
        java.util.concurrent.atomic.AtomicBoolean[] waiting = new java.util.concurrent.atomic.AtomicBoolean[clusters.length];
        for (int i = 0; i < clusters.length; i++) {
            waiting[i] = new java.util.concurrent.atomic.AtomicBoolean();
            int space = lines.get(i).indexOf(' ');
            clusters[i] = lines.get(i).substring(0, space);
            keys[i] = OctetKeyPair.parse(lines.get(i).substring(space + 1));
        }
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
        SecureRandom random = new SecureRandom();
        long intervalNanos = POLL_EVERY.toNanos() / clusters.length; // 0.5 ms: 2,000 polls/s
        long total = (warmupSeconds + measureSeconds) * 1_000_000_000L / intervalNanos;
        long warmup = warmupSeconds * 1_000_000_000L / intervalNanos;
        long[] latencies = new long[(int) (total - warmup)];
        AtomicInteger measured = new AtomicInteger();
        AtomicInteger errors = new AtomicInteger();
        AtomicInteger skipped = new AtomicInteger();
        AtomicInteger inFlight = new AtomicInteger();
        AtomicLong maxInFlight = new AtomicLong();
        AtomicLong leased = new AtomicLong();
        long start = System.nanoTime();
        long[] cpuAtMeasure = new long[2];
        long measureStart = 0;
        for (long k = 0; k < total; k++) {
            long due = start + k * intervalNanos;
            long wait = due - System.nanoTime();
            if (wait > 200_000) {
                Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
            }
            while (System.nanoTime() < due) {
                Thread.onSpinWait();
            }
            if (k == warmup) {
                measureStart = System.nanoTime();
                cpuAtMeasure[0] = cpuTicks(ProcessHandle.current().pid());
                cpuAtMeasure[1] = cpuTicks(serverPid);
            }
            int agent = (int) (k % clusters.length);
            if (!waiting[agent].compareAndSet(false, true)) {
                skipped.incrementAndGet(); // its last poll is still unanswered: a real agent waits for it
                continue;
            }
            String path = "/v1/tasks?cluster=" + clusters[agent];
            String token = PollToken.sign(keys[agent], clusters[agent], "GET", path, Instant.now(), random);
            HttpRequest req = HttpRequest.newBuilder(URI.create(url + path)).header("Authorization", PollToken.SCHEME + " " + token)
                    .header("User-Agent", "afs-agent/bench").timeout(Duration.ofSeconds(30)).GET().build();
            boolean counted = k >= warmup;
            long sent = System.nanoTime();
            maxInFlight.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
            http.sendAsync(req, HttpResponse.BodyHandlers.ofString()).whenComplete((resp, err) -> {
                long took = System.nanoTime() - sent;
                inFlight.decrementAndGet();
                waiting[agent].set(false);
                if (err != null || resp.statusCode() != 200) {
                    errors.incrementAndGet();
                    if (errors.get() <= 3) {
                        System.err.println("poll failed: " + (err != null ? err : resp.statusCode() + " " + resp.body()));
                    }
                    return;
                }
                if (!resp.body().contains("\"tasks\":[]")) {
                    leased.incrementAndGet();
                }
                if (counted) {
                    int i = measured.getAndIncrement();
                    if (i < latencies.length) {
                        latencies[i] = took;
                    }
                }
            });
        }
        long sendEnd = System.nanoTime();
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (inFlight.get() > 0 && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        double seconds = (sendEnd - measureStart) / 1e9;
        long hz = 100; // USER_HZ on Linux
        double driverCpu = (cpuTicks(ProcessHandle.current().pid()) - cpuAtMeasure[0]) / (double) hz / seconds;
        double serverCpu = (cpuTicks(serverPid) - cpuAtMeasure[1]) / (double) hz / seconds;
        int n = Math.min(measured.get(), latencies.length);
        long[] l = Arrays.copyOf(latencies, n);
        Arrays.sort(l);
        System.out.printf("%d agents, polls due %d in %.1f s measured (%.0f/s), answered %d, errors %d, skipped (agent still "
                        + "waiting) %d, non-empty answers %d, max in flight %d%n", clusters.length, total - warmup, seconds,
                (total - warmup) / seconds, n, errors.get(), skipped.get(), leased.get(), maxInFlight.get());
        if (n > 0) {
            System.out.printf("poll latency: p50 %.2f ms, p90 %.2f ms, p99 %.2f ms, p99.9 %.2f ms, max %.2f ms%n",
                    l[n / 2] / 1e6, l[(int) (n * 0.90)] / 1e6, l[(int) (n * 0.99)] / 1e6, l[Math.min(n - 1, (int) (n * 0.999))] / 1e6,
                    l[n - 1] / 1e6);
        }
        System.out.printf("CPU (cores) over the measured window: control plane %.2f, load generator %.2f (of 2)%n", serverCpu, driverCpu);
        System.out.printf("control plane RSS %d MiB (VmHWM %d MiB)%n", statusKb(serverPid, "VmRSS") / 1024, statusKb(serverPid, "VmHWM") / 1024);
        System.out.println("load average: " + Files.readString(Path.of("/proc/loadavg")).strip());
    }

    /** utime + stime of a process, in clock ticks (its threads included). */
    static long cpuTicks(long pid) throws java.io.IOException {
        String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(f[11]) + Long.parseLong(f[12]);
    }

    static long statusKb(long pid, String field) throws java.io.IOException {
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"), StandardCharsets.UTF_8)) {
            if (line.startsWith(field + ":")) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        return -1;
    }
}
