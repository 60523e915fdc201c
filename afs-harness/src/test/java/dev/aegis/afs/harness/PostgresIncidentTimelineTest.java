package dev.aegis.afs.harness;

import java.nio.file.Path;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Every test of {@link IncidentTimelineTest} on a fresh database of a real PostgreSQL 15 ({@code store: postgresql}). */
class PostgresIncidentTimelineTest extends IncidentTimelineTest {

    @RegisterExtension
    static final PostgresPerClass POSTGRES = new PostgresPerClass();

    @Override
    HarnessFixture fixture(Path dir) throws Exception {
        return POSTGRES.fixture(dir);
    }
}
