package dev.aegis.afs.core.traces;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Generated spans across four services, {@code frontend -> checkout -> payment-api -> ledger} and
 * {@code frontend -> payment-api}, as Zipkin v2 JSON. Three traces:
 * <ul>
 * <li>{@link #CHECKOUT} (ok, 300ms, 10 minutes before base): all four services</li>
 * <li>{@link #FAILED_PAY} (error, 150ms, 5 minutes before): frontend calls payment-api, which fails</li>
 * <li>{@link #SLOW_CHECKOUT} (ok, 1.2s, 2 minutes before): frontend, checkout, payment-api</li>
 * </ul>
 * So payment-api has two dependants (frontend, checkout) and ledger one (payment-api).
 */
public final class ShopTraces {

    public static final String CHECKOUT = "0000000000000a01";
    public static final String FAILED_PAY = "0000000000000b02";
    public static final String SLOW_CHECKOUT = "0000000000000c03";

    private ShopTraces() {
    }

    /** The spans of all three traces, times relative to {@code base}. */
    public static String json(Instant base) {
        long b = base.getEpochSecond() * 1_000_000 + base.getNano() / 1000;
        List<String> spans = new ArrayList<>();
        long a = b - 600_000_000L;
        spans.add(span(CHECKOUT, "0000000000000001", null, "get /checkout", "SERVER", "frontend", null, a, 300_000, false, ""));
        spans.add(span(CHECKOUT, "0000000000000002", "0000000000000001", "post /checkout", "CLIENT", "frontend", "checkout", a + 5_000, 280_000, false, ""));
        spans.add(span(CHECKOUT, "0000000000000002", "0000000000000001", "post /checkout", "SERVER", "checkout", null, a + 6_000, 270_000, true, ""));
        spans.add(span(CHECKOUT, "0000000000000003", "0000000000000002", "charge", "CLIENT", "checkout", "payment-api", a + 10_000, 200_000, false, ""));
        spans.add(span(CHECKOUT, "0000000000000003", "0000000000000002", "charge", "SERVER", "payment-api", null, a + 12_000, 190_000, true, ""));
        spans.add(span(CHECKOUT, "0000000000000004", "0000000000000003", "append", "CLIENT", "payment-api", "ledger", a + 20_000, 50_000, false, ""));
        spans.add(span(CHECKOUT, "0000000000000004", "0000000000000003", "append", "SERVER", "ledger", null, a + 21_000, 48_000, true, ""));
        long f = b - 300_000_000L;
        spans.add(span(FAILED_PAY, "0000000000000011", null, "get /pay", "SERVER", "frontend", null, f, 150_000, false,
                ",\"tags\":{\"error\":\"upstream 500\",\"http.status_code\":\"500\"}"));
        spans.add(span(FAILED_PAY, "0000000000000012", "0000000000000011", "charge", "CLIENT", "frontend", "payment-api", f + 1_000, 100_000, false,
                ",\"tags\":{\"error\":\"500\"}"));
        spans.add(span(FAILED_PAY, "0000000000000012", "0000000000000011", "charge", "SERVER", "payment-api", null, f + 2_000, 90_000, true,
                ",\"tags\":{\"error\":\"db pool exhausted\"}"));
        long s = b - 120_000_000L;
        spans.add(span(SLOW_CHECKOUT, "0000000000000021", null, "get /checkout", "SERVER", "frontend", null, s, 1_200_000, false, ""));
        spans.add(span(SLOW_CHECKOUT, "0000000000000022", "0000000000000021", "post /checkout", "CLIENT", "frontend", "checkout", s + 5_000, 1_100_000, false, ""));
        spans.add(span(SLOW_CHECKOUT, "0000000000000022", "0000000000000021", "post /checkout", "SERVER", "checkout", null, s + 6_000, 1_090_000, true, ""));
        spans.add(span(SLOW_CHECKOUT, "0000000000000023", "0000000000000022", "charge", "CLIENT", "checkout", "payment-api", s + 10_000, 1_000_000, false, ""));
        spans.add(span(SLOW_CHECKOUT, "0000000000000023", "0000000000000022", "charge", "SERVER", "payment-api", null, s + 12_000, 990_000, true, ""));
        return "[" + String.join(",\n", spans) + "]";
    }

    private static String span(String trace, String id, String parent, String name, String kind, String service,
                               String remote, long ts, long duration, boolean shared, String tags) {
        return "{\"traceId\":\"" + trace + "\",\"id\":\"" + id + "\"" + (parent == null ? "" : ",\"parentId\":\"" + parent + "\"")
                + ",\"name\":\"" + name + "\",\"kind\":\"" + kind + "\",\"timestamp\":" + ts + ",\"duration\":" + duration
                + ",\"localEndpoint\":{\"serviceName\":\"" + service + "\"}"
                + (remote == null ? "" : ",\"remoteEndpoint\":{\"serviceName\":\"" + remote + "\"}")
                + (shared ? ",\"shared\":true" : "") + tags + "}";
    }
}
