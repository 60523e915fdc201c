package dev.aegis.afs.harness;

import static dev.aegis.afs.harness.HarnessFixture.AGENT;
import static dev.aegis.afs.harness.HarnessFixture.plan;
import static dev.aegis.afs.harness.HarnessFixture.pointer;
import static dev.aegis.afs.harness.HarnessFixture.scale;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.aegis.afs.core.AfsError;
import dev.aegis.afs.core.AfsException;
import dev.aegis.afs.core.evidence.EvidenceRecord;
import dev.aegis.afs.core.harness.HarnessClient;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** POST /v1/evidence and GET /v1/evidence/holds over HTTP: the mount's endpoints, token only. */
class EvidenceRoutesTest {

    @TempDir
    Path dir;
    HarnessFixture f;
    HarnessDaemon daemon;
    HarnessClient mount;

    @BeforeEach
    void start() throws Exception {
        f = new HarnessFixture(dir);
        f.cluster.deployment("payments", "api", 3, 3, "256Mi");
        Files.writeString(dir.resolve("harness.yaml"), """
                listen: 127.0.0.1:0
                data_dir: data
                namespaces: namespaces.yaml
                evidence_dir: evidence
                """ + f.captureKeysYaml());
        daemon = HarnessDaemon.start(HarnessConfig.read(dir.resolve("harness.yaml")), f.cluster.client, f.clock,
                f.accounts, Harness.Probe.NONE);
        mount = new HarnessClient(URI.create(daemon.url()), Duration.ofSeconds(20), Optional.of(daemon.tokenFile()));
    }

    @AfterEach
    void stop() throws Exception {
        try {
            daemon.stop();
        } finally {
            f.close();
        }
    }

    @Test
    void theMountRegistersAndTheHoldsNameWhatOpenRequestsCite() throws Exception {
        EvidenceRecord cited = f.unregistered("/teams/payments/prod/logs/api.log", 5);
        EvidenceRecord other = f.unregistered("/teams/payments/prod/logs/worker.log", 3);
        mount.register(cited.signed());
        mount.register(cited.signed()); // a retry of the same capture is fine
        mount.register(other.signed());
        HarnessClient.Reply r = mount.submit(plan("prod", 0.5, pointer(cited, "1-3"), scale("api", 4, "h-1"), "")
                .getBytes(StandardCharsets.UTF_8), AGENT);
        assertEquals("PENDING_APPROVAL", r.state(), r.body().toString());
        assertEquals(Set.of(cited.id()), mount.holds());

        mount.cancel(r.id(), AGENT);
        daemon.harness().awaitIdle();
        assertEquals(Set.of(), mount.holds(), "a cancelled request holds nothing");
    }

    @Test
    void withoutTheClientTokenNothingIsRegisteredOrRevealed() throws Exception {
        EvidenceRecord r = f.unregistered("/teams/payments/prod/logs/api.log", 5);
        HarnessClient stranger = new HarnessClient(URI.create(daemon.url()), Duration.ofSeconds(20));
        AfsException e = assertThrows(AfsException.class, () -> stranger.register(r.signed()));
        assertEquals(AfsError.ACCESS_DENIED, e.error());
        assertTrue(e.getMessage().contains("client token"), e.getMessage());
        assertEquals(AfsError.ACCESS_DENIED, assertThrows(AfsException.class, stranger::holds).error());
        HttpResponse<String> raw = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(daemon.url() + "/v1/evidence/holds"))
                .header("X-Afs-Token", "guess").build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(403, raw.statusCode());
        // and it is not citable
        HarnessClient.Reply reply = mount.submit(plan("prod", 0.9, pointer(r, "1-2"), scale("api", 4, "h-2"), "")
                .getBytes(StandardCharsets.UTF_8), AGENT);
        assertEquals("REJECTED", reply.state());
        assertTrue(reply.body().toString().contains("not registered with the harness"), reply.body().toString());
    }

    @Test
    void registryIsPrivateOnDisk() throws Exception {
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("data/evidence.db"))));
    }
}
