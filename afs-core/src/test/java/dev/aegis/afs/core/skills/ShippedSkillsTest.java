package dev.aegis.afs.core.skills;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.aegis.afs.core.Afs;
import dev.aegis.afs.core.Caller;
import dev.aegis.afs.core.access.UnixAccounts;
import dev.aegis.afs.core.tree.FileNode;
import dev.aegis.afs.core.tree.OpenFile;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The structured skills shipped in skills/: each passes the schema, and each step that reads a
 * section the demo has (its logs) works on the demo tree (namespaces.yaml's payments/prod over
 * demo/data, at the time the demo's logs end) and finds lines.
 */
class ShippedSkillsTest {

    private static final Path REPO = Path.of(System.getProperty("afs.repo", "..")).toAbsolutePath().normalize();

    @TempDir
    Path work;

    static List<StructuredSkill> shipped() throws Exception {
        List<StructuredSkill> out = new ArrayList<>();
        try (Stream<Path> files = Files.list(REPO.resolve("skills"))) {
            for (Path f : files.filter(p -> p.toString().endsWith(".yaml")).sorted().toList()) {
                String name = f.getFileName().toString().replace(".yaml", "");
                SkillSchema.Result r = SkillSchema.read("skills/" + f.getFileName(), Files.readString(f), Optional.of(name));
                assertEquals(List.of(), r.problems(), f.toString());
                out.add(r.skill().orElseThrow());
            }
        }
        return out;
    }

    @Test
    void theFiveIncidentsTheProductKnowsHaveASkill() throws Exception {
        assertEquals(Set.of("oom-memory-leak", "crashloop-backoff", "imagepull-backoff", "deploy-5xx-spike", "db-pool-exhaustion"),
                Set.copyOf(shipped().stream().map(StructuredSkill::name).toList()));
    }

    @Test
    void logStepsWorkOnTheDemoTree() throws Exception {
        Files.writeString(work.resolve("namespaces.yaml"), """
                evidence: {dir: %s}
                backends:
                  demo: {type: file, root: %s, cache_ttl: 0s}
                teams:
                  payments:
                    prod:
                      access: {read: ["*"]}
                      logs:
                        api: {backend: demo, path: payments/api.log, window: {lines: 10000}}
                        ingress: {backend: demo, path: payments/ingress.log}
                        ledger-worker:
                          backend: demo
                          path: pods/payments_ledger-worker-7d9f8b-x2k4q_5b1c2d3e-0000-4000-8000-00000000abcd/worker
                          format: cri
                """.formatted(work.resolve("evidence"), REPO.resolve("demo/data")));
        Clock endOfDemo = Clock.fixed(Instant.parse("2026-01-01T12:00:30Z"), ZoneOffset.UTC);
        int read = 0;
        try (Afs afs = Afs.load(work.resolve("namespaces.yaml"), endOfDemo, System::getenv, UnixAccounts.system(), List.of())) {
            for (StructuredSkill skill : shipped()) {
                for (StructuredSkill.Step step : skill.steps()) {
                    String path = step.readFor("payments", "prod");
                    if (!path.startsWith("/teams/payments/prod/logs/")) {
                        continue; // k8s and config sections: the demo tree has none (ReadKubernetes tests cover their terms)
                    }
                    String text = read((FileNode) afs.resolve(path, Caller.self()));
                    assertTrue(!text.isEmpty(), skill.name() + ": " + path + " found nothing on the demo data");
                    read++;
                }
            }
        }
        assertTrue(read >= 8, "only " + read + " log steps were read");
    }

    private static String read(FileNode node) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (OpenFile file = node.open(Caller.self())) {
            ByteBuffer buffer = ByteBuffer.allocate(64 * 1024);
            long offset = 0;
            int n;
            while ((n = file.read(offset, buffer.clear())) > 0) {
                out.write(buffer.array(), 0, n);
                offset += n;
            }
        }
        return out.toString(StandardCharsets.UTF_8);
    }
}
