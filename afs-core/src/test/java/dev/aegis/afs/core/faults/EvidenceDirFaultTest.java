package dev.aegis.afs.core.faults;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.aegis.afs.core.Afs;
import dev.aegis.afs.core.AfsError;
import dev.aegis.afs.core.AfsException;
import dev.aegis.afs.core.Caller;
import dev.aegis.afs.core.access.UnixAccounts;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The evidence directory cannot take the snapshot (a read-only filesystem, or one that is full):
 * the read fails with an external error whose reason names the evidence directory, and no bytes
 * are served without being recorded. The filesystems are tmpfs mounts (needs root; skipped where
 * mount fails) and are always unmounted.
 */
class EvidenceDirFaultTest {

    private static final Caller ALICE = new Caller(1000, 1000, 42);

    @TempDir
    Path dir;

    private Afs load() throws IOException {
        Files.createDirectories(dir.resolve("logs"));
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < 4000; i++) {
            lines.add("2026-11-21T11:00:00Z INFO a line long enough to fill a small filesystem quickly n=" + i);
        }
        Files.write(dir.resolve("logs/api.log"), lines);
        Path config = dir.resolve("namespaces.yaml");
        Files.writeString(config, """
                evidence: {dir: evidence}
                backends:
                  local: {type: file, root: logs, cache_ttl: 0s}
                teams:
                  payments:
                    prod:
                      access: {read: ["uid:1000"]}
                      logs:
                        api: {backend: local, path: api.log, window: none}
                """);
        return Afs.load(config, Clock.systemUTC(), Map.<String, String>of()::get, UnixAccounts.system(), List.of());
    }

    private static boolean mount(Path target, String options) throws Exception {
        Process p = new ProcessBuilder("mount", "-t", "tmpfs", "-o", options, "tmpfs", target.toString())
                .redirectErrorStream(true).start();
        return p.waitFor(20, TimeUnit.SECONDS) && p.exitValue() == 0;
    }

    private static void unmount(Path target) throws Exception {
        new ProcessBuilder("umount", "-l", target.toString()).redirectErrorStream(true).start()
                .waitFor(20, TimeUnit.SECONDS);
    }

    private void assertReadRefused(Afs afs) {
        AfsException e = assertThrows(AfsException.class,
                () -> BackendFaultTest.read(afs.resolve("/teams/payments/prod/logs/api.log", ALICE)));
        assertEquals(AfsError.Type.EXTERNAL, e.error().type(), e.error() + ": " + e.getMessage());
        assertTrue(e.getMessage().contains("evidence"), "the reason does not name the evidence dir: " + e.getMessage());
    }

    @Test
    @Timeout(120)
    void aReadOnlyEvidenceDirectoryRefusesTheRead() throws Exception {
        Path evidence = Files.createDirectories(dir.resolve("evidence"));
        assumeTrue(mount(evidence, "size=1m,ro"), "cannot mount a tmpfs (needs root)");
        try (Afs afs = load()) {
            assertReadRefused(afs);
        } finally {
            unmount(evidence);
        }
    }

    @Test
    @Timeout(120)
    void aFullEvidenceDirectoryRefusesTheRead() throws Exception {
        Path evidence = Files.createDirectories(dir.resolve("evidence"));
        assumeTrue(mount(evidence, "size=64k"), "cannot mount a tmpfs (needs root)");
        try (Afs afs = load()) {
            assertReadRefused(afs); // the snapshot (~350 KB) does not fit in 64 KB
        } finally {
            unmount(evidence);
        }
    }
}
