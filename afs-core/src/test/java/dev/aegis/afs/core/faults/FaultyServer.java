package dev.aegis.afs.core.faults;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * An HTTP server on 127.0.0.1 that misbehaves the same way on every request, below the level a
 * well-behaved test server allows: it never answers, answers 5xx, resets the connection in the
 * middle of the body, sends garbage as JSON, or drips the body one byte at a time. Raw sockets,
 * so the faults are what a client really sees. Close it after use.
 */
final class FaultyServer implements AutoCloseable {

    enum Fault {
        /** Reads the request and never answers. */
        TIMEOUT,
        /** {@code 500} with a plain-text body. */
        HTTP_500,
        /** {@code 200} announcing 100000 bytes of JSON, then a TCP reset after 40. */
        RESET_MID_BODY,
        /** {@code 200} application/json whose body is not JSON. */
        GARBAGE_JSON,
        /** {@code 200} then one byte every 200 ms: each read succeeds, the whole never arrives. */
        SLOW_DRIP
    }

    static final String ERROR_BODY = "upstream exploded: shard 7 unavailable\nsecond line of the trace\n";

    private final ServerSocket socket;
    private final Fault fault;
    private final ExecutorService pool = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "faulty-server");
        t.setDaemon(true);
        return t;
    });
    private final List<Socket> open = new CopyOnWriteArrayList<>();
    private final CountDownLatch firstRequest = new CountDownLatch(1);
    private volatile boolean closed;

    FaultyServer(Fault fault) throws IOException {
        this.fault = Objects.requireNonNull(fault, "fault is null");
        socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        pool.execute(this::acceptLoop);
    }

    String url() {
        return "http://127.0.0.1:" + socket.getLocalPort();
    }

    String host() {
        return "127.0.0.1:" + socket.getLocalPort();
    }

    /** Waits until a request reached the server. */
    boolean awaitRequest(long seconds) throws InterruptedException {
        return firstRequest.await(seconds, TimeUnit.SECONDS);
    }

    private void acceptLoop() {
        while (!closed) {
            try {
                Socket client = socket.accept();
                open.add(client);
                pool.execute(() -> serve(client));
            } catch (IOException e) {
                return; // closed
            }
        }
    }

    private void serve(Socket client) {
        try (client) {
            BufferedReader in = new BufferedReader(new InputStreamReader(client.getInputStream(), StandardCharsets.ISO_8859_1));
            int contentLength = 0;
            for (String line = in.readLine(); line != null && !line.isEmpty(); line = in.readLine()) {
                if (line.toLowerCase(java.util.Locale.ROOT).startsWith("content-length:")) {
                    contentLength = Integer.parseInt(line.substring(15).trim());
                }
            }
            for (int i = 0; i < contentLength; i++) {
                in.read();
            }
            firstRequest.countDown();
            OutputStream out = client.getOutputStream();
            switch (fault) {
                case TIMEOUT -> {
                    while (!closed && !client.isClosed()) {
                        Thread.sleep(50);
                    }
                }
                case HTTP_500 -> respond(out, "500 Internal Server Error", "text/plain", ERROR_BODY);
                case GARBAGE_JSON -> respond(out, "200 OK", "application/json",
                        "{\"status\":\"success\",\"data\":[[[<html>not json");
                case RESET_MID_BODY -> {
                    out.write(head("200 OK", "application/json", 100_000));
                    out.write("{\"status\":\"success\",\"data\":{\"resultType\":".getBytes(StandardCharsets.US_ASCII));
                    out.flush();
                    Thread.sleep(100);
                    client.setSoLinger(true, 0); // close() now sends RST
                }
                case SLOW_DRIP -> {
                    out.write(head("200 OK", "application/json", 100_000));
                    out.flush();
                    while (!closed) {
                        out.write(' ');
                        out.flush();
                        Thread.sleep(200);
                    }
                }
            }
        } catch (SocketException e) {
            // the client gave up: expected for every fault
        } catch (IOException | InterruptedException | RuntimeException e) {
            // nothing to report: the client sees a broken connection, which is the point
        }
    }

    private static byte[] head(String status, String type, int length) {
        return ("HTTP/1.1 " + status + "\r\nContent-Type: " + type + "\r\nContent-Length: " + length
                + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
    }

    private static void respond(OutputStream out, String status, String type, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        out.write(head(status, type, bytes.length));
        out.write(bytes);
        out.flush();
    }

    @Override
    public void close() {
        closed = true;
        try {
            socket.close();
        } catch (IOException e) {
            // already closed
        }
        for (Socket s : open) {
            try {
                s.close();
            } catch (IOException e) {
                // already closed
            }
        }
        pool.shutdownNow();
    }
}
