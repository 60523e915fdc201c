package dev.aegis.afs.evidence;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import org.erdtman.jcs.JsonCanonicalizer;

/** RFC 8785 (JCS) canonical JSON, so a verifier in another language computes the same bytes. */
public final class Jcs {

    private Jcs() {
    }

    /** The canonical UTF-8 bytes of {@code json}. */
    public static byte[] canonical(JsonNode json) {
        try {
            return new JsonCanonicalizer(json.toString()).getEncodedUTF8();
        } catch (IOException e) {
            // Jackson's own output is always valid JSON; reaching here is a bug, not bad input
            throw new UncheckedIOException("cannot canonicalise JSON: " + e.getMessage(), e);
        }
    }
}
