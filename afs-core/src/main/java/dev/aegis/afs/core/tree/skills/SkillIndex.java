package dev.aegis.afs.core.tree.skills;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.aegis.afs.core.config.ConfigException;
import dev.aegis.afs.core.config.ConfigNode;
import dev.aegis.afs.core.config.ConfigReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.stream.Stream;

/**
 * {@code /context/skills/_index.json}: one entry per skill, so an agent picks the skill for its
 * task without reading them all. Built from each {@code <skill>/SKILL.md}'s front matter
 * ({@code name}, {@code description}, {@code triggers}, {@code when_to_use}) on first read and
 * rebuilt only when a skill file changes (its path, size or mtime).
 *
 * <p>Format, version 1:
 * <pre>
 * {"version": 1, "skills": [
 *   {"name": "investigate-with-afs", "kind": "markdown", "path": "investigate-with-afs/SKILL.md",
 *    "summary": "...", "triggers": ["5xx above SLO", ...], "when_to_use": "...", "problems": []}]}
 * </pre>
 * {@code kind} says how the skill is written ({@code markdown} today; structured kinds may be
 * added with their own fields). {@code problems} names what is missing or unreadable in a
 * skill's front matter, so a broken skill is visible rather than silently dropped.
 */
final class SkillIndex {

    static final String FILE = "_index.json";
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    private static final int MAX_SKILL_BYTES = 256 * 1024;

    private final Path root;
    private String signature;
    private String text;

    SkillIndex(Path root) {
        this.root = Objects.requireNonNull(root, "root is null");
    }

    /** The index, rebuilt if a skill changed since the last build. */
    synchronized String text() throws IOException {
        List<Path> files = skillFiles();
        StringBuilder sig = new StringBuilder();
        for (Path f : files) {
            sig.append(f).append(' ').append(Files.size(f)).append(' ')
                    .append(Files.getLastModifiedTime(f).toMillis()).append('\n');
        }
        if (text == null || !sig.toString().equals(signature)) {
            text = build(files);
            signature = sig.toString();
        }
        return text;
    }

    private List<Path> skillFiles() throws IOException {
        if (!Files.isDirectory(root)) {
            return List.of();
        }
        List<Path> out = new ArrayList<>();
        try (Stream<Path> dirs = Files.list(root)) {
            for (Path dir : dirs.sorted().toList()) {
                Path skill = dir.resolve("SKILL.md");
                // symlinks could lead outside the skills directory: not followed, as in the tree
                if (Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS) && Files.isRegularFile(skill, LinkOption.NOFOLLOW_LINKS)) {
                    out.add(skill);
                }
            }
        }
        return out;
    }

    private String build(List<Path> files) throws IOException {
        ObjectNode index = JSON.createObjectNode();
        index.put("version", 1);
        ArrayNode skills = index.putArray("skills");
        for (Path file : files) {
            skills.add(entry(root.relativize(file).toString(), file));
        }
        return JSON.writeValueAsString(index) + "\n";
    }

    private static ObjectNode entry(String relative, Path file) throws IOException {
        ObjectNode entry = JSON.createObjectNode();
        String dirName = file.getParent().getFileName().toString();
        entry.put("name", dirName);
        entry.put("kind", "markdown");
        entry.put("path", relative);
        entry.put("summary", "");
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
