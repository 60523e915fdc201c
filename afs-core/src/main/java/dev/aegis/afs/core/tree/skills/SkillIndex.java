package dev.aegis.afs.core.tree.skills;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.aegis.afs.core.config.ConfigException;
import dev.aegis.afs.core.config.ConfigNode;
import dev.aegis.afs.core.config.ConfigReader;
import dev.aegis.afs.core.skills.SkillSchema;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * {@code /context/skills/_index.json}: one entry per skill, so an agent picks the skill for its
 * task without reading them all. Built from each Markdown skill's front matter
 * ({@code <skill>/SKILL.md}: {@code name}, {@code description}, {@code triggers},
 * {@code when_to_use}) and each structured skill ({@code <name>.yaml}, read by
 * {@link SkillSchema}) of the shared library and of the caller's teams' own
 * ({@code teams/<team>/}); built on first read and rebuilt only when a skill file changes (its
 * path, size or mtime). Drafts under {@code proposed/} are not listed: a skill is found here only
 * once it was approved.
 *
 * <p>Format, version 1:
 * <pre>
 * {"version": 1, "skills": [
 *   {"name": "investigate-with-afs", "kind": "markdown", "scope": "shared", "file": "investigate-with-afs/SKILL.md",
 *    "path": "investigate-with-afs/SKILL.md", "summary": "...", "version": "", "triggers": ["5xx above SLO", ...],
 *    "when_to_use": "...", "problems": []},
 *   {"name": "oom-memory-leak", "kind": "structured", "scope": "team", "team": "payments",
 *    "file": "teams/payments/oom-memory-leak.yaml", ..., "triggers": [{"log": "OutOfMemoryError"}], ...}]}
 * </pre>
 * {@code file} (and {@code path}, its older name) is relative to {@code /context/skills}.
 * {@code problems} names what is missing or wrong in a skill ({@code file:line:column} for
 * structured ones), so a broken skill is visible rather than silently dropped.
 */
final class SkillIndex {

    static final String FILE = "_index.json";
    /** Where a team's own skills live, below the library: {@code teams/<team>/}. */
    static final String TEAMS = "teams";
    /** Drafts ({@code afs skills propose}) awaiting promotion: {@code proposed/<team>/}. */
    static final String PROPOSED = "proposed";
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    private static final int MAX_SKILL_BYTES = 256 * 1024;

    /** One directory of skills and how its files are named in the index. */
    private record Source(Path dir, String prefix, String scope, String team) {
    }

    private record Cached(String signature, String text) {
    }

    private final Path root;
    private final Map<Set<String>, Cached> cache = new HashMap<>();

    SkillIndex(Path root) {
        this.root = Objects.requireNonNull(root, "root is null");
    }

    /** The shared library's index (no team's own skills). */
    String text() throws IOException {
        return text(Set.of());
    }

    /** The index of the shared library and {@code teams}' own skills, rebuilt if a skill changed since the last build. */
    synchronized String text(Set<String> teams) throws IOException {
        List<Source> sources = new ArrayList<>();
        sources.add(new Source(root, "", "shared", null));
        for (String team : new TreeSet<>(teams)) {
            Path dir = root.resolve(TEAMS).resolve(team);
            if (Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
                sources.add(new Source(dir, TEAMS + "/" + team + "/", "team", team));
            }
        }
        List<Map.Entry<Source, Path>> files = new ArrayList<>();
        StringBuilder sig = new StringBuilder();
        for (Source source : sources) {
            for (Path f : skillFiles(source.dir())) {
                files.add(Map.entry(source, f));
                sig.append(f).append(' ').append(Files.size(f)).append(' ')
                        .append(Files.getLastModifiedTime(f).toMillis()).append('\n');
            }
        }
        Set<String> key = Set.copyOf(teams);
        Cached cached = cache.get(key);
        if (cached == null || !cached.signature().equals(sig.toString())) {
            if (cache.size() > 1000) {
                cache.clear(); // one entry per distinct set of teams: bounded however many callers there are
            }
            cached = new Cached(sig.toString(), build(files));
            cache.put(key, cached);
        }
        return cached.text();
    }

    private static List<Path> skillFiles(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        List<Path> out = new ArrayList<>();
        try (Stream<Path> entries = Files.list(dir)) {
            for (Path entry : entries.sorted().toList()) {
                String name = entry.getFileName().toString();
                // symlinks could lead outside the skills directory: not followed, as in the tree
                if (name.endsWith(".yaml") && !name.startsWith(".") && Files.isRegularFile(entry, LinkOption.NOFOLLOW_LINKS)) {
                    out.add(entry);
                } else if (Files.isDirectory(entry, LinkOption.NOFOLLOW_LINKS)
                        && Files.isRegularFile(entry.resolve("SKILL.md"), LinkOption.NOFOLLOW_LINKS)) {
                    out.add(entry.resolve("SKILL.md"));
                }
            }
        }
        return out;
    }

