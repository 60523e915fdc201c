package dev.aegis.afs.core.evidence;

import static java.util.Objects.requireNonNull;

import dev.aegis.afs.core.AfsError;
import dev.aegis.afs.core.AfsException;
import dev.aegis.afs.evidence.store.CaptureStore;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.channels.FileChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

/**
 * Durable before served: every new snapshot is put in the shared evidence store before the read
 * that made it returns. When the store cannot take it, the read fails (the default), or, with
 * {@code spool: true}, the snapshot waits in a bounded spool on local disk ({@code <evidence
 * dir>/.spool/}, one file per snapshot, named in capture order), is served with
 * {@code user.afs.replicated=false}, and is uploaded in order in the background. The spool is a
 * directory, so a daemon killed with a full spool replays it on its next start; the store is
 * content-addressed and a repeated put is a no-op, so nothing is stored twice.
 */
public final class EvidenceReplication implements AutoCloseable {

    /** Reads a local snapshot back for upload: its record, its content file and its stats. */
    public interface LocalSnapshots {
        EvidenceRecord read(String id) throws IOException;
    }

    private final CaptureStore store;
    private final Path spoolDir;
    private final boolean spool;
    private final long maxSnapshots;
    private final long maxBytes;
    private final Duration retry;
    private final LocalSnapshots local;
    /** Spooled ids and their sizes, in the spool's order (its file names sort by capture order). */
    private final Map<String, Long> pending = new ConcurrentHashMap<>();
    private final AtomicLong pendingBytes = new AtomicLong();
    private final AtomicLong sequence = new AtomicLong();
    private final AtomicLong uploaded = new AtomicLong();
    private final Object lock = new Object();
    private volatile String lastProblem = "";
    private volatile boolean closed;
    private Thread worker;

    /**
     * @param spoolDir     where spooled snapshots are listed (0700, created when needed)
     * @param spool        serve while the store is down instead of failing the read
     * @param maxSnapshots spooled snapshots beyond which reads fail closed again
     * @param maxBytes     spooled bytes beyond which reads fail closed again
     * @param retry        how long the uploader waits after the store refused or did not answer
     */
    public EvidenceReplication(CaptureStore store, Path spoolDir, boolean spool, long maxSnapshots, long maxBytes,
                               Duration retry, LocalSnapshots local) throws IOException {
        this.store = requireNonNull(store, "store is null");
        this.spoolDir = requireNonNull(spoolDir, "spoolDir is null");
        this.spool = spool;
        this.maxSnapshots = maxSnapshots;
        this.maxBytes = maxBytes;
        this.retry = requireNonNull(retry, "retry is null");
        this.local = requireNonNull(local, "local is null");
        if (maxSnapshots < 1 || maxBytes < 1) {
            throw new IllegalArgumentException("the spool bounds must be at least 1");
        }
        if (!Files.isDirectory(spoolDir)) {
            Files.createDirectories(spoolDir, EvidenceStore.DIR_MODE);
        }
        for (Path entry : entries()) {
            String[] line = Files.readString(entry, StandardCharsets.UTF_8).strip().split(" ", 2);
            long size = Long.parseLong(line[0]);
            pending.put(line[1], size);
            pendingBytes.addAndGet(size);
            sequence.set(Math.max(sequence.get(), Long.parseLong(entry.getFileName().toString()) + 1));
        }
    }

    public String describe() {
        return store.describe();
    }

    /** The shared store itself (the mount also lists and reads other mounts' snapshots from it). */
    public CaptureStore store() {
        return store;
    }

    /** Starts the uploader, which first replays what a previous run left in the spool. */
    public EvidenceReplication start() {
        worker = new Thread(this::run, "afs-evidence-replication");
        worker.setDaemon(true);
        worker.start();
        return this;
    }

    /**
     * Makes a new snapshot durable in the shared store, or spools it.
     *
     * @throws AfsException UNAVAILABLE when the store cannot take it and spooling is off or full
     */
    public void durable(EvidenceRecord record) throws AfsException {
        // while older snapshots wait in the spool, a new one queues behind them: the store receives
        // them in order. Concurrent reads put in parallel (their order is the store's to pick).
        if (pending.isEmpty() || !spool) {
            try {
                store.put(record.signed(), record.file(), record.stats());
                uploaded.incrementAndGet();
                return;
            } catch (IOException e) {
                lastProblem = e.getMessage();
                if (!spool) {
                    throw new AfsException(AfsError.UNAVAILABLE, "the evidence store " + store.describe()
                            + " did not take the snapshot (" + e.getMessage() + "), so the read was refused (nothing"
                            + " is served before its evidence is durable); bring the store back, or set"
                            + " evidence.store.spool: true in namespaces.yaml to serve from a local spool meanwhile", e);
                }
            }
        }
        synchronized (lock) {
            enqueue(record);
            lock.notifyAll();
        }
    }

