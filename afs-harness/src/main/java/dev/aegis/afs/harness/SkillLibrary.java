package dev.aegis.afs.harness;

import static java.util.Objects.requireNonNull;

import dev.aegis.afs.core.AfsError;
import dev.aegis.afs.core.AfsException;
import dev.aegis.afs.core.access.AccessList;
import dev.aegis.afs.core.access.AccessPolicy;
import dev.aegis.afs.core.access.Principal;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Optional;

/**
 * Where approved skills and guardrail changes go, and who may approve them (docs/skills.md).
 * The library is the directory the mounts show at /context/skills: a team skill is written to
 * {@code teams/<team>/<name>.yaml}, a shared one to {@code <name>.yaml}, drafts to
 * {@code proposed/<team>/<name>.yaml}; each file replaced whole (a mount never reads half a
 * skill), so the next read of {@code _index.json} lists it. Guardrail changes are written to
 * {@code data_dir/guardrails/<team>/<env>/<name>.yaml} for the operator to merge into
 * namespaces.yaml: the harness records them, it does not rewrite its own policy.
 */
final class SkillLibrary {

    private final Optional<Path> dir;
    private final Path guardrails;
    private final AccessList platform;
    private final AccessPolicy access;

    SkillLibrary(Optional<Path> dir, Path guardrails, AccessList platform, AccessPolicy access) {
        this.dir = requireNonNull(dir, "dir is null");
        this.guardrails = requireNonNull(guardrails, "guardrails is null");
        this.platform = requireNonNull(platform, "platform is null");
        this.access = requireNonNull(access, "access is null");
    }

    /** Why {@code change} cannot be approved by anyone here; empty when it can. */
    Optional<String> unapprovable(LibraryChange change) {
        if (change.kind() == LibraryChange.Kind.SKILL && dir.isEmpty()) {
            return Optional.of("this harness has no skills library; set skills: {library: DIR} in harness.yaml "
                    + "(or skills: in namespaces.yaml)");
        }
        if (change.platformOnly() && platform.isEmpty()) {
            return Optional.of((change.kind() == LibraryChange.Kind.SKILL ? "a skill for the shared library"
                    : "loosening a guardrail") + " needs a platform approver and harness.yaml names none; "
                    + "add platform: {approvers: [...]}");
        }
        if (!change.platformOnly() && !access.hasApprovers(change.team(), change.env())) {
            return Optional.of(change.team() + "/" + change.env() + " has no approvers; add teams." + change.team() + "."
                    + change.env() + ".changes.approvers to namespaces.yaml");
        }
        return Optional.empty();
    }

    /**
     * Why {@code p} may not approve {@code change}; empty when it may. A team change: an approver
     * of the team/env. A shared skill or a loosened guardrail: a platform approver who may read
     * the env (to see what it approves) and is not among the team's own approvers, so a team
     * never widens its own reach alone.
     */
    Optional<String> approverProblem(LibraryChange change, Principal p) {
        Optional<String> asTeam = access.approveProblem(p, change.team(), change.env());
        if (!change.platformOnly() || p.agent()) {
            return asTeam;
        }
        if (!access.canRead(p, change.team(), change.env())) {
            return Optional.of(p.id() + " may not read " + change.team() + "/" + change.env() + ", so it cannot see what it "
                    + "would approve; platform approvers must also be readers of the env");
        }
        if (!platform.allows(p)) {
            return Optional.of(p.id() + " is not a platform approver (harness.yaml platform.approvers: " + platform + "); "
                    + what(change) + " needs one");
        }
        if (asTeam.isEmpty()) {
            return Optional.of(p.id() + " is an approver of " + change.team() + "/" + change.env() + "; " + what(change)
                    + " needs a platform approver outside the team");
        }
        return Optional.empty();
    }

    private static String what(LibraryChange change) {
        return change.kind() == LibraryChange.Kind.SKILL ? "promotion into the shared library" : "loosening a guardrail";
    }

    /** Where {@link #write} puts {@code change}: relative to the library, or to the guardrails directory. */
    String relative(LibraryChange change) {
        if (change.kind() == LibraryChange.Kind.GUARDRAIL) {
            return change.team() + "/" + change.env() + "/" + change.name() + ".yaml";
        }
        return change.platformOnly() ? change.name() + ".yaml" : "teams/" + change.team() + "/" + change.name() + ".yaml";
    }

    /** The file's text: the skill verbatim; a guardrail change with a line saying what it is. */
    static String text(LibraryChange change) {
        return change.kind() == LibraryChange.Kind.SKILL ? change.content() : "# " + change.direction()
                + ", approved through the harness (incident " + change.incidentId() + "): merge into teams." + change.team()
                + "." + change.env() + ".changes\n" + change.content();
    }

    /** Writes an approved change (a promoted draft leaves proposed/); returns {@link #relative}. */
    String write(LibraryChange change) throws IOException {
        Path file = base(change).resolve(relative(change));
        replace(file, text(change));
        if (change.kind() == LibraryChange.Kind.SKILL) {
            Files.deleteIfExists(base(change).resolve("proposed").resolve(change.team()).resolve(change.name() + ".yaml"));
        }
        return relative(change);
    }

    /** Whether the file holds exactly what was approved. */
    boolean holds(LibraryChange change) throws IOException {
        Path file = base(change).resolve(relative(change));
        return Files.exists(file) && Files.readString(file, StandardCharsets.UTF_8).equals(text(change));
    }

    private Path base(LibraryChange change) throws IOException {
        return change.kind() == LibraryChange.Kind.GUARDRAIL ? guardrails
                : dir.orElseThrow(() -> new IOException("no skills library configured"));
    }

    /** Stores a draft under {@code proposed/<team>/}, where the team's mounts show it; returns its path there. */
    String propose(String team, String name, String content) throws AfsException {
        Path library = dir.orElseThrow(() -> new AfsException(AfsError.UNAVAILABLE, "this harness has no skills library; set "
                + "skills: {library: DIR} in harness.yaml"));
        String relative = "proposed/" + team + "/" + name + ".yaml";
        try {
            replace(library.resolve(relative), content);
        } catch (IOException e) {
            throw new AfsException(AfsError.INTERNAL, "cannot write " + library.resolve(relative) + ": " + e.getMessage(), e);
        }
        return relative;
    }

    /** Replaced whole, readable by the mount daemon: skills are not secrets within the teams that see them. */
    private static void replace(Path file, String content) throws IOException {
        Files.createDirectories(file.getParent());
        Path tmp = file.resolveSibling("." + file.getFileName() + ".tmp");
        Files.writeString(tmp, content, StandardCharsets.UTF_8);
        Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-r--r--"));
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
}
