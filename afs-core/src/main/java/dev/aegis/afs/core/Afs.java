package dev.aegis.afs.core;

import dev.aegis.afs.core.access.AccessPolicy;
import dev.aegis.afs.core.access.UnixAccounts;
import dev.aegis.afs.core.config.ConfigException;
import dev.aegis.afs.core.config.ConfigNode;
import dev.aegis.afs.core.config.Namespaces;
import dev.aegis.afs.core.evidence.CallerNames;
import dev.aegis.afs.core.evidence.Captures;
import dev.aegis.afs.core.evidence.EvidenceRegistrar;
import dev.aegis.afs.core.evidence.RetentionSweep;
import dev.aegis.afs.core.evidence.EvidenceCaptures;
import dev.aegis.afs.core.evidence.EvidenceQuotas;
import dev.aegis.afs.core.evidence.EvidenceRecord;
import dev.aegis.afs.core.evidence.EvidenceStore;
import dev.aegis.afs.core.metrics.MountMetrics;
import dev.aegis.afs.core.redact.RedactionPolicy;
import dev.aegis.afs.core.source.Backend;
import dev.aegis.afs.core.source.BackendContext;
import dev.aegis.afs.core.source.BackendTypes;
import dev.aegis.afs.core.tree.DirNode;
import dev.aegis.afs.core.tree.EnvContext;
import dev.aegis.afs.core.tree.EnvSection;
import dev.aegis.afs.core.tree.EnvSections;
import dev.aegis.afs.core.tree.GuardedDir;
import dev.aegis.afs.core.tree.LiveFile;
import dev.aegis.afs.core.tree.Node;
import dev.aegis.afs.core.tree.StaticDir;
import dev.aegis.afs.core.tree.skills.SkillsDir;
import dev.aegis.afs.core.tree.evidence.EvidenceDir;
import dev.aegis.afs.core.tree.incidents.IncidentsDir;
import dev.aegis.afs.core.tree.logs.LogsDir;
import dev.aegis.afs.core.tree.logs.PlainTools;
import dev.aegis.afs.core.tree.status.AfsStatusDir;
import dev.aegis.afs.core.harness.HarnessClient;
import dev.aegis.afs.core.tree.harness.ApprovalsDir;
import dev.aegis.afs.core.tree.harness.ChangeRequestsDir;
import dev.aegis.afs.core.tree.harness.LedgerDir;
import java.net.URI;
import dev.aegis.afs.query.QuerySyntaxException;
import dev.aegis.afs.query.shell.ShellQuery;
import dev.aegis.afs.query.shell.ShellQueryParser;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The library every front end calls (FUSE adapter, CLI, later MCP): the tree built from
 * namespaces.yaml, path resolution, shell-form reads, evidence and the error journal.
 *
 * <pre>{@code
 * try (Afs afs = Afs.load(Path.of("namespaces.yaml"))) {
 *     Node node = afs.resolve("/teams/payments/prod/logs/api.log?tail=50", Caller.self());
 * }
 * }</pre>
 */
public final class Afs implements AutoCloseable {

    /** How long a live read is reused when a backend sets no {@code cache_ttl}. */
    public static final Duration DEFAULT_CACHE_TTL = Duration.ofSeconds(2);

    /** Where change requests go when namespaces.yaml names no harness: writes fail closed if none runs. */
    public static final String DEFAULT_HARNESS_URL = "http://127.0.0.1:7780";

    private final Namespaces config;
    private final Clock clock;
    private final Map<String, Backend> backends;
    private final EvidenceStore evidence;
    private final ErrorJournal errors;
    private final StaticDir root;
    private final Instant loadedAt;
    private final AccessPolicy access;
    private final MountMetrics metrics;
    private final EvidenceQuotas quotas;
    private final PlainTools plainTools;
    private final HarnessClient harness;
    private volatile EvidenceRegistrar registrar;
    private volatile dev.aegis.afs.core.evidence.EvidenceReplication replication;
    /** The shared store opened for reading only (the CLI's ls and verify); the daemon reads through its replication. */
    private volatile dev.aegis.afs.evidence.store.CaptureStore sharedReads;
    private volatile RetentionSweep sweep;

