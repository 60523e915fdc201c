package dev.aegis.afs.core.k8s;

import com.fasterxml.jackson.databind.JsonNode;
import dev.aegis.afs.core.AfsError;
import dev.aegis.afs.core.AfsException;
import dev.aegis.afs.core.evidence.SnapshotProducer;
import dev.aegis.afs.core.tree.EnvContext;
import dev.aegis.afs.core.tree.LiveFile;
import dev.aegis.afs.core.tree.logs.FollowFile;
import dev.aegis.afs.core.tree.logs.FollowSettings;
import dev.aegis.afs.core.tree.logs.StreamFollower;
import dev.aegis.afs.query.LineFilter;
import dev.aegis.afs.query.k8s.PodLogTarget;
import dev.aegis.afs.query.k8s.ObjectSelector;
import dev.aegis.afs.query.shell.ToolCommand;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * One env's view of a cluster: the backend, the namespace, the kinds shown, and listings cached
 * briefly so {@code ls -R} and {@code find} do not list the same kind once per entry. Reads of
 * files are not cached here (LiveFile's captures do that, with evidence).
 */
final class ClusterView {

    private static final Duration MIN_LISTING_TTL = Duration.ofSeconds(1);

    private final KubernetesBackend backend;
    private final EnvContext env;
    private final String namespace;
    private final Set<Kind> kinds;
    private final boolean configMapData;
    private final boolean stampPodLogs;
    private final long readTtlMillis;
    private final Duration listingTtl;
    private final Instant loaded;
    private final Map<String, Listing> listings = new ConcurrentHashMap<>();

    private final Map<String, Fetched> objects = new ConcurrentHashMap<>();
    /** One upstream follow per followed log, shared by its followers. */
    private final Map<PodLogTarget, StreamFollower> followers = new ConcurrentHashMap<>();

    private record Listing(Instant fetched, List<JsonNode> items) {
    }

    private record Fetched(Instant fetched, JsonNode object) {
    }

    ClusterView(KubernetesBackend backend, EnvContext env, String namespace, Set<Kind> kinds, boolean configMapData) {
        this(backend, env, namespace, kinds, configMapData, true);
    }

    ClusterView(KubernetesBackend backend, EnvContext env, String namespace, Set<Kind> kinds, boolean configMapData,
                boolean stampPodLogs) {
        this.stampPodLogs = stampPodLogs;
        this.backend = Objects.requireNonNull(backend, "backend is null");
        this.env = Objects.requireNonNull(env, "env is null");
        this.namespace = Objects.requireNonNull(namespace, "namespace is null");
        this.kinds = Set.copyOf(kinds);
        this.configMapData = configMapData;
        this.readTtlMillis = env.cacheTtlMillis(backend);
        this.listingTtl = Duration.ofMillis(Math.max(readTtlMillis, MIN_LISTING_TTL.toMillis()));
        this.loaded = env.clock().instant();
    }

    KubernetesBackend backend() {
        return backend;
    }

    String namespace() {
        return namespace;
    }

    Set<Kind> kinds() {
        return kinds;
    }

    boolean configMapData() {
        return configMapData;
    }

    /** Whether pod log lines are served with their time in front unless the read says otherwise. */
    boolean stampPodLogs() {
        return stampPodLogs;
    }

    Instant now() {
        return env.clock().instant();
    }

    /** The injected clock: {@code since=} terms resolve against it. */
    Clock clock() {
        return env.clock();
    }

    /** When the section was built: the mtime of directories (listing them for stat would be slow). */
    Instant loaded() {
        return loaded;
    }

    /** {@code /teams/<team>/<env>/k8s/<relative>}. */
    String treePath(String relative) {
        return env.treePath() + "/k8s/" + relative;
    }

    LiveFile liveFile(String name, String relative, Supplier<Instant> modified, SnapshotProducer producer) {
        return new LiveFile(name, treePath(relative), modified, readTtlMillis, env.captures(), producer);
    }

    /**
     * A pod log opened with {@code follow=1}: its read first, then every new line that passes
     * {@code filters} (one {@code follow=true} call per container log and line shape, shared).
     */
    LiveFile followedLog(String name, String relative, SnapshotProducer producer, PodLogTarget target, boolean stamp,
                         List<LineFilter> filters) {
        return new LiveFile(name, treePath(relative), this::now, 0, env.captures(), producer,
                (live, caller) -> FollowFile.ofServedLines(follower(target, stamp), env.captures(), caller,
                        live.capture(caller), live.treePath(), filters, env.plainTools(), env.clock(),
                        backend.label(), Optional.empty()));
    }

    /**
     * A pod log opened without terms: its read, unless the opener is a plain {@code tail -f} (or
     * {@code -F}) of it, which then follows it as {@code ?follow=1} would: the read first (tail
     * prints its last lines), then the lines of the shared {@code follow=true} call.
     */
    LiveFile plainLog(String name, String relative, SnapshotProducer producer, PodLogTarget target, boolean stamp) {
        return new LiveFile(name, treePath(relative), this::now, readTtlMillis, env.captures(), producer,
                (live, caller) -> {
                    Optional<ToolCommand> tail = env.plainTools().tailFollowing(caller, live.treePath());
                    if (tail.isEmpty()) {
                        return live.snapshot(caller);
                    }
                    return FollowFile.ofServedLines(follower(target, stamp), env.captures(), caller,
                            live.capture(caller), live.treePath(), List.of(), env.plainTools(), env.clock(),
                            backend.label(), Optional.of(tail.get().command()));
                });
    }

    private StreamFollower follower(PodLogTarget target, boolean stamp) {
        // keyed by target and shape: a stamped and a bare follow of one log serve different lines
        PodLogTarget key = new PodLogTarget(target.namespace() + (stamp ? "" : "\u0000bare"), target.pod(),
                target.container(), false);
        return followers.computeIfAbsent(key, k -> new StreamFollower(treePath("pods/" + target.pod() + "/logs/"
                + target.container() + ".log"), () -> new PodLogFollow(backend, target, stamp, now()),
                FollowSettings.parse(Optional.empty(), false)));
    }

    /** The objects of {@code kind} that {@code selector} selects, oldest name first; cached briefly. */
    List<JsonNode> list(Kind kind, ObjectSelector selector) throws AfsException {
        String call = listCall(kind, selector);
        Listing cached = listings.get(call);
        Instant now = now();
        if (cached != null && cached.fetched.plus(listingTtl).isAfter(now)) {
            return cached.items;
        }
        List<JsonNode> items = new ArrayList<>();
        for (JsonNode item : backend.getJson(call).body().path("items")) {
            // The API server applies the selector; this re-check is the same test done locally,
            // so a server that ignores a selector term (older versions, mocks) cannot widen a listing.
            if (selector.matches(ObjectFields.labels(item), field -> ObjectFields.field(item, field))) {
                items.add(item);
            }
        }
        items.sort((a, b) -> ObjectFields.name(a).compareTo(ObjectFields.name(b)));
        List<JsonNode> result = List.copyOf(items);
        listings.put(call, new Listing(now, result));
        evictExpired(now);
        return result;
    }

    /**
     * The object called {@code name}: from the cached listing, else one GET, itself cached as
     * briefly (a lookup, a stat and a listing of {@code logs/} then cost one call); NOT_FOUND when absent.
     */
    JsonNode find(Kind kind, String name) throws AfsException {
        Instant now = now();
        Listing cached = listings.get(listCall(kind, ObjectSelector.ALL));
        if (cached != null && cached.fetched.plus(listingTtl).isAfter(now)) {
            Optional<JsonNode> hit = cached.items.stream().filter(i -> name.equals(ObjectFields.name(i))).findFirst();
            if (hit.isPresent()) {
                return hit.get();
            }
        }
        String call = kind.object(namespace, name);
        Fetched fetched = objects.get(call);
        if (fetched != null && fetched.fetched.plus(listingTtl).isAfter(now)) {
            return fetched.object;
        }
        JsonNode object = backend.getJson(call).body();
        objects.put(call, new Fetched(now, object));
        return object;
    }

    /** The listing call for {@code kind}, e.g. {@code /api/v1/namespaces/p/pods?labelSelector=app%3Dx}. */
    String listCall(Kind kind, ObjectSelector selector) {
        String query = selector.query();
        return kind.collection(namespace) + (query.isEmpty() ? "" : "?" + query);
    }

    /** Whether the named object is listed, with a reason a person can act on when not. */
    void requireListed(Kind kind, ObjectSelector selector, String name, String path) throws AfsException {
        if (selector.isAll()) {
            find(kind, name); // NOT_FOUND from the API when absent
            return;
        }
        for (JsonNode item : list(kind, selector)) {
            if (name.equals(ObjectFields.name(item))) {
                return;
            }
        }
        throw new AfsException(AfsError.NOT_FOUND, path + ": no " + kind.kind + " named '" + name
                + "' matches this selector");
    }

    private void evictExpired(Instant now) {
        listings.values().removeIf(l -> !l.fetched.plus(listingTtl).isAfter(now));
        objects.values().removeIf(o -> !o.fetched.plus(listingTtl).isAfter(now));
    }
}
