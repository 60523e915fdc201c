package dev.aegis.afs.harness;

import dev.aegis.afs.testkit.PostgresServer;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** Every test of {@link IncidentTimelineTest} on a fresh database of a real PostgreSQL 15 ({@code store: postgresql}). */
class PostgresIncidentTimelineTest extends IncidentTimelineTest {

    static PostgresServer pg;

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

    @Override
    HarnessFixture fixture(Path dir) throws Exception {
        return new HarnessFixture(dir, TestDatabases.fresh(pg));
    }
}
