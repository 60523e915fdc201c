package dev.aegis.afs.core.prometheus;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Reads the JSON envelope of the Prometheus HTTP API v1:
 * {@code {"status":"success","data":{"resultType":...,"result":...},"warnings":[...]}} or
 * {@code {"status":"error","errorType":"bad_data","error":"..."}}.
 */
final class ApiResponse {

    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);

    /** A body that is not what the API documents. */
    static final class MalformedException extends Exception {
        MalformedException(String message) {
            super(message);
        }
    }

    private ApiResponse() {
    }

    /** {@code errorType: error} from an error body, or empty when the body is not API JSON. */
    static Optional<String> error(byte[] body) {
        try {
            JsonNode root = JSON.readTree(body);
            if (root != null && root.path("error").isTextual()) {
                String type = root.path("errorType").asText("");
                return Optional.of((type.isEmpty() ? "" : type + ": ") + root.path("error").asText());
            }
        } catch (java.io.IOException e) {
            // not JSON: the caller shows the raw body
        }
        return Optional.empty();
    }

    static QueryResult success(byte[] body, Duration took) throws MalformedException {
        JsonNode root;
        try {
            root = JSON.readTree(body);
        } catch (JsonProcessingException e) {
            throw new MalformedException("not JSON (" + e.getOriginalMessage() + ")");
        } catch (java.io.IOException e) {
            throw new MalformedException("unreadable (" + e.getMessage() + ")");
        }
        if (root == null || !root.isObject()) {
            throw new MalformedException("not a JSON object");
        }
        if (!"success".equals(root.path("status").asText())) {
            throw new MalformedException("status is '" + root.path("status").asText() + "', not success");
        }
        JsonNode data = root.path("data");
        String type = data.path("resultType").asText("");
        JsonNode result = data.path("result");
        List<Series> series = new ArrayList<>();
        switch (type) {
            case "matrix" -> {
                for (JsonNode s : array(result, "data.result")) {
                    List<Series.Sample> samples = new ArrayList<>();
                    requireNoHistograms(s);
                    for (JsonNode point : array(s.path("values"), "values")) {
                        samples.add(sample(point));
                    }
                    series.add(new Series(labels(s.path("metric")), samples));
                }
            }
            case "vector" -> {
                for (JsonNode s : array(result, "data.result")) {
                    requireNoHistograms(s);
                    series.add(new Series(labels(s.path("metric")), List.of(sample(s.path("value")))));
                }
            }
            case "scalar", "string" -> series.add(new Series(Map.of(), List.of(sample(result))));
            default -> throw new MalformedException("unknown resultType '" + type + "'");
        }
        List<String> warnings = new ArrayList<>();
        for (JsonNode w : root.path("warnings")) {
            warnings.add(w.asText());
        }
        return new QueryResult(type, series, warnings, body.length, took);
    }

    private static void requireNoHistograms(JsonNode s) throws MalformedException {
        if (s.has("histogram") || s.has("histograms")) {
            throw new MalformedException("the result holds native histograms, which metrics files cannot show yet;"
                    + " query a classic histogram series (_bucket, _sum, _count) instead");
        }
    }

    private static Iterable<JsonNode> array(JsonNode node, String what) throws MalformedException {
        if (!node.isArray()) {
            throw new MalformedException(what + " is not an array");
        }
        return node;
    }

    private static Map<String, String> labels(JsonNode metric) throws MalformedException {
        if (!metric.isObject()) {
            throw new MalformedException("a series has no metric object");
        }
        Map<String, String> labels = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = metric.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            labels.put(e.getKey(), e.getValue().asText());
        }
        return labels;
    }

    private static Series.Sample sample(JsonNode point) throws MalformedException {
        if (!point.isArray() || point.size() != 2 || !point.get(0).isNumber() || !point.get(1).isTextual()) {
            throw new MalformedException("a sample is not [time, \"value\"]");
        }
        BigDecimal seconds = point.get(0).decimalValue();
        long millis = seconds.movePointRight(3).setScale(0, RoundingMode.HALF_UP).longValue();
        return new Series.Sample(millis, point.get(1).asText());
    }
}
