package dev.aegis.afs.harness;

import static dev.aegis.afs.harness.HarnessFixture.AGENT;
import static dev.aegis.afs.harness.HarnessFixture.plan;
import static dev.aegis.afs.harness.HarnessFixture.pointer;
import static dev.aegis.afs.harness.HarnessFixture.scale;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.aegis.afs.core.evidence.EvidenceRecord;
import dev.aegis.afs.core.harness.HarnessClient;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The harness as a child JVM, killed with SIGKILL after the Kubernetes call and before it recorded it. */
class KillNineTest {

    @TempDir
    Path dir;

    private Process child(String hang) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder pb = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                "-Dafs.test.hang=" + hang, HarnessChildMain.class.getName(), dir.resolve("harness.yaml").toString());
        pb.redirectError(dir.resolve("child-" + hang + ".err").toFile());
        return pb.start();
    }

    private String await(BufferedReader out, String prefix) throws Exception {
        for (String line; (line = out.readLine()) != null; ) {
            if (line.startsWith(prefix)) {
                return line;
            }
        }
        StringBuilder err = new StringBuilder();
        try (var files = Files.list(dir)) {
            for (Path p : files.filter(f -> f.getFileName().toString().endsWith(".err")).toList()) {
                err.append(Files.readString(p));
            }
        }
        throw new AssertionError("child exited before printing " + prefix + ":\n" + err);
    }

    @Test
    void killNineAfterTheKubernetesCallLosesNothingAndDoesNotRunTwice() throws Exception {
        try (HarnessFixture f = new HarnessFixture(dir)) {
            EvidenceRecord ev = f.snapshot(10);
            f.cluster.deployment("payments", "api", 3, 3, "256Mi");
            Files.writeString(dir.resolve("harness.yaml"), """
                    listen: 127.0.0.1:0
                    data_dir: data
                    namespaces: namespaces.yaml
                    evidence_dir: evidence
                    policy: {max_evidence_age: 7d}
                    kubernetes: {master_url: "%s"}
                    """.formatted(f.cluster.client.getMasterUrl()) + f.captureKeysYaml());
            // evidence is judged by the child's real clock: capture it now
            EvidenceRecord fresh = new dev.aegis.afs.core.evidence.EvidenceStore(dir.resolve("evidence"), Duration.ofHours(72),
                    1L << 30, java.time.Clock.systemUTC()).capture("api.log", "/teams/payments/prod/logs/api.log", o -> {
                        o.line("OOMKilled");
                        o.line("OOMKilled");
                        return new dev.aegis.afs.core.evidence.CaptureInfo("file:demo", "tail", java.util.Optional.empty(),
                                dev.aegis.afs.core.source.ReadStats.complete(1, 2, Duration.ZERO));
                    });
            assertTrue(ev.lines() > 0);

            Process first = child("after_execute");
            String id;
            try (BufferedReader out = new BufferedReader(new InputStreamReader(first.getInputStream(), StandardCharsets.UTF_8))) {
                String url = await(out, "LISTENING ").substring("LISTENING ".length());
                HarnessClient client = new HarnessClient(URI.create(url), Duration.ofSeconds(30),
                        java.util.Optional.of(dir.resolve("data").resolve("client.token")));
                client.register(fresh.signed()); // as the mount does, to this harness with its real clock
                id = client.submit(plan("prod", 0.9, pointer(fresh, "1-2"), scale("api", 5, "kill-1"), "")
                        .getBytes(StandardCharsets.UTF_8), AGENT).id();
                await(out, "HANG after_execute " + id);
                first.destroyForcibly();
                assertTrue(first.waitFor(30, TimeUnit.SECONDS));
            } finally {
                first.destroyForcibly();
            }
            assertEquals(137, first.exitValue(), "killed with SIGKILL");
            assertEquals(5, f.replicas("payments", "api"));
            long writes = f.writes("payments", "api");

            Process second = child("none");
            try (BufferedReader out = new BufferedReader(new InputStreamReader(second.getInputStream(), StandardCharsets.UTF_8))) {
                String url = await(out, "LISTENING ").substring("LISTENING ".length());
                HarnessClient client = new HarnessClient(URI.create(url), Duration.ofSeconds(30),
                        java.util.Optional.of(dir.resolve("data").resolve("client.token")));
                String state = "";
                for (int i = 0; i < 600 && !state.equals("SUCCEEDED"); i++) {
                    state = client.get(id, AGENT).path("state").asText();
                    if (!state.equals("SUCCEEDED")) {
                        Thread.sleep(100);
                    }
                }
                assertEquals("SUCCEEDED", state, client.statusText(id, AGENT));
                assertTrue(client.statusText(id, AGENT).contains("confirmed_after_restart"), client.statusText(id, AGENT));
            } finally {
                second.destroy();
                second.waitFor(30, TimeUnit.SECONDS);
                second.destroyForcibly();
            }
            assertEquals(writes, f.writes("payments", "api"), "the scale must not be sent twice");
            assertEquals(5, f.replicas("payments", "api"));
            String pub = SigningKey.publicKeyHex(Harness.ledgerPublicKey(dir.resolve("data"))).orElseThrow();
            LedgerVerifier.Result ledger = LedgerVerifier.verify(Harness.ledgerPath(dir.resolve("data")), pub);
            assertTrue(ledger.ok(), ledger.problem().orElse(""));
            List<String> lines = Files.readAllLines(Harness.ledgerPath(dir.resolve("data")));
            assertEquals(1, lines.stream().filter(l -> l.contains("\"event\":\"action_intent\"")).count());
        }
    }
}
