package dev.aegis.afs.core.tree.harness;

import com.fasterxml.jackson.databind.JsonNode;
import dev.aegis.afs.core.harness.HarnessClient;
import dev.aegis.afs.core.tree.StaticDir;
import dev.aegis.afs.core.tree.TextFile;
import java.time.Clock;
import java.util.List;

/**
 * {@code /ledger/ledger.jsonl}: the harness' signed, hash-chained ledger, one entry a line, as the
 * reader may see it: entries of envs it may not read show only their seq, prev and hash.
 */
public final class LedgerDir extends StaticDir {

    /** Entries shown at most; `afs ledger show` pages through all. */
    public static final int SHOWN = 10_000;

    public LedgerDir(HarnessClient harness, Clock clock) {
        super("ledger", clock.instant(), List.of(new TextFile("ledger.jsonl", clock, caller -> {
            StringBuilder out = new StringBuilder();
            for (JsonNode entry : harness.ledger(1, SHOWN, caller)) {
                out.append(entry.toString()).append('\n');
            }
            return out.toString();
        })));
    }
}
