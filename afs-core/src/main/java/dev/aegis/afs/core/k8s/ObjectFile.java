package dev.aegis.afs.core.k8s;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.aegis.afs.core.AfsError;
import dev.aegis.afs.core.AfsException;
import dev.aegis.afs.core.evidence.CaptureInfo;
import dev.aegis.afs.core.source.ReadStats;
import dev.aegis.afs.core.tree.LiveFile;
import dev.aegis.afs.query.k8s.FieldRequirement;
import dev.aegis.afs.query.k8s.ObjectSelector;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/** The live files of one object: its YAML and its describe text. */
final class ObjectFile {

    private static final YAMLMapper YAML = new YAMLMapper(YAMLFactory.builder()
            .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
            .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
            .enable(YAMLGenerator.Feature.LITERAL_BLOCK_STYLE)
            .build());

    private ObjectFile() {
    }

    /** {@code <name>.yaml}: the object as {@code kubectl get -o yaml} shows it, without managedFields. */
    static LiveFile yaml(ClusterView view, Kind kind, String name, Supplier<Instant> modified) {
        String call = kind.object(view.namespace(), name);
        return view.liveFile(name + KindDirectory.YAML, kind.plural + "/" + name + KindDirectory.YAML, modified, out -> {
            KubernetesBackend.JsonRead read = view.backend().getJson(call);
            for (String line : yamlLines(kind, read.body(), view.configMapData())) {
                out.line(line);
            }
            return new CaptureInfo(view.backend().label(), "GET " + call, Optional.empty(), read.stats());
        });
    }

    static List<String> yamlLines(Kind kind, JsonNode body, boolean configMapData) throws AfsException {
        ObjectNode object = body.deepCopy();
        ((ObjectNode) object.path("metadata")).remove("managedFields");
        List<String> lines = new ArrayList<>();
        if (kind == Kind.CONFIGMAPS && !configMapData) {
            List<String> keys = new ArrayList<>();
            object.path("data").fieldNames().forEachRemaining(keys::add);
            object.path("binaryData").fieldNames().forEachRemaining(keys::add);
            object.remove("data");
            object.remove("binaryData");
            lines.add("# data hidden (keys: " + (keys.isEmpty() ? "none" : String.join(", ", keys))
                    + "); set configmaps: true in this env's k8s section to show it");
        }
        try {
            YAML.writeValueAsString(object).lines().forEach(lines::add);
        } catch (IOException e) {
            throw new AfsException(AfsError.INTERNAL, "cannot write " + ObjectFields.name(body) + " as YAML: "
                    + e.getMessage(), e);
        }
        return lines;
    }

    /** {@code <name>.describe}: what {@code kubectl describe} shows, with the object's events at the end. */
    static LiveFile describe(ClusterView view, Kind kind, String name, Supplier<Instant> modified) {
        String call = kind.object(view.namespace(), name);
        return view.liveFile(name + KindDirectory.DESCRIBE, kind.plural + "/" + name + KindDirectory.DESCRIBE, modified,
                out -> {
                    KubernetesBackend.JsonRead object = view.backend().getJson(call);
                    ObjectSelector involved = new ObjectSelector(List.of(), List.of(
                            new FieldRequirement("involvedObject.kind", true, kind.kind),
                            new FieldRequirement("involvedObject.name", true, name)));
                    String eventsCall = eventsCall(view, kind, involved);
                    List<JsonNode> related = List.of();
                    Optional<String> omitted = Optional.empty();
                    long eventBytes = 0;
                    Duration eventsTook = Duration.ZERO;
                    try {
                        KubernetesBackend.JsonRead events = view.backend().getJson(eventsCall);
                        related = EventsLog.selected(events.body(), involved);
                        eventBytes = events.stats().bytesReceived();
                        eventsTook = events.stats().took();
                    } catch (AfsException e) {
                        if (e.error() != AfsError.ACCESS_DENIED) {
                            throw e;
                        }
                        // As kubectl describe: the object is still worth showing; say what is missing.
                        omitted = Optional.of("events not shown: " + e.getMessage());
                    }
                    for (String line : Describer.describe(kind, object.body(), related, omitted, view.now(),
                            view.configMapData())) {
                        out.line(line);
                    }
                    ReadStats stats = new ReadStats(object.stats().bytesReceived() + eventBytes, 1 + related.size(),
                            object.stats().took().plus(eventsTook), omitted);
                    return new CaptureInfo(view.backend().label(), "GET " + call + "; GET " + eventsCall,
                            omitted, stats);
                });
    }

    /** Events of a cluster-scoped object (a node) live in any namespace. */
    private static String eventsCall(ClusterView view, Kind kind, ObjectSelector selector) {
        String collection = kind.namespaced ? Kind.EVENTS.collection(view.namespace()) : "/api/v1/events";
        return collection + "?" + selector.query();
    }
}