    private String build(List<Map.Entry<Source, Path>> files) throws IOException {
        ObjectNode index = JSON.createObjectNode();
        index.put("version", 1);
        ArrayNode skills = index.putArray("skills");
        for (Map.Entry<Source, Path> f : files) {
            Source source = f.getKey();
            String relative = source.prefix() + source.dir().relativize(f.getValue());
            ObjectNode entry = f.getValue().getFileName().toString().equals("SKILL.md")
                    ? entry(relative, f.getValue()) : structured(relative, f.getValue());
            entry.put("scope", source.scope());
            if (source.team() != null) {
                entry.put("team", source.team());
            }
            skills.add(entry);
        }
        return JSON.writeValueAsString(index) + "\n";
    }

    private static ObjectNode structured(String relative, Path file) throws IOException {
        String fileName = file.getFileName().toString();
        String name = fileName.substring(0, fileName.length() - ".yaml".length());
        ObjectNode entry = JSON.createObjectNode();
        entry.put("name", name);
        entry.put("kind", "structured");
        entry.put("file", relative);
        entry.put("path", relative);
        entry.put("summary", "");
        entry.put("version", "");
        ArrayNode triggers = entry.putArray("triggers");
        ArrayNode problems = entry.putArray("problems");
        if (Files.size(file) > MAX_SKILL_BYTES) {
            problems.add("larger than " + MAX_SKILL_BYTES + " bytes; not read");
            return entry;
        }
        SkillSchema.Result read = SkillSchema.read(relative, Files.readString(file, StandardCharsets.UTF_8), Optional.of(name));
        read.problems().forEach(p -> problems.add(p.toString()));
        read.skill().ifPresent(s -> {
            entry.put("summary", s.summary());
            entry.put("version", s.version());
            s.triggers().forEach(t -> triggers.addObject().put(t.kind(), t.text()));
        });
        return entry;
    }

    static ObjectNode entry(String relative, Path file) throws IOException {
        ObjectNode entry = JSON.createObjectNode();
        String dirName = file.getParent().getFileName().toString();
        entry.put("name", dirName);
        entry.put("kind", "markdown");
        entry.put("file", relative);
        entry.put("path", relative);
        entry.put("summary", "");
        entry.put("version", "");
        entry.putArray("triggers");
        entry.put("when_to_use", "");
        ArrayNode problems = entry.putArray("problems");
        if (Files.size(file) > MAX_SKILL_BYTES) {
            problems.add("larger than " + MAX_SKILL_BYTES + " bytes; not read");
            return entry;
        }
        String text = Files.readString(file, StandardCharsets.UTF_8);
        String front = frontMatter(text);
        if (front == null) {
            problems.add("no front matter; start the file with --- name, description, triggers, when_to_use ---");
            return entry;
        }
        ConfigNode node;
        try {
            node = ConfigReader.parse(relative, front);
        } catch (ConfigException e) {
            problems.add("front matter: " + e.getMessage());
            return entry;
        }
        if (!node.isMap()) {
            problems.add("front matter is not a map of name, description, triggers, when_to_use");
            return entry;
        }
        node.optString("name").ifPresent(n -> entry.put("name", n));
        node.get("version").filter(v -> v.kind() == ConfigNode.Kind.SCALAR).ifPresent(v -> entry.put("version", v.asString()));
        field(node, "description", entry, "summary", problems);
        field(node, "when_to_use", entry, "when_to_use", problems);
        node.get("triggers").ifPresentOrElse(t -> {
            ArrayNode triggers = entry.putArray("triggers");
            try {
                t.asStringList().forEach(triggers::add);
            } catch (ConfigException e) {
                problems.add("triggers: write a list of phrases, e.g. [5xx above SLO, OOMKilled]");
            }
        }, () -> problems.add("triggers: missing; list the phrases of a task this skill serves"));
        return entry;
    }

    private static void field(ConfigNode node, String key, ObjectNode entry, String as, ArrayNode problems) {
        try {
            node.optString(key).ifPresentOrElse(v -> entry.put(as, v.strip()), () -> problems.add(key + ": missing"));
        } catch (ConfigException e) {
            problems.add(key + ": not text");
        }
    }

    /** The YAML between a leading {@code ---} line and the next {@code ---} line, or null. */
    static String frontMatter(String text) {
        if (!text.startsWith("---\n")) {
            return null;
        }
        int end = text.indexOf("\n---", 3);
        return end < 0 ? null : text.substring(4, end + 1);
    }
}
