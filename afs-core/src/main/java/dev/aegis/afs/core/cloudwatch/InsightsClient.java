package dev.aegis.afs.core.cloudwatch;

import dev.aegis.afs.core.AfsError;
import dev.aegis.afs.core.AfsException;
import java.io.InterruptedIOException;
import java.net.ConnectException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.ApiCallAttemptTimeoutException;
import software.amazon.awssdk.core.exception.ApiCallTimeoutException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.cloudwatchlogs.CloudWatchLogsClient;
import software.amazon.awssdk.services.cloudwatchlogs.model.GetQueryResultsResponse;
import software.amazon.awssdk.services.cloudwatchlogs.model.QueryStatus;
import software.amazon.awssdk.services.cloudwatchlogs.model.ResultField;

/** Runs one Insights query to completion (StartQuery, then GetQueryResults polled) and parses its rows. */
final class InsightsClient {

    private static final DateTimeFormatter TIMESTAMP = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss[.SSS]");

    private final CloudWatchSettings settings;
    private final CloudWatchLogsClient logs;
    private final Clock clock;
    private final Consumer<Duration> sleeper;

    InsightsClient(CloudWatchSettings settings, CloudWatchLogsClient logs, Clock clock, Consumer<Duration> sleeper) {
        this.settings = Objects.requireNonNull(settings, "settings is null");
        this.logs = Objects.requireNonNull(logs, "logs is null");
        this.clock = Objects.requireNonNull(clock, "clock is null");
        this.sleeper = Objects.requireNonNull(sleeper, "sleeper is null");
    }

    /** The rows of {@code queryString} over the seconds {@code [startSecond, endSecond]}, in the query's order. */
    List<InsightsRow> run(List<String> logGroups, long startSecond, long endSecond, String queryString) throws AfsException {
        String id = call(() -> logs.startQuery(b -> b.logGroupNames(logGroups).startTime(startSecond).endTime(endSecond)
                .queryString(queryString)).queryId());
        Instant deadline = clock.instant().plus(settings.queryTimeout());
        while (true) {
            GetQueryResultsResponse response = call(() -> logs.getQueryResults(b -> b.queryId(id)));
            QueryStatus status = response.status();
            if (status == QueryStatus.COMPLETE) {
                return rows(response);
            }
            if (status != QueryStatus.RUNNING && status != QueryStatus.SCHEDULED) {
                throw failure(AfsError.BACKEND_FAILURE, "Insights query " + id + " ended with status " + response.statusAsString()
                        + "; narrow the time range or the log groups and retry", null);
            }
            if (!clock.instant().isBefore(deadline)) {
                try {
                    logs.stopQuery(b -> b.queryId(id));
                } catch (SdkException e) {
                    // best effort: the query times out on its own after 60 minutes
                }
                throw failure(AfsError.UNAVAILABLE, "Insights query " + id + " did not complete within "
                        + settings.queryTimeout().toSeconds() + "s; narrow the time range or raise query_timeout"
                        + " for backend '" + settings.name() + "' in namespaces.yaml", null);
            }
            sleeper.accept(settings.pollInterval());
        }
    }

    private List<InsightsRow> rows(GetQueryResultsResponse response) throws AfsException {
        List<InsightsRow> rows = new ArrayList<>(response.results().size());
        for (List<ResultField> fields : response.results()) {
            String timestamp = null;
            String message = "";
            String ptr = "";
            for (ResultField f : fields) {
                switch (f.field()) {
                    case "@timestamp" -> timestamp = f.value();
                    case "@message" -> message = f.value() == null ? "" : f.value();
                    case "@ptr" -> ptr = f.value() == null ? "" : f.value();
                    default -> {
                    }
                }
            }
            if (timestamp == null) {
                throw failure(AfsError.BACKEND_FAILURE, "a result row has no @timestamp; the query must select it", null);
            }
            try {
                rows.add(new InsightsRow(millis(timestamp), message, ptr));
            } catch (DateTimeParseException e) {
                throw failure(AfsError.BACKEND_FAILURE, "unreadable @timestamp '" + timestamp
                        + "'; expected yyyy-MM-dd HH:mm:ss.SSS (UTC) or epoch milliseconds", e);
            }
        }
        return rows;
    }

    /**
     * {@code @timestamp} as epoch milliseconds. Insights prints {@code yyyy-MM-dd HH:mm:ss.SSS}
     * (UTC); some servers and proxies send the epoch milliseconds themselves. Both are accepted.
     */
    static long millis(String timestamp) {
        if (!timestamp.isEmpty() && timestamp.chars().allMatch(c -> c >= '0' && c <= '9') && timestamp.length() <= 18) {
            return Long.parseLong(timestamp);
        }
        return LocalDateTime.parse(timestamp, TIMESTAMP).toInstant(ZoneOffset.UTC).toEpochMilli();
    }

    @FunctionalInterface
    private interface Call<T> {
        T run();
    }

    private <T> T call(Call<T> call) throws AfsException {
        try {
            return call.run();
        } catch (AwsServiceException e) {
            // A 5xx from a proxy carries no AWS error code: null here would escape as an NPE.
            String code = e.awsErrorDetails() == null || e.awsErrorDetails().errorCode() == null ? ""
                    : e.awsErrorDetails().errorCode();
            String message = e.awsErrorDetails() == null ? e.getMessage() : e.awsErrorDetails().errorMessage();
            throw failure(AfsError.BACKEND_FAILURE, "HTTP " + e.statusCode() + ": " + code + ": " + firstLine(message)
                    + hint(code), e);
        } catch (ApiCallTimeoutException | ApiCallAttemptTimeoutException e) {
            throw failure(AfsError.UNAVAILABLE, "no response within " + settings.timeout().toMillis()
                    + "ms; raise timeout for this backend in namespaces.yaml", e);
        } catch (SdkException e) {
            if (causedBy(e, ConnectException.class)) {
                throw failure(AfsError.UNAVAILABLE, "cannot connect: " + firstLine(rootMessage(e))
                        + "; check the backend's region and endpoint", e);
            }
            if (causedBy(e, InterruptedIOException.class)) {
                throw failure(AfsError.UNAVAILABLE, "no response within " + settings.timeout().toMillis()
                        + "ms; raise timeout for this backend in namespaces.yaml", e);
            }
            throw failure(AfsError.BACKEND_FAILURE, "unreadable response: " + firstLine(e.getMessage())
                    + "; check that endpoint points at CloudWatch Logs", e);
        }
    }

    private static String hint(String code) {
        return switch (code) {
            case "ResourceNotFoundException" -> " (check log_groups)";
            case "AccessDeniedException", "UnrecognizedClientException", "InvalidSignatureException",
                 "ExpiredTokenException" -> " (check the AWS credentials and their permissions)";
            case "LimitExceededException" -> " (too many concurrent Insights queries; retry later)";
            default -> "";
        };
    }

    private static boolean causedBy(Throwable e, Class<? extends Throwable> type) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (type.isInstance(t)) {
                return true;
            }
        }
        return false;
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null) {
            t = t.getCause();
        }
        return String.valueOf(t.getMessage());
    }

    AfsException failure(AfsError error, String what, Throwable cause) {
        return new AfsException(error, "cloudwatch " + settings.name() + " (" + settings.host() + "): " + what, cause);
    }

    private static String firstLine(String text) {
        String line = text == null ? "" : text.lines().filter(l -> !l.isBlank()).findFirst().orElse("").strip();
        return line.length() <= 200 ? line : line.substring(0, 200) + "...";
    }
}
