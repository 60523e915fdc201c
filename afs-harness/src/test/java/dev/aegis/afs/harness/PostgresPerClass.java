package dev.aegis.afs.harness;

import dev.aegis.afs.testkit.PostgresServer;
import java.nio.file.Path;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * One real PostgreSQL 15 for a test class, and a fresh database in it for each harness fixture:
 * how a SQLite-backed harness test class runs again with {@code store: postgresql}.
 */
final class PostgresPerClass implements BeforeAllCallback, AfterAllCallback {

    private PostgresServer server;

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        server = PostgresServer.start();
    }

    @Override
    public void afterAll(ExtensionContext context) {
        if (server != null) {
            server.close();
            server = null;
        }
    }

    /** A harness fixture in {@code dir} whose store is a fresh database of this class's server. */
    HarnessFixture fixture(Path dir) throws Exception {
        return new HarnessFixture(dir, TestDatabases.fresh(server));
    }
}