    private Afs(Namespaces config, Clock clock, Map<String, Backend> backends, EvidenceStore evidence,
                ErrorJournal errors, AccessPolicy access, MountMetrics metrics, HarnessClient harness,
                List<Node> extraRootEntries, EvidenceQuotas quotas, Function<Afs, List<Node>> treeBuilder) {
        this.config = config;
        this.metrics = metrics;
        this.harness = harness;
        this.quotas = quotas;
        this.plainTools = PlainTools.system(config.plainToolsPushdown());
        this.access = access;
        this.clock = clock;
        this.backends = backends;
        this.evidence = evidence;
        this.errors = errors;
        this.loadedAt = clock.instant();
        List<Node> top = new ArrayList<>(treeBuilder.apply(this));
        top.addAll(extraRootEntries);
        this.root = new StaticDir("", loadedAt, top);
    }

    /** Loads namespaces.yaml with the system clock and environment. */
    public static Afs load(Path namespacesYaml) {
        return load(namespacesYaml, Clock.systemUTC(), System::getenv, UnixAccounts.system(), List.of());
    }

    /**
     * @param extraRootEntries further top-level entries (e.g. the harness' /change_requests)
     * @throws ConfigException with file:line:column and the fix
     */
    public static Afs load(Path namespacesYaml, Clock clock, Function<String, String> environment,
                           UnixAccounts accounts, List<Node> extraRootEntries) {
        return load(namespacesYaml, clock, environment, accounts, extraRootEntries, new MountMetrics());
    }

    /** Loads namespaces.yaml with the system clock and environment, counting into {@code metrics}. */
    public static Afs load(Path namespacesYaml, MountMetrics metrics) {
        return load(namespacesYaml, Clock.systemUTC(), System::getenv, UnixAccounts.system(), List.of(), metrics);
    }

    /** @param metrics counts backend reads, cache hits, evidence and redactions */
    public static Afs load(Path namespacesYaml, Clock clock, Function<String, String> environment,
                           UnixAccounts accounts, List<Node> extraRootEntries, MountMetrics metrics) {
        Set<String> sectionKeys = EnvSections.all().stream().map(EnvSection::key).collect(Collectors.toSet());
        Namespaces config = Namespaces.load(namespacesYaml, sectionKeys);
        BackendContext context = new BackendContext(config.configDir(), clock, environment);
        Map<String, Backend> backends = new LinkedHashMap<>();
        try {
            config.backends().forEach((name, section) -> backends.put(name, BackendTypes.create(name, section, context)));
            Namespaces.Evidence e = config.evidence();
            Path evidenceDir = evidenceDir(e.dir(), ProcessIds.uid(), environment);
            EvidenceStore store = new EvidenceStore(evidenceDir, e.retention(), e.maxSnapshotBytes(), clock,
                    CallerNames.system(), dev.aegis.afs.evidence.CaptureKey.defaultFile(evidenceDir));
            AccessPolicy access = AccessPolicy.from(config, accounts, AccessPolicy.localHost());
            HarnessClient harness = new HarnessClient(URI.create(config.harnessUrl().orElse(DEFAULT_HARNESS_URL)),
                    Duration.ofSeconds(10), java.util.Optional.of(config.harnessTokenFile()));
            List<Node> extra = new ArrayList<>(List.of(new ChangeRequestsDir(harness, clock),
                    new ApprovalsDir(harness, clock), new LedgerDir(harness, clock)));
            extra.addAll(extraRootEntries);
            Namespaces.Limits limits = config.limits();
            EvidenceQuotas quotas = new EvidenceQuotas(
                    new EvidenceQuotas.Limits(limits.perCaller().snapshotsPerHour(), limits.perCaller().bytesPerHour()),
                    new EvidenceQuotas.Limits(limits.perEnv().snapshotsPerHour(), limits.perEnv().bytesPerHour()), clock);
            return new Afs(config, clock, backends, store, new ErrorJournal(clock), access, metrics, harness, extra, quotas,
                    afs -> afs.buildTree(new EvidenceCaptures(store, clock,
                            RedactionPolicy.from(config.teams(), config.configDir(), environment), metrics,
                            afs::backendOf, quotas, limits.readTime())));
        } catch (RuntimeException ex) {
            backends.values().forEach(Backend::close);
            throw ex;
        }
    }

