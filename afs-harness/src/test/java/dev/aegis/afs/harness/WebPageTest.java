package dev.aegis.afs.harness;

import static dev.aegis.afs.harness.HarnessFixture.AGENT;
import static dev.aegis.afs.harness.HarnessFixture.ALICE;
import static dev.aegis.afs.harness.HarnessFixture.plan;
import static dev.aegis.afs.harness.HarnessFixture.pointer;
import static dev.aegis.afs.harness.HarnessFixture.scale;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.aegis.afs.core.evidence.EvidenceRecord;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The approval page over HTTP, as an attacker on the same host would try it: proxy headers
 * without (or with a wrong) secret, POSTs without the session's CSRF token, from another origin,
 * or without an Origin; the submitter approving their own request; a stored script.
 */
class WebPageTest {

    static final String SECRET = "s3cret-of-the-proxy-0123456789";
    static final String NAMESPACES = """
            evidence: {dir: evidence}
            teams:
              payments:
                prod:
                  access: {read: [uid:1000, uid:2001, web-group:payments-oncall, web-user:carol]}
                  changes:
                    mode: execute
                    allow: [scale, restart]
                    approvers: [uid:2001, web-group:payments-leads, web-user:carol]
                    namespaces: [payments]
                staging:
                  access: {read: [uid:1000, web-group:staging-oncall]}
                  changes: {allow: [scale], approvers: [web-group:staging-oncall], namespaces: [payments-staging]}
            """;

    @TempDir
    Path dir;
    HarnessFixture f;
    HarnessDaemon daemon;
    EvidenceRecord ev;
    final HttpClient http = HttpClient.newHttpClient();

    @BeforeEach
    void start() throws Exception {
        f = new HarnessFixture(dir);
        Files.writeString(dir.resolve("namespaces.yaml"), NAMESPACES);
        ev = f.snapshot(30);
        f.cluster.deployment("payments", "api", 5, 5, "256Mi");
        Files.writeString(dir.resolve("proxy.secret"), SECRET + "\n");
        Files.setPosixFilePermissions(dir.resolve("proxy.secret"), PosixFilePermissions.fromString("rw-------"));
        // bob's token is "bob-token"
        Files.writeString(dir.resolve("harness.yaml"), """
                listen: 127.0.0.1:0
                data_dir: data
                namespaces: namespaces.yaml
                evidence_dir: evidence
                policy: {max_evidence_age: 2h}
                web:
                  proxy_secret_file: proxy.secret
                  users: {bob: {sha256: %s, groups: [payments-leads, payments-oncall]}}
                """.formatted(sha256("bob-token")) + f.captureKeysYaml());
        daemon = HarnessDaemon.start(HarnessConfig.read(dir.resolve("harness.yaml")), f.cluster.client, f.clock, f.accounts,
                Harness.Probe.NONE);
    }

    @AfterEach
    void stop() throws Exception {
        try {
            if (daemon != null) {
                daemon.stop();
            }
        } finally {
            f.close();
        }
    }

