package dev.aegis.afs.intent;

import static java.util.Objects.requireNonNull;

/**
 * Why an intent (or a key certificate) was not accepted. Each refusal means no action: the
 * agent reports the reason and sends nothing to the API server.
 */
public final class IntentRefused extends Exception {

    /** The reasons, as they appear in results, status and metrics (lower case). */
    public enum Reason {
        MALFORMED,
        BAD_SIGNATURE,
        UNKNOWN_KID,
        UNCERTIFIED_KEY,
        CERTIFICATE_EXPIRED,
        WRONG_AUDIENCE,
        EXPIRED,
        NOT_YET_VALID,
        REPLAYED;

        public String wireName() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    private final Reason reason;

    public IntentRefused(Reason reason, String message) {
        super(message);
        this.reason = requireNonNull(reason, "reason is null");
    }

    public Reason reason() {
        return reason;
    }
}
