package dev.aegis.afs.harness;

import static dev.aegis.afs.harness.HarnessFixture.AGENT;
import static dev.aegis.afs.harness.HarnessFixture.ALICE;
import static dev.aegis.afs.harness.HarnessFixture.plan;
import static dev.aegis.afs.harness.HarnessFixture.pointer;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.aegis.afs.core.AfsError;
import dev.aegis.afs.core.AfsException;
import dev.aegis.afs.testkit.PostgresServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code /change_requests/<id>.risk} on replicas sharing a real PostgreSQL: the report written by
 * the replica that validated the request is served, byte for byte, by another that never saw it,
 * and nothing of it is kept in the validating replica's data_dir.
 */
class PostgresRiskReplicaTest {

    static PostgresServer pg;

    @TempDir
    Path dir;

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

    @Test
    void aReplicaServesTheRiskReportAnotherWrote() throws Exception {
        try (HarnessFixture f = new HarnessFixture(dir, TestDatabases.fresh(pg))) {
            f.cluster.deployment("payments", "payment-api", 5, 5, "256Mi");
            f.open();
            String doc = plan("prod", 0.9, pointer(f.snapshot(5), "1-5"),
                    "  - {tool: restart, target: {kind: Deployment, name: payment-api}, idempotency_key: inc1-restart}\n", "");
            StoredRequest r = f.submit(doc, AGENT).request();
            assertEquals(State.PENDING_APPROVAL, f.get(r.id()).state(), HarnessFixture.joined(f.get(r.id())));
            String written = f.harness.risk(r.id(), f.p(ALICE));
            assertTrue(written.contains("target: payments/Deployment/payment-api"), written);

            try (Harness other = f.openReplica("data-b")) {
                assertEquals(written, other.risk(r.id(), f.p(ALICE)));
                AfsException none = assertThrows(AfsException.class, () -> other.risk("no-such-request", f.p(ALICE)));
                assertEquals(AfsError.NOT_FOUND, none.error());
            }
            try (Stream<Path> files = Files.walk(dir.resolve("data"))) {
                assertTrue(files.noneMatch(p -> p.toString().contains("risk")), "no risk file in the data_dir");
            }
        }
    }
}
