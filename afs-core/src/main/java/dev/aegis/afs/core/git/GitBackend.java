package dev.aegis.afs.core.git;

import dev.aegis.afs.core.AfsError;
import dev.aegis.afs.core.AfsException;
import dev.aegis.afs.core.source.Backend;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import dev.aegis.afs.core.prometheus.Credentials;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.api.errors.GitAPIException;
import org.eclipse.jgit.transport.RefSpec;
import org.eclipse.jgit.transport.TransportHttp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.revwalk.RevWalk;
import org.eclipse.jgit.storage.file.FileRepositoryBuilder;

/**
 * A configured git repository ({@code type: git}); {@code config:} sections point at it. With a
 * {@link Remote} the repository is a bare mirror this backend fetches into (every
 * {@code fetch_interval}, at a read), with the credentials read from their files at each fetch.
 */
public final class GitBackend implements Backend {

    public static final String TYPE = "git";

    /**
     * Where the mirror is fetched from: an http(s) URL, the Authorization header from the
     * backend's credentials (bearer_token_file, or username with password_file, as for the HTTP
     * backends), and how long a fetch is reused.
     */
    record Remote(String url, Credentials credentials, Duration interval, Clock clock) {
        Remote {
            Objects.requireNonNull(url, "url is null");
            Objects.requireNonNull(credentials, "credentials is null");
            Objects.requireNonNull(interval, "interval is null");
            Objects.requireNonNull(clock, "clock is null");
        }
    }

    private final String name;
    private final Repository repository;
    private final String branch;
    private final Optional<Remote> remote;
    private Instant fetched; // guarded by this

    private GitBackend(String name, Repository repository, String branch, Optional<Remote> remote) {
        this.name = Objects.requireNonNull(name, "name is null");
        this.repository = Objects.requireNonNull(repository, "repository is null");
        this.branch = Objects.requireNonNull(branch, "branch is null");
        this.remote = Objects.requireNonNull(remote, "remote is null");
    }

    /** A mirror of {@code remote} in {@code dir}, created (empty, bare) when absent; fetched at the first read. */
    static GitBackend mirror(String name, Path dir, String branch, Remote remote) {
        try {
            if (!Files.isDirectory(dir.resolve("objects"))) {
                Git.init().setBare(true).setDirectory(dir.toFile()).call().close();
            }
        } catch (GitAPIException e) {
            throw new IllegalArgumentException("cannot create the mirror " + dir + ": " + e.getMessage()
                    + "; make its parent writable or give another repo path");
        }
        GitBackend local = open(name, dir, branch);
        return new GitBackend(name, local.repository, branch, Optional.of(remote));
    }

    /**
     * Fetches the remote's branches into the mirror when the last fetch is older than the
     * interval. A failed fetch fails the read (naming the remote and why): serving an old
     * mirror as if it were current would hide the newest changes.
     */
    private synchronized void refresh() throws AfsException {
        if (remote.isEmpty()) {
            return;
        }
        Remote r = remote.get();
        Instant now = r.clock().instant();
        if (fetched != null && now.isBefore(fetched.plus(r.interval()))) {
            return;
        }
        Optional<Credentials.Authorization> auth = r.credentials().authorization();
        try (Git git = Git.wrap(repository)) {
            git.fetch().setRemote(r.url()).setRefSpecs(new RefSpec("+refs/heads/*:refs/heads/*"))
                    .setRemoveDeletedRefs(true)
                    .setTransportConfigCallback(t -> {
                        if (t instanceof TransportHttp http && auth.isPresent()) {
                            http.setAdditionalHeaders(Map.of("Authorization", auth.get().header()));
                        }
                    })
                    .call();
            fetched = now;
        } catch (GitAPIException | RuntimeException e) {
            String message = label() + ": cannot fetch " + r.url() + ": " + e.getMessage()
                    + (e.getMessage() != null && e.getMessage().contains("not authorized")
                    ? "; check the backend's bearer_token_file or username and password_file" : "; check url and that the server answers");
            throw new AfsException(AfsError.BACKEND_FAILURE, auth.map(a -> a.redact(message)).orElse(message), e);
        }
    }

    static GitBackend open(String name, Path dir, String branch) {
        Path gitDir = Files.isDirectory(dir.resolve(".git")) ? dir.resolve(".git") : dir;
        if (!Files.isDirectory(gitDir.resolve("objects"))) {
            throw new IllegalArgumentException(dir + " is not a git repository (no objects/ or .git/); clone it first,"
                    + " e.g. git clone --bare <url> " + dir);
        }
        try {
            Repository repo = new FileRepositoryBuilder().setGitDir(gitDir.toFile()).setMustExist(true).build();
            return new GitBackend(name, repo, branch, Optional.empty());
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

    /** The branch's tip now (after a fetch, for a mirror). */
    RevCommit tip() throws AfsException {
        refresh();
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

    /** A commit touching a folder: what the risk report lists as a recent change. */
    public record FolderCommit(String id, Instant time, String author, String subject, List<String> paths, String diff) {
        public FolderCommit {
            Objects.requireNonNull(id, "id is null");
            Objects.requireNonNull(time, "time is null");
            paths = List.copyOf(paths);
            Objects.requireNonNull(diff, "diff is null");
        }
    }

    /**
     * The commits on the branch touching {@code folder} ("" for all) with a commit time at or
     * after {@code from}, oldest first, each with the paths it changed there and its unified diff.
     */
    public List<FolderCommit> commits(String folder, Instant from) throws AfsException {
        GitView view = new GitView(this, folder);
        RevCommit tip = tip();
        List<FolderCommit> out = new ArrayList<>();
        for (GitView.Commit c : view.history(tip, from, null)) {
            RevCommit commit = commit(c.id());
            String diff = view.diff(view.parent(commit), commit);
            List<String> paths = diff.lines().filter(l -> l.startsWith("diff --git a/"))
                    .map(l -> l.substring(l.lastIndexOf(" b/") + 3)).toList();
            out.add(new FolderCommit(c.id(), c.time(), c.author(), c.subject(), paths, diff));
        }
        return out;
    }

    @Override
    public void close() {
        repository.close();
    }
}