    /**
     * Where this process keeps evidence: the configured directory when this uid owns it (or may
     * create it), otherwise (an ordinary user running afs sh/grep/tail beside a root mount) a
     * directory of the user's own, {@code ~/.local/state/afs/evidence}, signed with the user's
     * own key, which the harness does not trust. Nobody needs write access to another's evidence.
     */
    static Path evidenceDir(Path configured, int uid, Function<String, String> environment) {
        if (uid == 0 || uid < 0) {
            return configured;
        }
        try {
            if (Files.exists(configured)) {
                if (((Number) Files.getAttribute(configured, "unix:uid")).intValue() == uid) {
                    return configured;
                }
            } else {
                Path parent = configured.toAbsolutePath().getParent();
                while (parent != null && !Files.exists(parent)) {
                    parent = parent.getParent();
                }
                if (parent != null && Files.isWritable(parent)) {
                    return configured;
                }
            }
        } catch (IOException | UnsupportedOperationException e) {
            // fall through to the user's own directory
        }
        String state = environment.apply("XDG_STATE_HOME");
        Path base = state != null && !state.isBlank() ? Path.of(state)
                : Path.of(java.util.Objects.requireNonNullElse(environment.apply("HOME"), System.getProperty("user.home")),
                ".local", "state");
        return base.resolve("afs").resolve("evidence");
    }

    /**
     * What the mount daemon runs beside serving reads: registering each capture with the harness
     * and the retention sweep. The CLI does neither (its snapshots are not citable).
     *
     * @throws IOException when the evidence directory or capture key is open to others (the
     *                     message names the chmod), or cannot be created
     */
    public void startDaemonDuties() throws IOException {
        evidence.checkAtStart();
        dev.aegis.afs.evidence.store.StoreSpec shared = config.evidence().store();
        if (shared.shared() && evidence.dir().equals(config.evidence().dir().toAbsolutePath().normalize())) {
            // opened before the first read is served, and replayed: a spool left by a killed daemon goes out first
            replication = new dev.aegis.afs.core.evidence.EvidenceReplication(shared.open(), evidence.dir().resolve(".spool"),
                    shared.spool(), shared.spoolMaxSnapshots(), shared.spoolMaxBytes(), Duration.ofSeconds(1), evidence::read)
                    .start();
            evidence.replicateTo(replication);
            evidence.readFrom(replication.store()); // /evidence shows what other mounts wrote too
        }
        EvidenceRegistrar r = EvidenceRegistrar.to(harness);
        evidence.onCapture(r::submit);
        registrar = r;
        sweep = new RetentionSweep(evidence, harness::holds, clock).start(config.evidence().sweepInterval());
    }

    /**
     * Lists and reads evidence from the shared store that namespaces.yaml names, besides the local
     * directory ({@code afs evidence ls} and {@code verify}); nothing when the directory is the store.
     *
     * @throws IOException when the store's credentials cannot be read
     */
    public void readSharedEvidence() throws IOException {
        dev.aegis.afs.evidence.store.StoreSpec spec = config.evidence().store();
        if (spec.shared() && sharedReads == null && replication == null) {
            sharedReads = spec.open();
            evidence.readFrom(sharedReads);
        }
    }

