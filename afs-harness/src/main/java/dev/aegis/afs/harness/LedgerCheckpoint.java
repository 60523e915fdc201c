package dev.aegis.afs.harness;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.Base64;
import java.util.Optional;
import org.erdtman.jcs.JsonCanonicalizer;

/**
 * A signed statement "the ledger had {@code count} entries and entry {@code count} hashed to
 * {@code head}, at {@code at}". The signature is Ed25519 over the RFC 8785 (JCS) form of
 * {@code {v, count, head, at}}, so any language can check it. A verifier that holds a
 * checkpoint refuses a ledger shorter than it or diverging from it.
 */
public record LedgerCheckpoint(long count, String head, String at, String sig) {

    public LedgerCheckpoint {
        requireNonNull(head, "head is null");
        requireNonNull(at, "at is null");
        requireNonNull(sig, "sig is null");
    }

    /** Signs a checkpoint with the ledger key (the harness; tests that play root on its host). */
    public static LedgerCheckpoint sign(long count, String head, String at, SigningKey key) {
        byte[] message = signed(count, head, at);
        return new LedgerCheckpoint(count, head, at, Base64.getEncoder().encodeToString(key.sign(message)));
    }

    /** The bytes the signature covers: JCS of {v, count, head, at}. */
    static byte[] signed(long count, String head, String at) {
        ObjectNode n = Ledger.JSON.createObjectNode();
        n.put("v", 1);
        n.put("count", count);
        n.put("head", head);
        n.put("at", at);
        try {
            return new JsonCanonicalizer(n.toString()).getEncodedUTF8();
        } catch (IOException e) {
            throw new IllegalStateException("cannot canonicalise a checkpoint", e);
        }
    }

    public boolean verifies(String publicKeyHex) {
        try {
            return SigningKey.verify(publicKeyHex, signed(count, head, at), Base64.getDecoder().decode(sig));
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    public String json() {
        ObjectNode n = Ledger.JSON.createObjectNode();
        n.put("v", 1);
        n.put("count", count);
        n.put("head", head);
        n.put("at", at);
        n.put("sig", sig);
        return n.toString();
    }

    /** Parses a checkpoint line; empty when it is not one. */
    public static Optional<LedgerCheckpoint> parse(String json) {
        try {
            JsonNode n = Ledger.JSON.readTree(json);
            if (n == null || !n.path("count").canConvertToLong() || !n.path("head").isTextual() || !n.path("sig").isTextual()) {
                return Optional.empty();
            }
            return Optional.of(new LedgerCheckpoint(n.path("count").asLong(), n.path("head").asText(), n.path("at").asText(""),
                    n.path("sig").asText()));
        } catch (IOException e) {
            return Optional.empty();
        }
    }
}
