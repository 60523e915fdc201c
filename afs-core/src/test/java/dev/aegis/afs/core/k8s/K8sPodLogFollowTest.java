package dev.aegis.afs.core.k8s;

import static dev.aegis.afs.core.k8s.K8sFixture.CALLER;
import static dev.aegis.afs.core.k8s.K8sFixture.walk;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.aegis.afs.core.AfsError;
import dev.aegis.afs.core.AfsException;
import dev.aegis.afs.core.tree.DirNode;
import dev.aegis.afs.core.tree.LiveFile;
import dev.aegis.afs.core.tree.OpenFile;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ?follow=1} on a pod log: the read, then the lines of a {@code follow=true} call as the API
 * server writes them, filtered on the served line; one upstream call shared by the log's
 * followers; when the API server ends the follow, it is asked again from the newest time served
 * without repeating a line. Each call is an exact expectation of the mock API server.
 */
class K8sPodLogFollowTest {

    private static final String LOG = "/api/v1/namespaces/payments/pods/payment-api-1/log";
    /** The fixture clock is 21:00:00Z: the follow starts there. */
    private static final String FIRST = LOG + "?container=api&follow=true&sinceTime=2026-11-21T21:00:00Z&timestamps=true";
    private static final String AGAIN = LOG + "?container=api&follow=true&sinceTime=2026-11-21T21:00:02Z&timestamps=true";
    private static final String THIRD = LOG + "?container=api&follow=true&sinceTime=2026-11-21T21:00:03Z&timestamps=true";

    @TempDir
    Path dir;
    K8sFixture k8s;
    DirNode root;
    private final List<OpenFile> open = new ArrayList<>();

    @BeforeEach
    void start() throws Exception {
        k8s = new K8sFixture(dir);
        Cluster.create(k8s.client);
        root = k8s.section();
    }

    @AfterEach
    void stop() throws Exception {
        for (OpenFile file : open) {
            file.close();
        }
        k8s.close();
    }

    private void serve(String pathAndQuery, List<String> lines, boolean once) {
        var expectation = k8s.server.expect().get().withPath(pathAndQuery)
                .andReturn(200, lines.stream().map(l -> l + "\n").collect(Collectors.joining()));
        if (once) {
            expectation.once();
        } else {
            expectation.always();
        }
    }

    private OpenFile follow(String name) throws AfsException {
        OpenFile file = assertInstanceOf(LiveFile.class, walk(root, "pods", "payment-api-1", "logs", name)).open(CALLER);
        open.add(file);
        return file;
    }

    /** What the handle serves once it holds {@code n} lines (as tail -f reads: up to the size it reports). */
    private static List<String> awaitLines(OpenFile file, int n) throws Exception {
        return awaitLines(file, n, null);
    }

    private static List<String> awaitLines(OpenFile file, int n, K8sFixture k8s) throws Exception {
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (true) {
            long size = file.size();
            ByteBuffer buffer = ByteBuffer.allocate((int) size);
            while (buffer.hasRemaining() && file.read(buffer.position(), buffer) > 0) {
                // read on
            }
            List<String> lines = new String(buffer.array(), 0, buffer.position(), StandardCharsets.UTF_8).lines().toList();
            if (lines.size() >= n) {
                return lines;
            }
            if (System.nanoTime() > until) {
                fail("after 10 s the follow served " + lines + ", expected " + n + " lines" + (k8s == null ? "" : "; calls: " + k8s.requests()));
            }
            Thread.sleep(50);
        }
    }

    @Test
    void followServesNewLinesFilteredSharedAndResumedWithoutRepeats() throws Exception {
        serve(LOG + "?container=api&timestamps=true", List.of(
                "2026-11-21T20:59:58Z ERROR before the follow",
                "2026-11-21T20:59:59Z INFO before the follow"), false);
        serve(LOG + "?container=api&tailLines=1&timestamps=true", List.of("2026-11-21T20:59:59Z INFO before the follow"),
                false);
        serve(FIRST, List.of(
                "2026-11-21T21:00:01Z ERROR follow one",
                "2026-11-21T21:00:01Z INFO follow two",
                "2026-11-21T21:00:02Z ERROR follow three"), true);
        serve(AGAIN, List.of(
                "2026-11-21T21:00:02Z ERROR follow three",
                "2026-11-21T21:00:03Z ERROR follow four"), true);
        serve(THIRD, List.of("2026-11-21T21:00:03Z ERROR follow four"), false);

        OpenFile errors = follow("api.log?follow=1&grep=ERROR&tail=1");
        OpenFile all = follow("api.log?tail=1&follow=1");

        assertEquals(List.of(
                "2026-11-21T20:59:58.000Z ERROR before the follow",
                "2026-11-21T21:00:01.000Z ERROR follow one",
                "2026-11-21T21:00:02.000Z ERROR follow three",
                "2026-11-21T21:00:03.000Z ERROR follow four"), awaitLines(errors, 4, k8s),
                "the read's grep applies to followed lines; the line the API sends again after the reconnect is not repeated");
        assertEquals("2026-11-21T20:59:59.000Z INFO before the follow", awaitLines(all, 1).get(0));

        List<String> calls = k8s.requests();
        assertEquals(1, calls.stream().filter(FIRST::equals).count(), "one follow=true call for both followers: " + calls);
        assertTrue(calls.contains(AGAIN), "asked again from the newest time served: " + calls);
    }

    @Test
    void aPreviousRunCannotBeFollowed() {
        AfsException e = assertThrows(AfsException.class,
                () -> walk(root, "pods", "payment-api-1", "logs", "api.previous.log?follow=1"));
        assertEquals(AfsError.INVALID_QUERY, e.error());
        assertTrue(e.getMessage().contains("follow api.log instead"), e.getMessage());
    }
}
