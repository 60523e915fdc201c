package dev.aegis.afs.intent;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.jwk.OctetKeyPair;
import com.nimbusds.jose.util.Base64URL;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;

/**
 * How an agent authenticates a request to the control plane: {@code Authorization: AfsAgent
 * <jws>}, a JWS by the agent key bound to the method and path (the DPoP idea) and valid for a
 * minute. The control plane checks it against the agent key pinned for that cluster.
 */
public final class PollToken {

    public static final String SCHEME = "AfsAgent";
    static final JOSEObjectType TYPE = new JOSEObjectType("afs-agent+jwt");
    public static final Duration LIFETIME = Duration.ofSeconds(60);

    private PollToken() {
    }

    public static String sign(OctetKeyPair agentKey, String cluster, String method, String pathAndQuery, Instant now,
                              SecureRandom random) {
        byte[] id = new byte[16];
        random.nextBytes(id);
        ObjectNode o = IntentClaims.JSON.createObjectNode();
        o.put("iss", "agent:" + cluster);
        o.put("aud", IntentClaims.ISSUER);
        o.put("jti", Base64URL.encode(id).toString());
        o.put("iat", now.getEpochSecond());
        o.put("exp", now.plus(LIFETIME).getEpochSecond());
        o.put("htm", method);
        o.put("htu", pathAndQuery);
        return AgentJws.sign(agentKey, TYPE, o);
    }

    /**
     * The cluster a token claims to come from ({@code iss: agent:<cluster>}), read without
     * checking anything: only to pick the pinned key that {@link #verify} then checks it with.
     */
    public static java.util.Optional<String> claimedCluster(String token) {
        try {
            com.nimbusds.jose.JWSObject jws = com.nimbusds.jose.JWSObject.parse(token.trim());
            String iss = IntentClaims.JSON.readTree(jws.getPayload().toString()).path("iss").asText("");
            return iss.startsWith("agent:") && iss.length() > 6 ? java.util.Optional.of(iss.substring(6)) : java.util.Optional.empty();
        } catch (java.text.ParseException | com.fasterxml.jackson.core.JsonProcessingException | RuntimeException e) {
            return java.util.Optional.empty();
        }
    }

    /**
     * Checks a token for {@code method pathAndQuery} from the agent of {@code cluster}; returns its
     * jti (the control plane refuses a jti it has seen within the token's lifetime).
     */
    public static String verify(String token, OctetKeyPair agentPublicKey, String cluster, String method, String pathAndQuery,
                                Instant now, Duration skew) throws SignatureRefused {
        ObjectNode o = AgentJws.verify(token, TYPE, agentPublicKey);
        if (!("agent:" + cluster).equals(o.path("iss").asText())) {
            throw new SignatureRefused("token is from " + o.path("iss").asText() + ", not agent:" + cluster);
        }
        if (!method.equals(o.path("htm").asText()) || !pathAndQuery.equals(o.path("htu").asText())) {
            throw new SignatureRefused("token is for " + o.path("htm").asText() + " " + o.path("htu").asText()
                    + ", not " + method + " " + pathAndQuery);
        }
        long exp = o.path("exp").asLong(0);
        long iat = o.path("iat").asLong(Long.MAX_VALUE);
        if (now.getEpochSecond() > exp + skew.getSeconds() || iat > now.getEpochSecond() + skew.getSeconds()
                || exp - iat > LIFETIME.getSeconds()) {
            throw new SignatureRefused("token is not valid at " + now + " (iat " + iat + ", exp " + exp + ")");
        }
        return o.path("jti").asText();
    }
}