    static String sha256(String s) throws Exception {
        return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256")
                .digest(s.getBytes(StandardCharsets.UTF_8)));
    }

    private StoredRequest submit(String hypothesis, String key) throws Exception {
        String doc = plan("prod", 0.9, pointer(ev, "1-3"), "  - {tool: restart, target: {kind: Deployment, name: api}, "
                + "idempotency_key: " + key + "}\n", "").replace("hypothesis: api pods are OOMKilled under load", "hypothesis: \""
                + hypothesis + "\"");
        StoredRequest r = daemon.harness().submit(doc.getBytes(StandardCharsets.UTF_8), f.p(AGENT)).request();
        daemon.harness().awaitIdle();
        return daemon.harness().get(r.id());
    }

    /** A browser behind the proxy: its requests carry the proxy's headers for {@code user}. */
    private HttpRequest.Builder asProxy(String path, String user, String groups) {
        return HttpRequest.newBuilder(URI.create(daemon.url() + path)).header("X-Forwarded-User", user)
                .header("X-Forwarded-Groups", groups).header("X-Afs-Proxy-Secret", SECRET);
    }

    private HttpResponse<String> send(HttpRequest.Builder b) throws Exception {
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** The session cookie and CSRF token a GET of the request page hands out. */
    private record Session(String cookie, String csrf) {
    }

    private Session session(String id, String user, String groups) throws Exception {
        HttpResponse<String> page = send(asProxy("/web/requests/" + id, user, groups));
        assertEquals(200, page.statusCode(), page.body());
        String cookie = page.headers().firstValue("Set-Cookie").orElseThrow();
        Matcher m = Pattern.compile("name=\"csrf\" value=\"([^\"]+)\"").matcher(page.body());
        assertTrue(m.find(), page.body());
        return new Session(cookie.substring(0, cookie.indexOf(';')), m.group(1));
    }

    private HttpResponse<String> post(String path, String user, String groups, Session s, String origin, Map<String, String> form)
            throws Exception {
        HttpRequest.Builder b = asProxy(path, user, groups).header("Content-Type", "application/x-www-form-urlencoded");
        if (s != null) {
            b.header("Cookie", s.cookie());
        }
        if (origin != null) {
            b.header("Origin", origin);
        }
        StringBuilder body = new StringBuilder();
        form.forEach((k, v) -> body.append(body.length() == 0 ? "" : "&").append(k).append('=')
                .append(java.net.URLEncoder.encode(v, StandardCharsets.UTF_8)));
        return send(b.POST(HttpRequest.BodyPublishers.ofString(body.toString())));
    }

    private String origin() {
        return daemon.url();
    }

    @Test
    void proxyHeadersWithoutTheSecretOrWithAWrongOneAreRefused() throws Exception {
        StoredRequest r = submit("h", "w1");
        HttpResponse<String> none = send(HttpRequest.newBuilder(URI.create(daemon.url() + "/web/requests/" + r.id()))
                .header("X-Forwarded-User", "carol").header("X-Forwarded-Groups", "payments-leads"));
        assertEquals(403, none.statusCode());
        assertTrue(none.body().contains("came without X-Afs-Proxy-Secret"), none.body());
        assertFalse(none.body().contains(r.id()), "nothing of the request is shown");
        HttpResponse<String> wrong = send(HttpRequest.newBuilder(URI.create(daemon.url() + "/web/"))
                .header("X-Auth-Request-User", "carol").header("X-Afs-Proxy-Secret", "guess"));
        assertEquals(403, wrong.statusCode());
        assertTrue(wrong.body().contains("the proxy secret is wrong"), wrong.body());
        // no proxy and no token session: the login form (web.users is set)
        HttpResponse<String> anonymous = send(HttpRequest.newBuilder(URI.create(daemon.url() + "/web/")));
        assertEquals(303, anonymous.statusCode());
        assertEquals("/web/login", anonymous.headers().firstValue("Location").orElseThrow());
    }

    @Test
    void everyPageForbidsInlineScriptAndAStoredScriptIsShownAsText() throws Exception {
        StoredRequest r = submit("<script>document.getElementById('approve').click()</script>", "w2");
        HttpResponse<String> page = send(asProxy("/web/requests/" + r.id(), "carol", ""));
        assertEquals(200, page.statusCode(), page.body());
        assertEquals("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; form-action 'self'; "
                + "frame-ancestors 'none'; base-uri 'none'", page.headers().firstValue("Content-Security-Policy").orElseThrow());
        assertFalse(page.body().contains("<script>document"), page.body());
        assertTrue(page.body().contains("&lt;script&gt;document.getElementById(&#39;approve&#39;).click()&lt;/script&gt;"),
                page.body());
        String cookie = page.headers().firstValue("Set-Cookie").orElseThrow();
        assertTrue(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict") && cookie.contains("Path=/web"), cookie);
        HttpResponse<String> js = send(HttpRequest.newBuilder(URI.create(daemon.url() + "/web/static/app.js")));
        assertEquals(200, js.statusCode());
        assertTrue(js.headers().firstValue("Content-Type").orElseThrow().startsWith("text/javascript"));
    }

    @Test
    void aPostWithoutItsSessionsCsrfTokenOrFromAnotherOriginChangesNothing() throws Exception {
        StoredRequest r = submit("h", "w3");
        assertEquals(State.PENDING_APPROVAL, r.state());
        String approve = "/web/requests/" + r.id() + "/approve";
        Session carol = session(r.id(), "carol", "");

        HttpResponse<String> noToken = post(approve, "carol", "", carol, origin(), Map.of());
        assertEquals(403, noToken.statusCode());
        assertTrue(noToken.body().contains("CSRF token is missing"), noToken.body());
        HttpResponse<String> evil = post(approve, "carol", "", carol, "http://evil.example", Map.of("csrf", carol.csrf()));
        assertEquals(403, evil.statusCode());
        assertTrue(evil.body().contains("a POST from origin http://evil.example is refused"), evil.body());
        HttpResponse<String> noOrigin = post(approve, "carol", "", carol, null, Map.of("csrf", carol.csrf()));
        assertEquals(403, noOrigin.statusCode());
        // a token taken from another user's session is not carol's
        Session dave = session(r.id(), "dave", "payments-oncall");
        HttpResponse<String> stolen = post(approve, "carol", "", carol, origin(), Map.of("csrf", dave.csrf()));
        assertEquals(403, stolen.statusCode());
        // carol's cookie with dave's headers: a fresh session for dave, carol's token does not carry over
        HttpResponse<String> swapped = post(approve, "dave", "payments-oncall", carol, origin(), Map.of("csrf", carol.csrf()));
        assertEquals(403, swapped.statusCode());
        daemon.harness().awaitIdle();
        assertTrue(daemon.harness().get(r.id()).approvals().isEmpty(), "no approval was recorded");

        HttpResponse<String> ok = post(approve, "carol", "", carol, origin(), Map.of("csrf", carol.csrf()));
        assertEquals(303, ok.statusCode(), ok.body());
        daemon.harness().awaitIdle();
        StoredRequest done = daemon.harness().get(r.id());
        assertEquals("user:carol", done.approvals().get(0).person());
        assertEquals("web:carol", done.approvals().get(0).principal());
    }

    @Test
    void theApproverRulesAreTheHarnesss() throws Exception {
        StoredRequest r = submit("h", "w4");
        String approve = "/web/requests/" + r.id() + "/approve";
        // a reader who is no approver
        Session dave = session(r.id(), "dave", "payments-oncall");
        HttpResponse<String> notApprover = post(approve, "dave", "payments-oncall", dave, origin(), Map.of("csrf", dave.csrf()));
        assertEquals(403, notApprover.statusCode());
        assertTrue(notApprover.body().contains("web:dave is not an approver for payments/prod"), notApprover.body());
        // the submitter (agent, uid 1000) is not here; a request alice submits cannot be approved by web alice
        String doc = plan("prod", 0.9, pointer(ev, "1-3"), "  - {tool: restart, target: {kind: Deployment, name: api}, "
                + "idempotency_key: w4b}\n", "");
        StoredRequest own = daemon.harness().submit(doc.getBytes(StandardCharsets.UTF_8), f.p(ALICE)).request();
        daemon.harness().awaitIdle();
        Session alice = session(own.id(), "alice", "payments-leads,payments-oncall");
        HttpResponse<String> self = post("/web/requests/" + own.id() + "/approve", "alice", "payments-leads,payments-oncall",
                alice, origin(), Map.of("csrf", alice.csrf()));
        assertEquals(403, self.statusCode());
        assertTrue(self.body().contains("user:alice submitted request " + own.id() + " and cannot approve it"), self.body());
        // staging is not shown to a payments/prod reader, and its request is "not found"
        HttpResponse<String> queue = send(asProxy("/web/", "dave", "payments-oncall"));
        assertTrue(queue.body().contains("payments/prod") && !queue.body().contains("payments/staging"), queue.body());
    }

    @Test
    void aPerUserTokenSignsInThroughTheForm() throws Exception {
        StoredRequest r = submit("h", "w5");
        HttpResponse<String> wrong = send(HttpRequest.newBuilder(URI.create(daemon.url() + "/web/login"))
                .header("Origin", origin()).header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("user=bob&token=nope")));
        assertEquals(403, wrong.statusCode());
        HttpResponse<String> login = send(HttpRequest.newBuilder(URI.create(daemon.url() + "/web/login"))
                .header("Origin", origin()).header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("user=bob&token=bob-token")));
        assertEquals(303, login.statusCode(), login.body());
        String cookie = login.headers().firstValue("Set-Cookie").orElseThrow();
        cookie = cookie.substring(0, cookie.indexOf(';'));
        HttpResponse<String> page = send(HttpRequest.newBuilder(URI.create(daemon.url() + "/web/requests/" + r.id()))
                .header("Cookie", cookie));
        assertEquals(200, page.statusCode(), page.body());
        assertTrue(page.body().contains("web:bob"), page.body());
        Matcher m = Pattern.compile("name=\"csrf\" value=\"([^\"]+)\"").matcher(page.body());
        assertTrue(m.find());
        HttpResponse<String> ok = send(HttpRequest.newBuilder(URI.create(daemon.url() + "/web/requests/" + r.id() + "/approve"))
                .header("Cookie", cookie).header("Origin", origin()).header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("csrf=" + java.net.URLEncoder.encode(m.group(1), StandardCharsets.UTF_8))));
        assertEquals(303, ok.statusCode(), ok.body());
        daemon.harness().awaitIdle();
        assertEquals("user:bob", daemon.harness().get(r.id()).approvals().get(0).person());
    }
}
