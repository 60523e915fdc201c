package dev.aegis.afs.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.aegis.afs.core.config.ConfigException;
import dev.aegis.afs.core.evidence.EvidenceRecord;
import dev.aegis.afs.core.tree.DirNode;
import dev.aegis.afs.core.tree.FileNode;
import dev.aegis.afs.core.tree.LiveFile;
import dev.aegis.afs.core.tree.Node;
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
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The tree built from namespaces.yaml, read the way the FUSE adapter and the CLI read it. */
class AfsTreeTest {

    private static final Instant NOW = Instant.parse("2026-11-21T12:00:00Z");
    private static final Caller ALICE = new Caller(1000, 1000, 42);

    @TempDir
    Path dir;
    private final List<String> lines = new ArrayList<>();

    @BeforeEach
    void writeLogs() throws Exception {
        Files.createDirectories(dir.resolve("logs"));
        Files.createDirectories(dir.resolve("runbooks"));
        Files.writeString(dir.resolve("runbooks/oom.md"), "# OOM\n");
        for (int i = 0; i < 50; i++) {
            Instant t = NOW.minusSeconds(600 - i * 10L);
            lines.add(t + " " + (i % 7 == 0 ? "ERROR oom killed" : "INFO ok") + " n=" + i);
        }
        Files.write(dir.resolve("logs/api.log"), lines);
    }

    private Afs load(String window) throws Exception {
        Path config = dir.resolve("namespaces.yaml");
        Files.writeString(config, """
                evidence: {dir: evidence, retention: 72h}
                backends:
                  local: {type: file, root: logs, cache_ttl: 0s}
                teams:
                  payments:
                    prod:
                      access: {read: ["uid:1000"]}
                      logs:
                        api: {backend: local, path: api.log, window: %s}
                      runbooks: runbooks
                """.formatted(window));
        return Afs.load(config, Clock.fixed(NOW, ZoneOffset.UTC), System::getenv, dev.aegis.afs.core.access.UnixAccounts.system(), List.of());
    }

    private static String read(Node node) throws Exception {
        try (OpenFile file = ((FileNode) node).open(ALICE)) {
            ByteBuffer buffer = ByteBuffer.allocate((int) file.size());
            int n = file.read(0, buffer);
            return new String(buffer.array(), 0, Math.max(n, 0), StandardCharsets.UTF_8);
        }
    }

    @Test
    void listsConfiguredTeamsEnvsAndSources() throws Exception {
        try (Afs afs = load("{lines: 100}")) {
            assertEquals(List.of("teams", "context", "evidence", ".afs", "incidents", "change_requests", "approvals", "ledger"),
                    names(afs.root()));
            assertEquals(List.of("payments"), names((DirNode) afs.resolve("/teams", ALICE)));
            assertEquals(List.of("logs", "runbooks"), names((DirNode) afs.resolve("/teams/payments/prod", ALICE)));
            assertEquals(List.of("api.log"), names((DirNode) afs.resolve("/teams/payments/prod/logs", ALICE)));
            assertEquals("# OOM\n", read(afs.resolve("/teams/payments/prod/runbooks/oom.md", ALICE)));
        }
    }

    @Test
    void tailReadIsTheNewestLinesAndLeavesVerifiableEvidence() throws Exception {
        try (Afs afs = load("{lines: 100}")) {
            Node node = afs.resolve("/teams/payments/prod/logs/api.log?grep=oom&tail=3", ALICE);
            String expected = String.join("\n", lines.stream().filter(l -> l.contains("oom")).toList()
                    .subList(5, 8)) + "\n";
            assertEquals(expected, read(node));
            String evidencePath = ((LiveFile) node).xattr(LiveFile.XATTR_EVIDENCE, ALICE).orElseThrow();
            EvidenceRecord record = afs.evidence().find(evidencePath).orElseThrow();
            assertEquals(expected, Files.readString(record.file()));
            assertTrue(afs.evidence().verify(record).ok());
            assertEquals(3, record.lines());
            assertEquals(expected, read(afs.resolve(evidencePath, ALICE)));
        }
    }

    @Test
    void defaultWindowCutIsFlagged() throws Exception {
        try (Afs afs = load("{lines: 10}")) {
            LiveFile node = (LiveFile) afs.resolve("/teams/payments/prod/logs/api.log", ALICE);
            assertEquals(String.join("\n", lines.subList(40, 50)) + "\n", read(node));
            assertTrue(node.xattr(LiveFile.XATTR_TRUNCATED, ALICE).orElseThrow().contains("default window"));
            LiveFile cut = (LiveFile) afs.resolve("/teams/payments/prod/logs/api.log?grep=n=4", ALICE);
            assertEquals(String.join("\n", lines.subList(40, 50)) + "\n", read(cut)); // n=4 itself is the 11th
            assertTrue(cut.xattr(LiveFile.XATTR_TRUNCATED, ALICE).orElseThrow().contains("default window"));
            LiveFile small = (LiveFile) afs.resolve("/teams/payments/prod/logs/api.log?grep=oom", ALICE);
            assertEquals(8, read(small).lines().count());
            assertEquals("false", small.xattr(LiveFile.XATTR_TRUNCATED, ALICE).orElseThrow());
        }
    }

    @Test
    void malformedQueryIsAnInvalidQueryNamingTheProblem() throws Exception {
        try (Afs afs = load("none")) {
            AfsException e = assertThrows(AfsException.class,
                    () -> afs.resolve("/teams/payments/prod/logs/api.log?tial=5", ALICE));
            assertEquals(AfsError.INVALID_QUERY, e.error());
            assertTrue(e.getMessage().contains("tial"), e.getMessage());
            assertEquals(AfsError.NOT_FOUND, assertThrows(AfsException.class,
                    () -> afs.resolve("/teams/payments/prod/logs/nope.log", ALICE)).error());
        }
    }

    @Test
    void shellFormPrintsWhatBashPrints() throws Exception {
        try (Afs afs = load("{lines: 5}")) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            afs.runShell("grep -c oom /teams/payments/prod/logs/api.log", ALICE, out);
            assertEquals("8\n", out.toString(StandardCharsets.UTF_8));
            out.reset();
            afs.runShell("grep -v oom /teams/payments/prod/logs/api.log | tail -n 2 | head -n 1", ALICE, out);
            assertEquals(lines.get(47) + "\n", out.toString(StandardCharsets.UTF_8));
        }
    }

    @Test
    void configErrorsNameTheLine() throws Exception {
        Path config = dir.resolve("namespaces.yaml");
        Files.writeString(config, """
                backends:
                  local: {type: file, root: logs}
                teams:
                  payments:
                    prod:
                      logs:
                        api: {bakend: local, path: api.log}
                """);
        ConfigException e = assertThrows(ConfigException.class, () -> Afs.load(config));
        assertTrue(e.getMessage().matches(".*namespaces.yaml:7:\\d+: .*"), e.getMessage());
    }

    private static List<String> names(DirNode dir) throws Exception {
        return dir.list(ALICE).stream().map(Node::name).toList();
    }
}
