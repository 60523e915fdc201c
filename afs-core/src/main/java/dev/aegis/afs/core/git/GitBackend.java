package dev.aegis.afs.core.git;

import dev.aegis.afs.core.AfsError;
import dev.aegis.afs.core.AfsException;
import dev.aegis.afs.core.source.Backend;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.revwalk.RevWalk;
import org.eclipse.jgit.storage.file.FileRepositoryBuilder;

/** A configured git repository ({@code type: git}); {@code config:} sections point at it. */
public final class GitBackend implements Backend {

    public static final String TYPE = "git";

    private final String name;
    private final Repository repository;
    private final String branch;

    private GitBackend(String name, Repository repository, String branch) {
        this.name = Objects.requireNonNull(name, "name is null");
        this.repository = Objects.requireNonNull(repository, "repository is null");
        this.branch = Objects.requireNonNull(branch, "branch is null");
    }

    static GitBackend open(String name, Path dir, String branch) {
        Path gitDir = Files.isDirectory(dir.resolve(".git")) ? dir.resolve(".git") : dir;
        if (!Files.isDirectory(gitDir.resolve("objects"))) {
            throw new IllegalArgumentException(dir + " is not a git repository (no objects/ or .git/); clone it first,"
                    + " e.g. git clone --bare <url> " + dir);
        }
        try {
            Repository repo = new FileRepositoryBuilder().setGitDir(gitDir.toFile()).setMustExist(true).build();
            return new GitBackend(name, repo, branch);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot open " + dir + " as a git repository: " + e.getMessage());
        }
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public String type() {
        return TYPE;
    }

    Repository repository() {
        return repository;
    }

    /** How evidence names it, e.g. {@code git:config}. */
    public String label() {
        return TYPE + ":" + name;
    }

    /** The branch's tip now. */
    RevCommit tip() throws AfsException {
        ObjectId id;
        try {
            id = repository.resolve(branch + "^{commit}");
        } catch (IOException e) {
            throw new AfsException(AfsError.BACKEND_FAILURE, label() + ": cannot read " + branch + ": " + e.getMessage());
        }
        if (id == null) {
            throw new AfsException(AfsError.NOT_FOUND, label() + ": branch " + branch + " has no commit; check the"
                    + " backend's branch and that the repository was fetched");
        }
        try (RevWalk walk = new RevWalk(repository)) {
            return walk.parseCommit(id);
        } catch (IOException e) {
            throw new AfsException(AfsError.BACKEND_FAILURE, label() + ": cannot read " + branch + ": " + e.getMessage());
        }
    }

    /** A commit named by a hex prefix of at least 7 digits, or NOT_FOUND. */
    RevCommit commit(String rev) throws AfsException {
        if (!rev.matches("[0-9a-f]{7,40}")) {
            throw new AfsException(AfsError.INVALID_QUERY, "rev=" + rev + " is not a commit id; give 7 to 40 hex digits"
                    + " as .history shows them");
        }
        ObjectId id;
        try {
            id = repository.resolve(rev + "^{commit}");
        } catch (org.eclipse.jgit.errors.AmbiguousObjectException e) {
            throw new AfsException(AfsError.INVALID_QUERY, "rev=" + rev + " is ambiguous; give more digits");
        } catch (org.eclipse.jgit.errors.MissingObjectException | org.eclipse.jgit.errors.IncorrectObjectTypeException e) {
            id = null;
        } catch (IOException e) {
            throw new AfsException(AfsError.BACKEND_FAILURE, label() + ": cannot read " + rev + ": " + e.getMessage());
        }
        if (id == null) {
            throw new AfsException(AfsError.NOT_FOUND, label() + ": no commit " + rev + "; cat .history for the ids");
        }
        try (RevWalk walk = new RevWalk(repository)) {
            return walk.parseCommit(id);
        } catch (IOException e) {
            throw new AfsException(AfsError.BACKEND_FAILURE, label() + ": cannot read " + rev + ": " + e.getMessage());
        }
    }

    @Override
    public void close() {
        repository.close();
    }
}