    private List<Node> buildTree(Captures captures) {
        Map<String, Long> ttl = new LinkedHashMap<>();
        config.backends().forEach((name, section) -> ttl.put(name,
                section.get("cache_ttl").map(ConfigNode::asDuration).orElse(DEFAULT_CACHE_TTL).toMillis()));
        List<Node> teams = new ArrayList<>();
        config.teams().forEach((team, envs) -> {
            List<Node> envDirs = new ArrayList<>();
            envs.forEach((env, envNode) -> {
                EnvContext ctx = new EnvContext(team, env, "/teams/" + team + "/" + env, backends, ttl, captures,
                        clock, config.configDir(), plainTools);
                List<Node> sections = new ArrayList<>();
                for (EnvSection section : EnvSections.all()) {
                    envNode.get(section.key()).ifPresent(n -> sections.add(section.directory(ctx, n)));
                }
                envDirs.add(new StaticDir(env, loadedAt, sections));
            });
            teams.add(new GuardedDir(team, loadedAt, envDirs, new GuardedDir.Guard() {
                @Override
                public boolean allows(Caller caller, String env) {
                    return access.canRead(caller, team, env);
                }

                @Override
                public void check(Caller caller, String env) throws AfsException {
                    access.checkRead(caller, team, env);
                }
            }));
        });
        List<Node> top = new ArrayList<>();
        GuardedDir teamsDir = new GuardedDir("teams", loadedAt, teams, new GuardedDir.Guard() {
            @Override
            public boolean allows(Caller caller, String team) {
                return config.teams().get(team).keySet().stream().anyMatch(env -> access.canRead(caller, team, env));
            }

            @Override
            public void check(Caller caller, String team) throws AfsException {
                if (!allows(caller, team)) {
                    throw new AfsException(AfsError.ACCESS_DENIED, "/teams/" + team + ": uid " + caller.uid()
                            + " may not read any env of this team; add it to teams." + team + ".<env>.access.read in namespaces.yaml");
                }
            }
        });
        top.add(teamsDir);
        // a team's own skills are shown to whoever may read one of its envs, as /teams/<team> is
        top.add(new StaticDir("context", loadedAt, List.of(new SkillsDir(config.skillsDir(), clock,
                caller -> config.teams().keySet().stream().filter(team -> config.teams().get(team).keySet().stream()
                        .anyMatch(env -> access.canRead(caller, team, env))).collect(java.util.stream.Collectors.toSet())))));
        EvidenceDir evidenceDir = new EvidenceDir(evidence, access);
        top.add(evidenceDir);
        top.add(new AfsStatusDir(clock, this::status, errors));
        top.add(new IncidentsDir(teamsDir, evidenceDir, harness, clock));
        return top;
    }

    /**
     * The configured backend that serves {@code treePath} (a metric label), e.g. {@code demo} for
     * {@code /teams/payments/prod/logs/api.log?tail=5}; {@code unknown} outside an env section.
     */
    String backendOf(String treePath) {
        List<String> s = segments(treePath.split("[? ]", 2)[0]);
        if (s.size() < 4 || !s.get(0).equals("teams")) {
            return "unknown";
        }
        java.util.Optional<ConfigNode> section = java.util.Optional.ofNullable(config.teams().get(s.get(1)))
                .map(envs -> envs.get(s.get(2))).flatMap(env -> env.get(s.get(3)));
        if (section.isEmpty() || !section.get().isMap()) {
            return "unknown";
        }
        java.util.Optional<ConfigNode> direct = section.get().get("backend"); // metrics:, k8s:
        if (direct.isPresent()) {
            return direct.get().asString();
        }
        if (s.size() < 5) {
            return "unknown";
        }
        String stream = s.get(4).replaceFirst("\\.log$", ""); // logs/<stream>.log
        return section.get().get(stream).filter(ConfigNode::isMap).flatMap(n -> n.get("backend"))
                .map(ConfigNode::asString).orElse("unknown");
    }

    public Namespaces config() {
        return config;
    }

    public DirNode root() {
        return root;
    }

    public EvidenceStore evidence() {
        return evidence;
    }

    public ErrorJournal errors() {
        return errors;
    }

    public AccessPolicy access() {
        return access;
    }

    /** The daemon's metrics, e.g. for {@link MountMetrics#quotaRefusal} where a quota refuses a read. */
    public MountMetrics metrics() {
        return metrics;
    }

