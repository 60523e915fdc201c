package dev.aegis.afs.core.traces;

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
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * A real Zipkin server for tests: the {@code io.zipkin:zipkin-server} exec jar (a test dependency,
 * so Maven fetches it) run as its own process on 127.0.0.1 and a free port, with in-memory
 * storage. {@link #close()} stops it and deletes its log.
 *
 * <pre>{@code
 * @BeforeAll static void start() { assumeTrue(LocalZipkin.jar().isPresent()); zipkin = LocalZipkin.start(); }
 * @AfterAll static void stop() { if (zipkin != null) zipkin.close(); }
 * }</pre>
 */
public final class LocalZipkin implements AutoCloseable {

    private final Process process;
    private final int port;
    private final Path log;

    private LocalZipkin(Process process, int port, Path log) {
        this.process = process;
        this.port = port;
        this.log = log;
    }

    /** The exec jar on the test classpath. */
    public static Optional<Path> jar() {
        return Arrays.stream(System.getProperty("java.class.path", "").split(java.io.File.pathSeparator))
                .filter(p -> p.matches(".*zipkin-server-[0-9.]+-exec\\.jar")).map(Path::of).filter(Files::isRegularFile)
                .findFirst();
    }

    /** Starts a server and waits (up to 3 minutes on a loaded machine) until it answers /health. */
    public static LocalZipkin start() throws IOException, InterruptedException {
        Path jar = jar().orElseThrow(() -> new IllegalStateException("zipkin-server exec jar is not on the classpath"));
        int port = freePort();
        Path log = Files.createTempFile("afs-zipkin-", ".log");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process process = new ProcessBuilder(java, "-Xmx256m", "-XX:TieredStopAtLevel=1", "-jar", jar.toString(),
                "--armeria.ports[0].ip=127.0.0.1", "--armeria.ports[0].port=" + port,
                "--armeria.ports[0].protocols[0]=http", "--logging.level.root=WARN")
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        LocalZipkin zipkin = new LocalZipkin(process, port, log);
        try {
            zipkin.awaitHealthy();
            return zipkin;
        } catch (IOException | InterruptedException | RuntimeException e) {
            zipkin.close();
            throw e;
        }
    }

    public String url() {
        return "http://127.0.0.1:" + port;
    }

    /** Posts spans (Zipkin v2 JSON) and waits until Zipkin has stored them. */
    public void post(String spansJson) throws IOException, InterruptedException {
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url() + "/api/v2/spans"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(spansJson, StandardCharsets.UTF_8)).build(),
                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 202) {
            throw new IOException("zipkin refused the spans: HTTP " + r.statusCode() + " " + r.body());
        }
    }

    private void awaitHealthy() throws IOException, InterruptedException {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IOException("zipkin exited with " + process.exitValue() + ": " + tail());
            }
            try {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url() + "/health"))
                        .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            }
            Thread.sleep(250);
        }
        throw new IOException("zipkin did not become healthy within 3 minutes: " + tail());
    }

    private String tail() throws IOException {
        List<String> lines = Files.readAllLines(log);
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    @Override
    public void close() {
        process.descendants().forEach(ProcessHandle::destroy);
        process.destroy();
        try {
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
            }
            Files.deleteIfExists(log);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException e) {
            // the log is in /tmp; nothing else to undo
        }
    }
}
