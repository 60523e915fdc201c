package dev.aegis.afs.intent;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The published online keys ({@code GET /v1/keys}): a JWKS whose every key also carries
 * {@code afs_certificate}, the root's certificate for it. A verifier trusts the certificate,
 * never the JWK beside it, so the document needs no protection of its own.
 */
public record Jwks(Map<String, String> certificatesByKid) {

    public Jwks {
        certificatesByKid = Map.copyOf(certificatesByKid);
    }

    public static Jwks of(List<KeyCertificate> certificates) {
        Map<String, String> m = new LinkedHashMap<>();
        certificates.forEach(c -> m.put(c.keyId(), c.compact()));
        return new Jwks(m);
    }

    public Optional<String> certificate(String kid) {
        return Optional.ofNullable(certificatesByKid.get(kid));
    }

    /** The JSON document; the certificates' JWKs are repeated for ordinary JWKS readers. */
    public static String json(List<KeyCertificate> certificates) {
        ObjectNode root = IntentClaims.JSON.createObjectNode();
        ArrayNode keys = root.putArray("keys");
        for (KeyCertificate c : certificates) {
            ObjectNode k = IntentClaims.JSON.valueToTree(c.publicKey().toJSONObject());
            k.put("use", "sig");
            k.put("alg", "EdDSA");
            k.put("afs_certificate", c.compact());
            keys.add(k);
        }
        return root.toString();
    }

    /** Reads a document written by {@link #json}; keys without a certificate are ignored. */
    public static Jwks parse(String json) {
        JsonNode root;
        try {
            root = IntentClaims.JSON.readTree(json);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("the key set is not JSON: " + e.getOriginalMessage());
        }
        Map<String, String> m = new LinkedHashMap<>();
        for (JsonNode k : root.path("keys")) {
            if (k.path("kid").isTextual() && k.path("afs_certificate").isTextual()) {
                m.put(k.get("kid").asText(), k.get("afs_certificate").asText());
            }
        }
        return new Jwks(m);
    }
}
