package dev.aegis.afs.harness;

import java.time.Instant;
import java.util.List;

/**
 * The intents section of {@code /change_requests/<id>.status} (execution: agents): each lease,
 * its cluster, key, validity and hash, and what the agent answered. Kept apart from
 * {@link RequestView}'s own sections.
 */
final class IntentView {

    private IntentView() {
    }

    static String text(List<RequestStore.LeasedIntent> intents) {
        if (intents.isEmpty()) {
            return "";
        }
        StringBuilder b = new StringBuilder("intents:\n");
        for (RequestStore.LeasedIntent i : intents) {
            b.append("  action ").append(i.index()).append(" -> ").append(i.cluster()).append("  jti ").append(i.jti())
                    .append("  key ").append(i.keyId()).append("  valid until ").append(Instant.ofEpochMilli(i.expiresMillis()))
                    .append("  sha256 ").append(i.sha256()).append("  ")
                    .append(i.outcome().map(o -> o.toUpperCase(java.util.Locale.ROOT)
                            + i.reason().filter(r -> !r.isEmpty()).map(r -> " (" + r + ")").orElse("")).orElse("LEASED, no result yet"))
                    .append('\n');
        }
        return b.toString();
    }
}