    /**
     * Walks {@code treePath} from the root. A segment with {@code ?} takes the rest of the path
     * as its query (so a query may hold '/' when called here; through the kernel it must be %2F).
     */
    public Node resolve(String treePath, Caller caller) throws AfsException {
        if (!treePath.startsWith("/")) {
            throw new AfsException(AfsError.NOT_FOUND, treePath + ": not an absolute path; tree paths start with /teams, /evidence, ...");
        }
        Node node = root;
        for (String segment : segments(treePath)) {
            if (!(node instanceof DirNode dir)) {
                throw new AfsException(AfsError.NOT_A_DIRECTORY, treePath + ": " + node.name() + " is not a directory");
            }
            node = dir.child(segment, caller);
        }
        return node;
    }

    static List<String> segments(String treePath) {
        int mark = treePath.indexOf('?');
        String path = mark < 0 ? treePath : treePath.substring(0, mark);
        String query = mark < 0 ? "" : treePath.substring(mark);
        List<String> out = new ArrayList<>();
        for (String s : path.split("/")) {
            if (!s.isEmpty()) {
                out.add(s);
            }
        }
        if (!query.isEmpty()) {
            if (out.isEmpty()) {
                out.add(query);
            } else {
                out.set(out.size() - 1, out.get(out.size() - 1) + query);
            }
        }
        return out;
    }

    /**
     * {@code afs sh -c SCRIPT}: compiles the pipeline, runs it once as a recorded read and writes
     * exactly what bash with GNU tools would print; returns the exit status bash would.
     */
    public ShellRun runShell(String script, Caller caller, OutputStream out) throws AfsException {
        ShellQuery shell;
        try {
            shell = ShellQueryParser.parse(script);
        } catch (QuerySyntaxException e) {
            throw new AfsException(AfsError.INVALID_QUERY, "afs sh: " + e.getMessage(), e);
        }
        return runShell(shell, script, caller, out);
    }

    /** {@code afs grep ...} / {@code afs tail ...}: one command, already split into words. */
    public ShellRun runCommand(List<String> argv, Caller caller, OutputStream out) throws AfsException {
        ShellQuery shell;
        try {
            shell = ShellQueryParser.parseArgv(argv);
        } catch (QuerySyntaxException e) {
            throw new AfsException(AfsError.INVALID_QUERY, "afs " + argv.get(0) + ": " + e.getMessage(), e);
        }
        return runShell(shell, String.join(" ", argv), caller, out);
    }

    private ShellRun runShell(ShellQuery shell, String script, Caller caller, OutputStream out)
            throws AfsException {
        String path = MountedPaths.toTreePath(shell.path());
        caller = IncidentsDir.tag(path, caller);
        List<String> segments = segments(path);
        if (segments.isEmpty()) {
            throw new AfsException(AfsError.INVALID_ARGUMENT, path + ": name a log file, e.g. /teams/<team>/<env>/logs/<stream>.log");
        }
        String name = segments.get(segments.size() - 1);
        String parent = "/" + String.join("/", segments.subList(0, segments.size() - 1));
        Node dir = resolve(parent, caller);
        if (!(dir instanceof LogsDir logs)) {
            throw new AfsException(AfsError.INVALID_ARGUMENT, path + ": afs sh reads log files only (under /teams/<team>/<env>/logs/)");
        }
        String label = parent + "/" + name + " | " + shell.query();
        LiveFile file = logs.shellFile(name, shell.query(), label);
        EvidenceRecord record;
        try {
            record = file.capture(caller);
        } catch (AfsException e) {
            errors.record(caller, "sh", path, e);
            throw e;
        }
        try (InputStream in = Files.newInputStream(record.file())) {
            in.transferTo(out);
            out.flush();
        } catch (IOException e) {
            throw new AfsException(AfsError.INTERNAL, "cannot write the result: " + e.getMessage(), e);
        }
        return new ShellRun(record, exitStatus(shell.status(), record));
    }

