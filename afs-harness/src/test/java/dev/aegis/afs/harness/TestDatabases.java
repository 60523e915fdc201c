package dev.aegis.afs.harness;

import dev.aegis.afs.testkit.PostgresServer;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

/** A new, empty database per test on a class's PostgreSQL server, as {@code store: postgresql} settings. */
final class TestDatabases {

    private static final AtomicInteger NEXT = new AtomicInteger();

    private TestDatabases() {
    }

    static StoreSettings.Postgres fresh(PostgresServer pg) throws Exception {
        String url = pg.createDatabase("harness_" + NEXT.incrementAndGet());
        return new StoreSettings.Postgres(url, PostgresServer.SUPERUSER, Optional.empty(), 8, Duration.ofSeconds(2));
    }
}
