package dev.aegis.afs.harness;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.aegis.afs.core.evidence.EvidenceRecord;
import dev.aegis.afs.evidence.store.PostgresCaptureStore;
import dev.aegis.afs.evidence.store.PurgeableStore;
import dev.aegis.afs.testkit.PostgresServer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A plan citing evidence whose content was purged from the postgresql store is refused, naming the purge. */
class PostgresEvidencePurgeTest {

    @TempDir
    Path dir;

    @Test
    void aPlanCitingPurgedEvidenceIsRefusedNamingWhoPurgedItWhenAndWhy() throws Exception {
        assumeTrue(PostgresServer.installed(), "postgresql-15 is not installed (bin/setup installs it)");
        try (PostgresServer pg = PostgresServer.start();
             HarnessFixture f = new HarnessFixture(dir);
             PostgresCaptureStore store = PostgresCaptureStore.open(pg.createDatabase("afs"),
                     Optional.of(PostgresServer.SUPERUSER), Optional.empty(), true)) {
            EvidenceRecord r = f.snapshot(5);
            store.put(r.signed(), r.file(), Map.of());
            EvidenceGate gate = new EvidenceGate(store, f.registry, Duration.ofHours(1), Duration.ZERO, f.clock);
            ChangeRequest cr = ChangeRequestParser.parse("cr", HarnessFixture.plan("prod", 0.9, HarnessFixture.pointer(r, "1-5"),
                    HarnessFixture.scale("api", 2, "k"), "").getBytes(StandardCharsets.UTF_8));
            assertEquals(List.of(), gate.check(cr.team(), cr.env(), cr.evidence()));

            store.purge(new PurgeableStore.Purge(r.signed().record().id(), "user:alice",
                    Instant.parse("2026-11-18T13:00:00Z"), "an API token redaction missed"));

            List<String> problems = gate.check(cr.team(), cr.env(), cr.evidence());
            assertEquals(1, problems.size(), problems.toString());
            assertTrue(problems.get(0).contains("purged by user:alice at 2026-11-18T13:00:00Z: an API token redaction missed"),
                    problems.get(0));
        }
    }
}
