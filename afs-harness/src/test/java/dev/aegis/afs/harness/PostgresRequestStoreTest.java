package dev.aegis.afs.harness;

import dev.aegis.afs.testkit.PostgresServer;
import java.time.Clock;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** The store contract on a real PostgreSQL 15, a fresh database per test. */
class PostgresRequestStoreTest extends RequestStoreContract {

    static PostgresServer pg;
    StoreSettings.Postgres settings;

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
    RequestStore open(Ledger ledger, Clock clock) throws Exception {
        settings = TestDatabases.fresh(pg);
        return reopen(ledger);
    }

    @Override
    RequestStore reopen(Ledger ledger) throws Exception {
        return new PostgresRequestStore(PostgresDatabase.open(settings), ledger, clock);
    }
}
