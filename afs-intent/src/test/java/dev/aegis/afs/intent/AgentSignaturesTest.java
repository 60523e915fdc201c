package dev.aegis.afs.intent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.nimbusds.jose.jwk.OctetKeyPair;
import dev.aegis.afs.intent.TaskResult.Outcome;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Poll tokens and results as the control plane will check them. */
class AgentSignaturesTest {

    final SecureRandom random = new SecureRandom();
    final OctetKeyPair agent = KeyFile.generate(random);
    final Instant now = Instant.parse("2026-12-02T03:00:00Z");

    @Test
    void aPollTokenIsBoundToItsAgentMethodPathAndTime() throws Exception {
        String token = PollToken.sign(agent, "prod-eu", "GET", "/v1/tasks?cluster=prod-eu", now, random);
        PollToken.verify(token, agent.toPublicJWK(), "prod-eu", "GET", "/v1/tasks?cluster=prod-eu", now, Duration.ofSeconds(5));
        assertThrows(SignatureRefused.class, () -> PollToken.verify(token, agent.toPublicJWK(), "prod-eu", "GET",
                "/v1/tasks?cluster=prod-us", now, Duration.ofSeconds(5)));
        assertThrows(SignatureRefused.class, () -> PollToken.verify(token, agent.toPublicJWK(), "prod-us", "GET",
                "/v1/tasks?cluster=prod-eu", now, Duration.ofSeconds(5)));
        assertThrows(SignatureRefused.class, () -> PollToken.verify(token, KeyFile.generate(random).toPublicJWK(),
                "prod-eu", "GET", "/v1/tasks?cluster=prod-eu", now, Duration.ofSeconds(5)));
        assertThrows(SignatureRefused.class, () -> PollToken.verify(token, agent.toPublicJWK(), "prod-eu", "GET",
                "/v1/tasks?cluster=prod-eu", now.plusSeconds(70), Duration.ofSeconds(5)));
    }

    @Test
    void aResultRoundTripsAndAnotherKeyIsRefused() throws Exception {
        TaskResult r = new TaskResult("prod-eu", "j1", "ab".repeat(32), Optional.of("cr-7"), Optional.of("a1"),
                Optional.of("cr-7/a1"), Outcome.EXECUTED, "", "scaled", IntentClaims.JSON.createObjectNode().put("x", 1),
                now, "0.1.0");
        String jws = r.sign(agent);
        assertEquals(r, TaskResult.verify(jws, agent.toPublicJWK(), "prod-eu"));
        assertThrows(SignatureRefused.class, () -> TaskResult.verify(jws, KeyFile.generate(random).toPublicJWK(), "prod-eu"));
        assertThrows(SignatureRefused.class, () -> TaskResult.verify(jws, agent.toPublicJWK(), "prod-us"));
    }
}
