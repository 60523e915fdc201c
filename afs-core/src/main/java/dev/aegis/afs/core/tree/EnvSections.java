package dev.aegis.afs.core.tree;

import dev.aegis.afs.core.tree.logs.LogsSection;
import dev.aegis.afs.core.tree.disk.RunbooksSection;
import dev.aegis.afs.core.prometheus.MetricsSection;
import dev.aegis.afs.core.k8s.KubernetesSection;
import dev.aegis.afs.core.traces.TracesSection;
import dev.aegis.afs.core.git.ConfigSection;
import java.util.List;
import java.util.Optional;

/** Every kind of source an env can have, in the order `ls /teams/<team>/<env>` shows them. */
public final class EnvSections {

    private static final List<EnvSection> ALL = List.of(
            new LogsSection(),
            new MetricsSection(),
            new KubernetesSection(),
            new TracesSection(),
            new ConfigSection(),
            new RunbooksSection());

    private EnvSections() {
    }

    public static List<EnvSection> all() {
        return ALL;
    }

    public static Optional<EnvSection> find(String key) {
        return ALL.stream().filter(s -> s.key().equals(key)).findFirst();
    }
}
