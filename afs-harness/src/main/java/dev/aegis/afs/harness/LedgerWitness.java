package dev.aegis.afs.harness;

import static java.util.Objects.requireNonNull;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.Optional;

/**
 * {@code afs witness}: a second process, with its own directory, that keeps every ledger
 * checkpoint the harness hands it and refuses one older than (or diverging from) what it holds.
 * Verification compares the ledger with the newest witnessed checkpoint, so truncating both
 * {@code ledger.jsonl} and its local checkpoint on the harness host is found.
 *
 * <p>Limits, said plainly: the witness checks the checkpoint's signature and that counts never go
 * back; it cannot check the entries between two checkpoints (it never sees them). It protects
 * against whoever can rewrite the harness's data_dir but not the witness's directory: run it as
 * another user, ideally on another host. Root on the witness's host can rewrite it too.
 *
 * <pre>
 * POST /v1/checkpoints          body: a checkpoint (JSON); 409 when older or diverging
 * GET  /v1/checkpoints/latest   the newest checkpoint; 404 when none yet
 * </pre>
 */
public final class LedgerWitness implements AutoCloseable {

    private final Path file;
    private final String publicKeyHex;
    private final HttpServer server;
    private LedgerCheckpoint latest;

    private LedgerWitness(Path file, String publicKeyHex, HttpServer server, LedgerCheckpoint latest) {
        this.file = file;
        this.publicKeyHex = publicKeyHex;
        this.server = server;
        this.latest = latest;
    }

    /** Starts a witness keeping its checkpoints in {@code dir} (0700), accepting checkpoints signed by the pinned key. */
    public static LedgerWitness start(Path dir, String publicKeyHex, InetSocketAddress listen) throws IOException {
        requireNonNull(publicKeyHex, "publicKeyHex is null");
        PrivateFiles.directory(dir);
        Path file = PrivateFiles.file(dir.resolve("checkpoints.jsonl"));
        LedgerCheckpoint latest = null;
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            Optional<LedgerCheckpoint> cp = LedgerCheckpoint.parse(line);
            if (cp.isPresent() && cp.get().verifies(publicKeyHex)) {
                latest = cp.get();
            }
        }
        HttpServer server = HttpServer.create(listen, 16);
        LedgerWitness w = new LedgerWitness(file, publicKeyHex, server, latest);
        server.createContext("/", w::handle);
        server.start();
        return w;
    }

    public String url() {
        InetSocketAddress a = server.getAddress();
        return "http://" + a.getAddress().getHostAddress() + ":" + a.getPort();
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            String path = ex.getRequestURI().getPath();
            if (path.equals("/v1/checkpoints/latest") && ex.getRequestMethod().equals("GET")) {
                LedgerCheckpoint cp = latestCheckpoint();
                send(ex, cp == null ? 404 : 200, cp == null ? "{\"error\":\"NOT_FOUND\",\"message\":\"no checkpoint witnessed yet\"}"
                        : cp.json());
            } else if (path.equals("/v1/checkpoints") && ex.getRequestMethod().equals("POST")) {
                byte[] body;
                try (InputStream in = ex.getRequestBody()) {
                    body = in.readNBytes(64 * 1024);
                }
                Optional<String> refused = accept(new String(body, StandardCharsets.UTF_8));
                send(ex, refused.isPresent() ? 409 : 201, refused.map(r -> "{\"error\":\"CONFLICT\",\"message\":"
                        + Ledger.JSON.getNodeFactory().textNode(r) + "}").orElse("{\"recorded\":true}"));
            } else {
                send(ex, 404, "{\"error\":\"NOT_FOUND\",\"message\":\"not part of the witness API\"}");
            }
        }
    }

    private synchronized LedgerCheckpoint latestCheckpoint() {
        return latest;
    }

    /** Records {@code json} when it is a signed checkpoint no older than the newest; else says why not. */
    synchronized Optional<String> accept(String json) throws IOException {
        Optional<LedgerCheckpoint> parsed = LedgerCheckpoint.parse(json);
        if (parsed.isEmpty()) {
            return Optional.of("not a ledger checkpoint");
        }
        LedgerCheckpoint cp = parsed.get();
        if (!cp.verifies(publicKeyHex)) {
            return Optional.of("the checkpoint is not signed by the pinned ledger key");
        }
        if (latest != null && cp.count() < latest.count()) {
            return Optional.of("checkpoint of " + cp.count() + " entries is older than the witnessed one of " + latest.count()
                    + ": the ledger was shortened");
        }
        if (latest != null && cp.count() == latest.count() && !cp.head().equals(latest.head())) {
            return Optional.of("checkpoint of " + cp.count() + " entries names another head than the witnessed one: the "
                    + "ledger was rewritten");
        }
        Files.write(file, (cp.json() + "\n").getBytes(StandardCharsets.UTF_8), StandardOpenOption.APPEND,
                StandardOpenOption.SYNC);
        latest = cp;
        return Optional.empty();
    }

    private static void send(HttpExchange ex, int status, String body) throws IOException {
        byte[] bytes = (body + "\n").getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", "application/json");
        ex.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(bytes);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }

    /** The harness's side: hands each checkpoint to the witness at {@code url}. */
    public static Ledger.Witness client(URI url) {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        URI post = url.resolve("/v1/checkpoints");
        return cp -> {
            try {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(post).timeout(Duration.ofSeconds(10))
                        .POST(HttpRequest.BodyPublishers.ofString(cp.json())).build(), HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() != 201) {
                    throw new IOException("the witness at " + url + " refused checkpoint " + cp.count() + ": " + r.body().strip());
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted", e);
            }
        };
    }

    /** The newest checkpoint the witness at {@code url} holds; empty when it holds none. */
    public static Optional<LedgerCheckpoint> latest(URI url) throws IOException {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        try {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(url.resolve("/v1/checkpoints/latest"))
                    .timeout(Duration.ofSeconds(10)).GET().build(), HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() == 404) {
                return Optional.empty();
            }
            if (r.statusCode() != 200) {
                throw new IOException("the witness at " + url + " answered HTTP " + r.statusCode());
            }
            return LedgerCheckpoint.parse(r.body());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }
}