    private void enqueue(EvidenceRecord record) throws AfsException {
        if (pending.size() >= maxSnapshots || pendingBytes.get() + record.size() > maxBytes) {
            throw new AfsException(AfsError.UNAVAILABLE, "the evidence store " + store.describe() + " is unreachable ("
                    + lastProblem + ") and the local spool is full (" + pending.size() + " snapshots, " + pendingBytes.get()
                    + " bytes; evidence.store.spool_max_snapshots " + maxSnapshots + ", spool_max_bytes " + maxBytes
                    + "), so the read was refused; bring the store back");
        }
        long seq = sequence.getAndIncrement();
        Path entry = spoolDir.resolve(String.format("%020d", seq));
        Path temp = spoolDir.resolve(".%020d.part".formatted(seq));
        try {
            Files.writeString(temp, record.size() + " " + record.id() + "\n", StandardCharsets.UTF_8,
                    StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
            try (FileChannel ch = FileChannel.open(temp, StandardOpenOption.WRITE)) {
                ch.force(true); // the spool must survive a crash of the host, not just of the daemon
            }
            Files.move(temp, entry, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new AfsException(AfsError.UNAVAILABLE, "the evidence store " + store.describe() + " is unreachable and the"
                    + " spool " + spoolDir + " cannot take the snapshot (" + e.getMessage() + "), so the read was refused", e);
        }
        pending.put(record.id(), record.size());
        pendingBytes.addAndGet(record.size());
    }

    /** Whether the snapshot has reached the shared store ({@code user.afs.replicated}). */
    public boolean replicated(String id) {
        return !pending.containsKey(id);
    }

    public int spooled() {
        return pending.size();
    }

    private List<Path> entries() throws IOException {
        List<Path> out = new ArrayList<>();
        try (DirectoryStream<Path> s = Files.newDirectoryStream(spoolDir, "[0-9]*")) {
            s.forEach(out::add);
        }
        out.sort(null);
        return out;
    }

    private void run() {
        while (!closed) {
            Path head;
            synchronized (lock) {
                try {
                    List<Path> entries = entries();
                    while (entries.isEmpty() && !closed) {
                        lock.wait(1000);
                        entries = entries();
                    }
                    if (closed) {
                        return;
                    }
                    head = entries.get(0);
                } catch (IOException e) {
                    lastProblem = "cannot list the spool " + spoolDir + ": " + e.getMessage();
                    pause();
                    continue;
                } catch (InterruptedException e) {
                    return;
                }
            }
            if (upload(head)) {
                continue;
            }
            pause();
        }
    }

    /** Uploads one spooled snapshot; true when it is done with (stored, or gone locally). */
    private boolean upload(Path entry) {
        String id;
        try {
            id = Files.readString(entry, StandardCharsets.UTF_8).strip().split(" ", 2)[1];
        } catch (IOException | ArrayIndexOutOfBoundsException e) {
            lastProblem = "spool entry " + entry + " unreadable (" + e.getMessage() + "); dropped";
            delete(entry, null);
            return true;
        }
        try {
            EvidenceRecord record = local.read(id);
            store.put(record.signed(), record.file(), record.stats());
            uploaded.incrementAndGet();
            delete(entry, id);
            return true;
        } catch (NoSuchFileException e) {
            lastProblem = id + " is gone from the evidence directory before it was uploaded; dropped from the spool";
            delete(entry, id);
            return true;
        } catch (IOException | IllegalArgumentException e) {
            lastProblem = e.getMessage();
            return false;
        }
    }

    private void delete(Path entry, String id) {
        synchronized (lock) {
            try {
                Files.deleteIfExists(entry);
            } catch (IOException e) {
                lastProblem = "cannot remove " + entry + ": " + e.getMessage();
            }
            if (id != null) {
                Long size = pending.remove(id);
                if (size != null) {
                    pendingBytes.addAndGet(-size);
                }
            }
        }
    }

    private void pause() {
        synchronized (lock) {
            try {
                lock.wait(retry.toMillis());
            } catch (InterruptedException e) {
                closed = true;
            }
        }
    }

    /** One line for /.afs/status. */
    public String status() {
        return "evidence store " + store.describe() + ": " + uploaded.get() + " stored, " + pending.size() + " spooled ("
                + pendingBytes.get() + " bytes" + (spool ? ", spool on" : ", spool off: reads fail while it is down") + ")"
                + (lastProblem.isEmpty() ? "" : " (last problem: " + lastProblem + ")");
    }

    /** Waits up to {@code timeout} for the spool to drain. */
    public boolean awaitIdle(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!pending.isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        return pending.isEmpty();
    }

    @Override
    public void close() {
        closed = true;
        synchronized (lock) {
            lock.notifyAll();
        }
        if (worker != null) {
            worker.interrupt();
            try {
                worker.join(5000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        store.close();
    }
}
