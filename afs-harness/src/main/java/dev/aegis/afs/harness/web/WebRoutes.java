package dev.aegis.afs.harness.web;

import static java.util.Objects.requireNonNull;

import com.sun.net.httpserver.HttpExchange;
import dev.aegis.afs.core.AfsError;
import dev.aegis.afs.core.AfsException;
import dev.aegis.afs.core.access.Principal;
import dev.aegis.afs.harness.Harness;
import dev.aegis.afs.harness.StoredRequest;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The approval web page at {@code /web/}: server-rendered HTML, a little script from
 * {@code /web/static}, and the same {@link Harness#approve} / {@link Harness#reject} the CLI
 * and the mount use, so the approver rules (never the submitter, two distinct people for two
 * approvals, agents never) are decided in one place.
 *
 * <p>A POST counts only with its session's CSRF token in the form and an {@code Origin} that
 * is the page's own; the session cookie is HttpOnly and SameSite=Strict. Every response carries
 * a Content-Security-Policy that allows script only from this origin's files, never inline.
 */
public final class WebRoutes {

    static final String CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
            + "form-action 'self'; frame-ancestors 'none'; base-uri 'none'";
    static final String COOKIE = "afs_session";
    private static final Pattern REQUEST = Pattern.compile("/web/requests/([A-Za-z0-9][A-Za-z0-9._-]{0,63})");
    private static final Pattern DECIDE = Pattern.compile("/web/requests/([A-Za-z0-9][A-Za-z0-9._-]{0,63})/(approve|reject)");
    private static final int MAX_FORM = 16 * 1024;

    private final Harness harness;
    private final WebIdentity identity;
    private final WebSessions sessions;
    private final ApprovalPages pages;
    private final Optional<String> origin;

    /** @param origin the origin browsers use; empty: {@code http://} plus the request's Host header */
    public WebRoutes(Harness harness, WebIdentity identity, Optional<String> origin, Clock clock) {
        this.harness = requireNonNull(harness, "harness is null");
        this.identity = requireNonNull(identity, "identity is null");
        this.origin = requireNonNull(origin, "origin is null");
        this.sessions = new WebSessions(clock);
        this.pages = new ApprovalPages(harness);
    }

    /** Serves one {@code /web} request; returns the HTTP status sent. */
    public int handle(HttpExchange ex) throws IOException {
        String path = ex.getRequestURI().getPath();
        String method = ex.getRequestMethod();
        if (path.equals("/web/static/app.js") || path.equals("/web/static/app.css")) {
            return resource(ex, path.substring("/web/static/".length()));
        }
        if (path.equals("/web")) {
            return redirect(ex, "/web/", null);
        }
        try {
            if (path.equals("/web/login")) {
                return login(ex, method);
            }
            Optional<Principal> fromProxy = identity.fromProxy(ex.getRequestHeaders()::getFirst);
            Optional<WebSessions.Session> cookie = sessions.find(cookie(ex));
            WebSessions.Session session;
            String setCookie = null;
            if (fromProxy.isPresent()) {
                Principal p = fromProxy.get();
                if (cookie.isPresent() && !cookie.get().tokenLogin() && cookie.get().principal().equals(p)) {
                    session = cookie.get();
                } else {
                    session = sessions.create(p, false);
                    setCookie = session.id();
                }
            } else if (cookie.isPresent() && cookie.get().tokenLogin()) {
                session = cookie.get();
            } else if (identity.hasUsers()) {
                return redirect(ex, "/web/login", null);
            } else {
                return html(ex, 401, pages.message("Not signed in", "Open this page through the authenticating proxy "
                        + "(oauth2-proxy), which names your user; the harness accepts its headers only with its secret."), null);
            }
            Principal viewer = session.principal();
            if (path.equals("/web/logout") && method.equals("POST")) {
                checkPost(ex, session, form(ex));
                sessions.end(session.id());
                return redirect(ex, "/web/", "");
            }
            if (path.equals("/web/") && method.equals("GET")) {
                return html(ex, 200, pages.queue(viewer), setCookie);
            }
            Matcher decide = DECIDE.matcher(path);
            if (decide.matches() && method.equals("POST")) {
                return decide(ex, session, decide.group(1), decide.group(2), setCookie);
            }
            Matcher one = REQUEST.matcher(path);
            if (one.matches() && method.equals("GET")) {
                StoredRequest r = harness.get(one.group(1), viewer);
                String done = query(ex).get("done");
                String notice = done == null ? null : switch (done) {
                    case "approved" -> "Your approval was recorded.";
                    case "rejected" -> "The request was rejected.";
                    default -> null;
                };
                return html(ex, 200, pages.request(r, viewer, session.csrf(), notice, null), setCookie);
            }
            return html(ex, 404, pages.message("Not found", method + " " + path + " is not a page here; the queue is at /web/"),
                    setCookie);
        } catch (WebIdentity.Refused e) {
            return html(ex, 403, pages.message("Refused", e.getMessage()), null);
        } catch (CsrfRefused e) {
            return html(ex, 403, pages.message("Refused", e.getMessage()), null);
        } catch (AfsException e) {
            int status = e.error() == AfsError.NOT_FOUND ? 404 : e.error() == AfsError.ACCESS_DENIED ? 403 : 400;
            return html(ex, status, pages.message(e.error() == AfsError.NOT_FOUND ? "Not found" : "Refused", e.getMessage()), null);
        }
    }

    private int decide(HttpExchange ex, WebSessions.Session session, String id, String what, String setCookie)
            throws IOException, AfsException, CsrfRefused {
        Map<String, String> form = form(ex);
        checkPost(ex, session, form);
        Principal viewer = session.principal();
        try {
            if (what.equals("approve")) {
                harness.approve(id, viewer);
            } else {
                harness.reject(id, viewer, form.getOrDefault("reason", ""));
            }
        } catch (AfsException e) {
            if (e.error() == AfsError.NOT_FOUND) {
                throw e;
            }
            // shown on the request's own page, so the approver sees why next to what they looked at
            StoredRequest r = harness.get(id, viewer);
            return html(ex, e.error() == AfsError.ACCESS_DENIED ? 403 : 409,
                    pages.request(r, viewer, session.csrf(), null, "Refused: " + e.getMessage()), setCookie);
        }
        return redirect(ex, "/web/requests/" + id + "?done=" + (what.equals("approve") ? "approved" : "rejected"), setCookie);
    }

    /** Refused: a POST without its session's CSRF token, or from another origin. */
    static final class CsrfRefused extends Exception {
        CsrfRefused(String message) {
            super(message);
        }
    }

    private void checkPost(HttpExchange ex, WebSessions.Session session, Map<String, String> form) throws CsrfRefused {
        checkOrigin(ex);
        if (!session.csrfMatches(form.get("csrf"))) {
            throw new CsrfRefused("the form's CSRF token is missing or not this session's; reload the page and try again");
        }
    }

    private void checkOrigin(HttpExchange ex) throws CsrfRefused {
        String sent = ex.getRequestHeaders().getFirst("Origin");
        String expected = expectedOrigin(ex);
        if (sent == null) {
            throw new CsrfRefused("a POST without an Origin header is refused; use a browser, which sends it");
        }
        if (!sent.equals(expected)) {
            throw new CsrfRefused("a POST from origin " + sent + " is refused; this page's origin is " + expected
                    + " (web.origin in harness.yaml)");
        }
    }

    private String expectedOrigin(HttpExchange ex) {
        return origin.orElseGet(() -> "http://" + Optional.ofNullable(ex.getRequestHeaders().getFirst("Host")).orElse(""));
    }

    private int login(HttpExchange ex, String method) throws IOException, CsrfRefused, WebIdentity.Refused {
        if (!identity.hasUsers()) {
            return html(ex, 404, pages.message("No login", "This harness has no per-user tokens (web.users); sign in through "
                    + "the authenticating proxy"), null);
        }
        if (method.equals("GET")) {
            return html(ex, 200, pages.login(null), null);
        }
        checkOrigin(ex);
        Map<String, String> form = form(ex);
        Optional<Principal> p = identity.fromToken(form.get("user"), form.get("token"));
        if (p.isEmpty()) {
            return html(ex, 403, pages.login("That user and token do not match web.users in harness.yaml."), null);
        }
        WebSessions.Session s = sessions.create(p.get(), true);
        return redirect(ex, "/web/", s.id());
    }

    // ---- HTTP plumbing ----

    private String cookieAttributes() {
        return "; Path=/web; HttpOnly; SameSite=Strict" + (origin.orElse("").startsWith("https://") ? "; Secure" : "");
    }

    private void headers(HttpExchange ex, String setCookie) {
        var h = ex.getResponseHeaders();
        h.set("Content-Security-Policy", CSP);
        h.set("X-Content-Type-Options", "nosniff");
        h.set("X-Frame-Options", "DENY");
        // same-origin, not no-referrer: under no-referrer a browser sends "Origin: null" with a form POST
        h.set("Referrer-Policy", "same-origin");
        h.set("Cache-Control", "no-store");
        if (setCookie != null) {
            h.add("Set-Cookie", COOKIE + "=" + setCookie + cookieAttributes()
                    + (setCookie.isEmpty() ? "; Max-Age=0" : "; Max-Age=" + WebSessions.LIFETIME.toSeconds()));
        }
    }

    private int html(HttpExchange ex, int status, String body, String setCookie) throws IOException {
        headers(ex, setCookie);
        return send(ex, status, "text/html; charset=utf-8", body.getBytes(StandardCharsets.UTF_8));
    }

    private int redirect(HttpExchange ex, String to, String setCookie) throws IOException {
        headers(ex, setCookie);
        ex.getResponseHeaders().set("Location", to);
        ex.sendResponseHeaders(303, -1);
        return 303;
    }

    private int resource(HttpExchange ex, String name) throws IOException {
        try (InputStream in = WebRoutes.class.getResourceAsStream(name)) {
            if (in == null) {
                return send(ex, 404, "text/plain", new byte[0]);
            }
            headers(ex, null);
            ex.getResponseHeaders().set("Cache-Control", "max-age=300");
            return send(ex, 200, name.endsWith(".js") ? "text/javascript; charset=utf-8" : "text/css; charset=utf-8",
                    in.readAllBytes());
        }
    }

    private static int send(HttpExchange ex, int status, String type, byte[] body) throws IOException {
        ex.getResponseHeaders().set("Content-Type", type);
        ex.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
        if (body.length > 0) {
            try (OutputStream out = ex.getResponseBody()) {
                out.write(body);
            }
        }
        return status;
    }

    private static String cookie(HttpExchange ex) {
        for (String header : ex.getRequestHeaders().getOrDefault("Cookie", java.util.List.of())) {
            for (String c : header.split(";")) {
                String[] kv = c.strip().split("=", 2);
                if (kv.length == 2 && kv[0].equals(COOKIE)) {
                    return kv[1];
                }
            }
        }
        return null;
    }

    private static Map<String, String> form(HttpExchange ex) throws IOException {
        byte[] body;
        try (InputStream in = ex.getRequestBody()) {
            body = in.readNBytes(MAX_FORM + 1);
        }
        if (body.length > MAX_FORM) {
            return Map.of();
        }
        return decode(new String(body, StandardCharsets.UTF_8));
    }

    private static Map<String, String> query(HttpExchange ex) {
        return decode(Optional.ofNullable(ex.getRequestURI().getRawQuery()).orElse(""));
    }

    static Map<String, String> decode(String s) {
        Map<String, String> out = new HashMap<>();
        for (String kv : s.split("&")) {
            int eq = kv.indexOf('=');
            if (eq > 0) {
                try {
                    out.put(URLDecoder.decode(kv.substring(0, eq), StandardCharsets.UTF_8),
                            URLDecoder.decode(kv.substring(eq + 1), StandardCharsets.UTF_8));
                } catch (IllegalArgumentException e) {
                    // a malformed pair is dropped: the form then lacks it and is refused by name
                }
            }
        }
        return out;
    }

    static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
