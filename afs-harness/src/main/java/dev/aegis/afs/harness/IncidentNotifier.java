package dev.aegis.afs.harness;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Clock;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tells people about an incident: on open, PENDING_APPROVAL (with the approval page's link),
 * ESCALATED and CLOSED, to Slack-compatible incoming webhooks ({@code {"text": ...}}) and to
 * generic webhooks (the JSON event, signed: {@code X-Afs-Signature: sha256=<hex HMAC-SHA256 of
 * "<X-Afs-Timestamp>.<body>">} with the channel's secret). Deliveries run on a thread of their
 * own and are retried with a doubling backoff, so a slow or failing receiver never holds up the
 * state machine; every attempt's outcome is recorded.
 */
final class IncidentNotifier implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(IncidentNotifier.class);
    static final Duration MAX_BACKOFF = Duration.ofMinutes(5);

    /** Where each attempt's outcome goes (the notifications table and the metrics). */
    interface Outcomes {
        void record(IncidentStore.Delivery delivery, String channelType);
    }

    private final List<IncidentSettings.Channel> channels;
    private final int attempts;
    private final Duration backoff;
    private final Clock clock;
    private final Outcomes outcomes;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5))
            .followRedirects(HttpClient.Redirect.NEVER).build();
    private final ScheduledExecutorService sender = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "afs-harness-notify");
        t.setDaemon(true);
        return t;
    });

    IncidentNotifier(IncidentSettings settings, Clock clock, Outcomes outcomes) {
        requireNonNull(settings, "settings is null");
        this.channels = List.copyOf(settings.channels().values());
        this.attempts = settings.attempts();
        this.backoff = settings.backoff();
        this.clock = requireNonNull(clock, "clock is null");
        this.outcomes = requireNonNull(outcomes, "outcomes is null");
    }

    /** Queues {@code event} for every channel that wants it; returns at once. */
    void send(String event, ObjectNode payload) {
        for (IncidentSettings.Channel c : channels) {
            if (c.events().contains(event)) {
                schedule(c, event, payload, 1, Duration.ZERO);
            }
        }
    }

    private void schedule(IncidentSettings.Channel c, String event, ObjectNode payload, int attempt, Duration delay) {
        try {
            sender.schedule(() -> deliver(c, event, payload, attempt), delay.toMillis(), TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            LOG.warn("notification {} of incident {} to {} not sent: the harness is stopping", event,
                    payload.path("incident").path("id").asText(), c.name());
        }
    }

    private void deliver(IncidentSettings.Channel c, String event, ObjectNode payload, int attempt) {
        String incident = payload.path("incident").path("id").asText();
        String outcome;
        String detail;
        boolean retry = false;
        try {
            byte[] body = (c.type().equals("slack") ? slack(payload) : payload.toString()).getBytes(StandardCharsets.UTF_8);
            HttpRequest.Builder b = HttpRequest.newBuilder(c.url()).timeout(Duration.ofSeconds(10))
                    .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofByteArray(body));
            if (c.secretFile().isPresent()) {
                String ts = Long.toString(clock.instant().getEpochSecond());
                b.header("X-Afs-Timestamp", ts);
                b.header("X-Afs-Signature", "sha256=" + hmac(Files.readString(c.secretFile().get()).strip(),
                        (ts + ".").getBytes(StandardCharsets.UTF_8), body));
            }
            HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() / 100 == 2) {
                outcome = "delivered";
                detail = "HTTP " + r.statusCode();
            } else {
                outcome = "failed";
                detail = "HTTP " + r.statusCode() + " " + r.body().lines().findFirst().orElse("");
                // a 4xx other than 408/429 will not change by retrying
                retry = r.statusCode() >= 500 || r.statusCode() == 408 || r.statusCode() == 429;
            }
        } catch (IOException e) {
            outcome = "failed";
            detail = e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
            retry = true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        } catch (RuntimeException e) {
            outcome = "failed";
            detail = "cannot send: " + e.getMessage();
        }
        boolean last = attempt >= attempts;
        if (outcome.equals("failed") && (!retry || last)) {
            outcome = "gave_up";
            detail = detail + (retry ? " (after " + attempt + " attempts)" : " (not retried)");
        }
        outcomes.record(new IncidentStore.Delivery(incident, event, c.name(), attempt, outcome,
                detail.length() > 500 ? detail.substring(0, 500) : detail, clock.millis()), c.type());
        if (outcome.equals("failed")) {
            long wait = Math.min(MAX_BACKOFF.toMillis(), backoff.toMillis() << Math.min(attempt - 1, 20));
            schedule(c, event, payload, attempt + 1, Duration.ofMillis(wait));
        }
    }

    /** A Slack incoming webhook's message: one line of text with the link, when there is one. */
    static String slack(ObjectNode p) {
        ObjectNode i = (ObjectNode) p.path("incident");
        StringBuilder t = new StringBuilder("[" + i.path("severity").asText() + "] " + i.path("id").asText() + " "
                + switch (p.path("event").asText()) {
                    case "opened" -> "opened";
                    case "pending_approval" -> "waits for approval";
                    case "escalated" -> "ESCALATED to a human";
                    case "closed" -> "closed";
                    default -> p.path("event").asText();
                } + " (" + i.path("team").asText() + "/" + i.path("env").asText() + "): " + i.path("title").asText());
        if (p.hasNonNull("reason")) {
            t.append(" — ").append(p.path("reason").asText());
        }
        if (p.hasNonNull("approval_url")) {
            t.append(" <").append(p.path("approval_url").asText()).append("|review ").append(p.path("request").asText())
                    .append(">");
        }
        ObjectNode out = Ledger.JSON.createObjectNode();
        out.put("text", t.toString());
        return out.toString();
    }

    static String hmac(String secret, byte[] prefix, byte[] body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            mac.update(prefix);
            return HexFormat.of().formatHex(mac.doFinal(body));
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Waits until every delivery due now has been tried (tests). */
    void awaitIdle() throws InterruptedException {
        try {
            sender.submit(() -> null).get();
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        }
    }

    @Override
    public void close() {
        sender.shutdownNow();
    }
}
