package dev.aegis.afs.core.tree.skills;

import dev.aegis.afs.core.skills.SkillProblem;
import dev.aegis.afs.core.skills.SkillSchema;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * {@code afs skills check DIR}: every skill file under a library, shared, teams' and proposed
 * alike: each {@code *.yaml} against {@link SkillSchema}, each {@code SKILL.md}'s front matter as
 * the index reads it. Problems are named {@code file:line:column} (line 1 where a Markdown
 * skill's front matter has no position), relative to the directory checked.
 */
public final class SkillCheck {

    /** What was checked and what is wrong. */
    public record Report(int files, List<SkillProblem> problems) {
        public Report {
            problems = List.copyOf(problems);
        }
    }

    private SkillCheck() {
    }

    public static Report check(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            throw new IOException(dir + " is not a directory; name the skills directory, e.g. afs skills check skills/");
        }
        List<SkillProblem> problems = new ArrayList<>();
        int files = 0;
        List<Path> all;
        try (Stream<Path> walk = Files.walk(dir)) {
            all = walk.filter(p -> Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)).sorted().toList();
        }
        for (Path f : all) {
            String relative = dir.relativize(f).toString();
            String name = f.getFileName().toString();
            if (name.endsWith(".yaml") && !name.startsWith(".")) {
                files++;
                SkillSchema.Result r = SkillSchema.read(relative, Files.readString(f, StandardCharsets.UTF_8),
                        Optional.of(name.substring(0, name.length() - ".yaml".length())));
                problems.addAll(r.problems());
            } else if (name.equals("SKILL.md")) {
                files++;
                SkillIndex.entry(relative, f).path("problems")
                        .forEach(p -> problems.add(new SkillProblem(relative + ":1:1", p.asText())));
            }
        }
        return new Report(files, problems);
    }
}
