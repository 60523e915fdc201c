package dev.aegis.afs.core.prometheus;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A real Prometheus server for tests, on 127.0.0.1 and a free port, serving samples loaded
 * from an OpenMetrics text with {@code promtool tsdb create-blocks-from openmetrics}. Nothing is
 * scraped. {@link #close()} stops the process tree and deletes the temporary directory.
 *
 * <pre>{@code
 * @BeforeAll static void start() { assumeTrue(LocalPrometheus.available()); prometheus = LocalPrometheus.start(text); }
 * @AfterAll static void stop() { if (prometheus != null) prometheus.close(); }
 * }</pre>
 */
public final class LocalPrometheus implements AutoCloseable {

    private final Path dir;
    private final Process process;
    private final int port;

    private LocalPrometheus(Path dir, Process process, int port) {
        this.dir = dir;
        this.process = process;
        this.port = port;
    }

    /** Whether both binaries are installed (Debian package {@code prometheus}). */
    public static boolean available() {
        return binary("prometheus").isPresent() && binary("promtool").isPresent();
    }

    static Optional<Path> binary(String name) {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin").split(":")) {
            Path p = Path.of(dir, name);
            if (Files.isExecutable(p)) {
                return Optional.of(p);
            }
        }
        return Optional.empty();
    }

    /** Loads {@code openMetrics} (ending with {@code # EOF}) and starts a server over it; waits until ready. */
    public static LocalPrometheus start(String openMetrics) throws IOException, InterruptedException {
        Path dir = Files.createTempDirectory("afs-prometheus-");
        Process process = null;
        try {
            Path input = dir.resolve("samples.om");
            Files.writeString(input, openMetrics, StandardCharsets.UTF_8);
            Path data = dir.resolve("data");
            run(dir, List.of(binary("promtool").orElseThrow().toString(), "tsdb", "create-blocks-from", "openmetrics",
                    input.toString(), data.toString()));
            Path config = dir.resolve("prometheus.yml");
            Files.writeString(config, "global:\n  scrape_interval: 1h\n");
            int port = freePort();
            process = new ProcessBuilder(binary("prometheus").orElseThrow().toString(),
                    "--config.file=" + config,
                    "--storage.tsdb.path=" + data,
                    // blocks are old: keep them whatever their age relative to the wall clock
                    "--storage.tsdb.retention.time=100y",
                    "--web.listen-address=127.0.0.1:" + port)
                    .redirectErrorStream(true)
                    .redirectOutput(dir.resolve("prometheus.log").toFile())
                    .start();
            LocalPrometheus server = new LocalPrometheus(dir, process, port);
            server.awaitReady(data);
            return server;
        } catch (IOException | InterruptedException | RuntimeException e) {
            if (process != null) {
                stop(process);
            }
            deleteTree(dir);
            throw e;
        }
    }

    public String url() {
        return "http://127.0.0.1:" + port;
    }

    public int port() {
        return port;
    }

    /** Waits for /-/ready, then checks the server answering is ours (not, say, a packaged service). */
    private void awaitReady(Path data) throws IOException, InterruptedException {
        HttpClient http = HttpClient.newHttpClient();
        HttpRequest ready = HttpRequest.newBuilder(URI.create(url() + "/-/ready")).build();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IOException("prometheus exited with " + process.exitValue() + ": " + log());
            }
            try {
                if (http.send(ready, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    String flags = http.send(HttpRequest.newBuilder(URI.create(url() + "/api/v1/status/flags")).build(),
                            HttpResponse.BodyHandlers.ofString()).body();
                    if (!flags.contains(data.toString())) {
                        throw new IOException("the Prometheus on port " + port + " is not the one started here: " + flags);
                    }
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            }
            Thread.sleep(100);
        }
        throw new IOException("prometheus was not ready within 60s: " + log());
    }

    private String log() throws IOException {
        Path log = dir.resolve("prometheus.log");
        return Files.exists(log) ? Files.readString(log) : "(no log)";
    }

    private static void run(Path dir, List<String> command) throws IOException, InterruptedException {
        Path log = dir.resolve("promtool.log");
        Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            stop(p);
            throw new IOException(String.join(" ", command) + " did not finish within 60s");
        }
        if (p.exitValue() != 0) {
            throw new IOException(String.join(" ", command) + " failed: " + Files.readString(log));
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    private static void stop(Process process) throws InterruptedException {
        List<ProcessHandle> children = process.descendants().toList();
        process.destroy();
        children.forEach(ProcessHandle::destroy);
        if (!process.waitFor(20, TimeUnit.SECONDS)) {
            children.forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    @Override
    public void close() throws IOException, InterruptedException {
        try {
            stop(process);
        } finally {
            deleteTree(dir);
        }
    }
}