    /** The pipeline's exit status, as bash gives it: the last command's. */
    private static int exitStatus(ShellQuery.ExitStatus status, EvidenceRecord record) throws AfsException {
        return switch (status) {
            case ZERO -> 0;
            case GREP_LINES -> record.size() > 0 ? 0 : 1;
            case GREP_SELECTED -> Long.parseLong(record.stats().getOrDefault(LogsDir.GREP_SELECTED_STAT, "0")) > 0 ? 0 : 1;
            case GREP_COUNT -> {
                try {
                    yield Files.readString(record.file()).trim().equals("0") ? 1 : 0;
                } catch (IOException e) {
                    throw new AfsException(AfsError.INTERNAL, "cannot read the count: " + e.getMessage(), e);
                }
            }
        };
    }

    /** The text of /.afs/status for {@code caller} (it lists only the envs the caller may read). */
    public String status(Caller caller) {
        StringBuilder s = new StringBuilder();
        s.append("config: ").append(config.file().toAbsolutePath()).append(" (loaded ").append(loadedAt).append(")\n");
        s.append("evidence: ").append(evidence.dir()).append(" (retention ").append(format(evidence.retention()))
                .append(", ").append(evidence.ids().size()).append(" snapshots)\n");
        s.append("limits: read_time ").append(config.limits().readTime().toMillis()).append(" ms per read; regex ")
                .append(dev.aegis.afs.query.RegexBudget.MAX_PROGRAM).append(" instructions, nested repeats ")
                .append(dev.aegis.afs.query.RegexBudget.MAX_REPETITION).append('\n');
        s.append("evidence quotas (your use):\n");
        List<String> readable = new ArrayList<>();
        config.teams().forEach((team, envs) -> envs.keySet().forEach(env -> {
            if (access.canRead(caller, team, env)) {
                readable.add(team + "/" + env);
            }
        }));
        quotas.usage(caller, readable).forEach((who, use) -> s.append("  ").append(who).append(": ").append(use)
                .append('\n'));
        if (sweep != null) {
            s.append("retention sweep: every ").append(config.evidence().sweepInterval().toSeconds()).append("s; ")
                    .append(sweep.status()).append('\n');
        }
        if (replication != null) {
            s.append("replication: ").append(replication.status()).append('\n');
        }
        if (!evidence.sharedProblem().isEmpty()) {
            s.append("reading from the evidence store: ").append(evidence.sharedProblem()).append('\n');
        }
        if (registrar != null) {
            s.append("registration: ").append(registrar.status()).append('\n');
        }
        s.append("backends:\n");
        backends.values().forEach(b -> s.append("  ").append(b.name()).append(" (").append(b.type()).append(")\n"));
        s.append("teams:\n");
        config.teams().forEach((team, envs) -> envs.forEach((env, node) -> {
            if (access.canRead(caller, team, env)) {
                // what ls shows there: the sections that are directories, not access:, changes: ...
                List<String> shown = node.keys().stream()
                        .filter(k -> EnvSections.find(k).isPresent()).toList();
                s.append("  /teams/").append(team).append('/').append(env).append(": ")
                        .append(String.join(" ", shown)).append('\n');
            }
        }));
        s.append("""
                reads:
                  a read without tail=/head= gets its stream's default window (window: in namespaces.yaml);
                  a cut is flagged in user.afs.truncated on the evidence file and on the path you read:
                    getfattr -n user.afs.truncated <file>
                  widen with ?tail=N, ?head=N, ?since=2h or ?from=<RFC 3339>
                terms: cat /.afs/help (every term of log and metrics files, with an example; metrics/README too)
                errors: cat /.afs/errors (your newest failures, with the reason; newest last)
                """);
        return s.toString();
    }

    private static String format(Duration d) {
        return d.toHours() + "h";
    }

    @Override
    public void close() {
        plainTools.close();
        if (sweep != null) {
            sweep.close();
        }
        if (registrar != null) {
            try {
                registrar.awaitIdle(Duration.ofSeconds(2));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            registrar.close();
        }
        if (replication != null) {
            replication.close(); // what is still spooled stays in .spool/ and goes out on the next start
        }
        if (sharedReads != null) {
            sharedReads.close();
        }
        backends.values().forEach(Backend::close);
    }
}
