package dev.aegis.afs.core.traces;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * Who calls whom, with call and error counts, over a window (Zipkin's dependency links).
 */
public record ServiceGraph(List<Link> links) {

    /** {@code parent} called {@code child} {@code calls} times, {@code errors} of them failed. */
    public record Link(String parent, String child, long calls, long errors) {
        public Link {
            Objects.requireNonNull(parent, "parent is null");
            Objects.requireNonNull(child, "child is null");
        }

        public double errorRate() {
            return calls == 0 ? 0 : (double) errors / calls;
        }

        /** {@code frontend -> payment-api calls=12 errors=3 error_rate=0.250}. */
        public String line() {
            return parent + " -> " + child + " calls=" + calls + " errors=" + errors + " error_rate="
                    + String.format(Locale.ROOT, "%.3f", errorRate());
        }
    }

    public ServiceGraph {
        List<Link> sorted = new ArrayList<>(Objects.requireNonNull(links, "links is null"));
        sorted.sort(Comparator.comparing(Link::parent).thenComparing(Link::child));
        links = List.copyOf(sorted);
    }

    /** The links into {@code service} from other services: who depends on it. */
    public List<Link> callersOf(String service) {
        return links.stream().filter(l -> l.child().equals(service) && !l.parent().equals(service)).toList();
    }
}
