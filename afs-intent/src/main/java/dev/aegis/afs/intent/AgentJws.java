package dev.aegis.afs.intent;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSObject;
import com.nimbusds.jose.Payload;
import com.nimbusds.jose.crypto.Ed25519Signer;
import com.nimbusds.jose.crypto.Ed25519Verifier;
import com.nimbusds.jose.jwk.OctetKeyPair;
import java.text.ParseException;

/** Compact EdDSA JWS with a JSON payload, as the agent signs its poll tokens and results. */
final class AgentJws {

    private AgentJws() {
    }

    static String sign(OctetKeyPair key, JOSEObjectType type, ObjectNode payload) {
        JWSObject jws = new JWSObject(new JWSHeader.Builder(JWSAlgorithm.EdDSA).type(type).keyID(key.getKeyID()).build(),
                new Payload(payload.toString()));
        try {
            jws.sign(new Ed25519Signer(key));
        } catch (JOSEException e) {
            throw new IllegalStateException("signing failed", e);
        }
        return jws.serialize();
    }

    /** The payload of {@code compact} when it is a {@code type} JWS signed by {@code publicKey}. */
    static ObjectNode verify(String compact, JOSEObjectType type, OctetKeyPair publicKey) throws SignatureRefused {
        try {
            JWSObject jws = JWSObject.parse(compact.trim());
            if (!JWSAlgorithm.EdDSA.equals(jws.getHeader().getAlgorithm()) || !type.equals(jws.getHeader().getType())) {
                throw new SignatureRefused("not an EdDSA " + type + " JWS");
            }
            if (!jws.verify(new Ed25519Verifier(publicKey.toPublicJWK()))) {
                throw new SignatureRefused("the signature does not verify under the pinned agent key " + publicKey.getKeyID());
            }
            JsonNode n = IntentClaims.JSON.readTree(jws.getPayload().toString());
            if (!(n instanceof ObjectNode o)) {
                throw new SignatureRefused("the payload is not a JSON object");
            }
            return o;
        } catch (ParseException | JOSEException | JsonProcessingException e) {
            throw new SignatureRefused("not a compact JWS: " + e.getMessage());
        }
    }
}
