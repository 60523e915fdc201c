package dev.aegis.afs.bench;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.SplittableRandom;

/**
 * Writes a realistic application log of a given size, fast: RFC 3339 timestamps (millisecond,
 * UTC, 0-20 ms apart), access and application lines, 1% ERROR, a Java stack trace (continuation
 * lines) every ~2,000 lines, and the word {@code OOMKilled} on about one line in 50,000.
 *
 * <pre>java bench/src/main/java/dev/aegis/afs/bench/GenLog.java OUT.log SIZE_GIB [START] [SEED]</pre>
 * (or {@code bench/gen-log.sh}). START defaults to 2026-11-21T00:00:00Z. Deterministic per seed.
 */
public final class GenLog {

    private static final String[] PATHS = {"/api/v1/payments", "/api/v1/payments/{id}", "/api/v1/refunds", "/healthz",
            "/api/v1/customers/{id}", "/metrics", "/api/v1/invoices"};
    private static final String[] METHODS = {"GET", "GET", "GET", "POST", "PUT", "DELETE"};
    private static final int[] STATUS = {200, 200, 200, 200, 200, 201, 204, 301, 400, 404, 500, 503};
    private static final String[] MESSAGES = {"payment authorised", "cache miss for customer profile",
            "retrying upstream call to ledger", "connection pool at 80% capacity", "settlement batch committed",
            "slow query on invoices (index scan)", "token refreshed for service account", "webhook delivered"};

    private GenLog() {
    }

    public static void main(String[] args) throws IOException {
        if (args.length < 2) {
            System.err.println("usage: GenLog OUT.log SIZE_GIB [START_RFC3339] [SEED]");
            System.exit(2);
        }
        Path out = Path.of(args[0]);
        long target = (long) (Double.parseDouble(args[1]) * (1L << 30));
        Instant start = args.length > 2 ? Instant.parse(args[2]) : Instant.parse("2026-11-21T00:00:00Z");
        long seed = args.length > 3 ? Long.parseLong(args[3]) : 42;
        long began = System.nanoTime();
        long written = write(out, target, start, new SplittableRandom(seed));
        double seconds = (System.nanoTime() - began) / 1e9;
        System.err.printf("wrote %,d bytes to %s in %.1f s (%.0f MB/s)%n", written, out, seconds, written / seconds / 1e6);
    }

    static long write(Path out, long target, Instant start, SplittableRandom random) throws IOException {
        if (out.getParent() != null) {
            Files.createDirectories(out.getParent());
        }
        DateTimeFormatter seconds = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss").withZone(ZoneOffset.UTC);
        long millis = start.toEpochMilli();
        long cachedSecond = Long.MIN_VALUE;
        byte[] secondPrefix = null;
        byte[] buf = new byte[1 << 20];
        int len = 0;
        long written = 0;
        long line = 0;
        StringBuilder sb = new StringBuilder(256);
        try (OutputStream os = Files.newOutputStream(out)) {
            while (written + len < target) {
                millis += random.nextInt(21);
                long second = Math.floorDiv(millis, 1000);
                if (second != cachedSecond) {
                    cachedSecond = second;
                    secondPrefix = seconds.format(Instant.ofEpochSecond(second)).getBytes(StandardCharsets.US_ASCII);
                }
                sb.setLength(0);
                int ms = (int) Math.floorMod(millis, 1000);
                sb.append('.').append((char) ('0' + ms / 100)).append((char) ('0' + ms / 10 % 10))
                        .append((char) ('0' + ms % 10)).append("Z ");
                appendBody(sb, random, line);
                if (len + secondPrefix.length + sb.length() + 1024 > buf.length) {
                    os.write(buf, 0, len);
                    written += len;
                    len = 0;
                }
                System.arraycopy(secondPrefix, 0, buf, len, secondPrefix.length);
                len += secondPrefix.length;
                for (int i = 0, n = sb.length(); i < n; i++) {
                    buf[len++] = (byte) sb.charAt(i); // the body is ASCII
                }
                line++;
            }
            os.write(buf, 0, len);
            written += len;
        }
        return written;
    }

    private static void appendBody(StringBuilder sb, SplittableRandom random, long line) {
        int kind = random.nextInt(100);
        if (kind < 60) {
            int status = STATUS[random.nextInt(STATUS.length)];
            sb.append(status >= 500 ? "ERROR" : "INFO ").append(" [payments-api] http method=")
                    .append(METHODS[random.nextInt(METHODS.length)]).append(" path=")
                    .append(PATHS[random.nextInt(PATHS.length)].replace("{id}", Integer.toString(random.nextInt(100_000))))
                    .append(" status=").append(status).append(" latency_ms=").append(random.nextInt(2000))
                    .append(" trace_id=").append(Long.toHexString(random.nextLong())).append('\n');
        } else {
            boolean error = kind == 99;
            sb.append(error ? "ERROR" : kind < 95 ? "INFO " : "WARN ").append(" [payments-worker] ")
                    .append(MESSAGES[random.nextInt(MESSAGES.length)]).append(" user=u").append(random.nextInt(50_000))
                    .append(" req=").append(line);
            if (random.nextInt(50_000) == 0) {
                sb.append(" container OOMKilled (limit 512Mi)");
            }
            sb.append('\n');
            if (error && random.nextInt(20) == 0) {
                sb.append("java.lang.IllegalStateException: ledger unavailable\n");
                for (int i = 0; i < 8; i++) {
                    sb.append("\tat dev.aegis.payments.Ledger.call(Ledger.java:").append(100 + i).append(")\n");
                }
            }
        }
    }
}
