package dev.aegis.afs.harness;

import java.time.Clock;

/** The store contract on the embedded SQLite store. */
class SqliteRequestStoreTest extends RequestStoreContract {

    @Override
    RequestStore open(Ledger ledger, Clock clock) throws Exception {
        return new SqliteRequestStore(dir.resolve("harness.db"), ledger, clock);
    }

    @Override
    RequestStore reopen(Ledger ledger) throws Exception {
        return open(ledger, clock);
    }
}
