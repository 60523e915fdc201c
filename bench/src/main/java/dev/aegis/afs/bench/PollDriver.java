package dev.aegis.afs.bench;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;

/**
 * The poll load's generator: one thread, one selector, one keep-alive HTTP/1.1 connection per
 * simulated agent (as a real agent keeps its own), sending each poll at its due time on a fixed
 * schedule. Requests are built before the run (their agent-signed tokens included), so the
 * generator's CPU is the network work only: a real agent signs its token in its own cluster, not
 * on the control plane's machine. An agent whose last poll is unanswered skips its turn, as a
 * real agent waits; a connection the server closed is opened again at the next poll (its
 * latency includes the new connection).
 */
final class PollDriver {

    /** One agent's connection. */
    private static final class Agent {
        SocketChannel channel;
        ByteBuffer out;
        final ByteBuffer in = ByteBuffer.allocate(16 * 1024);
        long sentAt;
        boolean busy;
        boolean counted;
    }

    /** What the run saw. */
    record Outcome(long[] latenciesNanos, int answered, int errors, int skipped, int reconnects, int nonEmpty) {
    }

    /** Called when the measured window starts (the caller samples CPU there). */
    interface Mark {
        void measuring();
    }

    private final InetSocketAddress server;
    private final Agent[] agents;
    private int errors;
    private int inFlight;
    private int reconnects;
    private int nonEmpty;

    PollDriver(InetSocketAddress server, int agentCount) {
        this.server = requireNonNull(server, "server is null");
        this.agents = new Agent[agentCount];
        for (int i = 0; i < agentCount; i++) {
            agents[i] = new Agent();
        }
    }

    /**
     * Sends {@code requests[k]} (the bytes of one GET, for agent {@code k % agents}) at
     * {@code start + k * interval}; polls from index {@code warmup} on are measured.
     */
    Outcome run(byte[][] requests, long intervalNanos, int warmup, Mark mark) throws IOException {
        long[] latencies = new long[requests.length - warmup];
        int measured = 0;
        int skipped = 0;
        int answered = 0;
        try (Selector selector = Selector.open()) {
            for (Agent a : agents) {
                connect(a, selector); // keep-alive connections exist before the first poll, as agents keep them
            }
            long start = System.nanoTime();
            int next = 0;
            while (true) {
                long now = System.nanoTime();
                while (next < requests.length && start + next * intervalNanos <= now) {
                    if (next == warmup) {
                        mark.measuring();
                    }
                    Agent a = agents[next % agents.length];
                    if (a.busy) {
                        skipped += next >= warmup ? 1 : 0;
                    } else {
                        send(a, requests[next], next >= warmup, selector);
                    }
                    next++;
                }
                if (next >= requests.length && inFlight == 0) {
                    break;
                }
                if (next >= requests.length && System.nanoTime() - (start + requests.length * intervalNanos) > 30_000_000_000L) {
                    break; // the last answers never came
                }
                long wait = next < requests.length ? (start + next * intervalNanos - System.nanoTime()) / 1_000_000 : 10;
                if (wait > 0) {
                    selector.select(Math.max(1, wait));
                } else {
                    selector.selectNow();
                }
                Iterator<SelectionKey> it = selector.selectedKeys().iterator();
                while (it.hasNext()) {
                    SelectionKey key = it.next();
                    it.remove();
                    Agent a = (Agent) key.attachment();
                    try {
                        if (key.isConnectable() && a.channel.finishConnect()) {
                            key.interestOps(a.out != null ? SelectionKey.OP_WRITE : SelectionKey.OP_READ);
                        }
                        if (key.isValid() && key.isWritable() && a.out != null) {
                            a.channel.write(a.out);
                            if (!a.out.hasRemaining()) {
                                a.out = null;
                                key.interestOps(SelectionKey.OP_READ);
                            }
                        }
                        if (key.isValid() && key.isReadable()) {
                            int status = read(a);
                            if (status > 0) {
                                long took = System.nanoTime() - a.sentAt;
                                a.busy = false;
                                inFlight--;
                                if (status != 200) {
                                    errors++;
                                } else if (a.counted) {
                                    answered++;
                                    if (measured < latencies.length) {
                                        latencies[measured++] = took;
                                    }
                                }
                            }
                        }
                    } catch (IOException e) {
                        fail(a, key);
                    }
                }
            }
            for (Agent a : agents) {
                if (a.channel != null) {
                    a.channel.close();
                }
            }
        }
        return new Outcome(java.util.Arrays.copyOf(latencies, measured), answered, errors, skipped, reconnects, nonEmpty);
    }

    private void connect(Agent a, Selector selector) throws IOException {
        a.channel = SocketChannel.open();
        a.channel.configureBlocking(false);
        a.channel.setOption(java.net.StandardSocketOptions.TCP_NODELAY, true);
        a.in.clear();
        SelectionKey key = a.channel.register(selector, 0, a);
        if (a.channel.connect(server)) {
            key.interestOps(SelectionKey.OP_READ);
        } else {
            key.interestOps(SelectionKey.OP_CONNECT);
        }
    }

    private void send(Agent a, byte[] request, boolean counted, Selector selector) throws IOException {
        if (a.channel == null || !a.channel.isOpen()) {
            reconnects++;
            connect(a, selector);
        }
        a.busy = true;
        inFlight++;
        a.counted = counted;
        a.sentAt = System.nanoTime();
        a.out = ByteBuffer.wrap(request);
        SelectionKey key = a.channel.keyFor(selector);
        if (a.channel.isConnected()) {
            try {
                a.channel.write(a.out);
            } catch (IOException e) {
                fail(a, key); // the server closed it while idle: counted as an error, reconnected next time
                return;
            }
            if (!a.out.hasRemaining()) {
                a.out = null;
            } else {
                key.interestOps(SelectionKey.OP_WRITE);
            }
        }
    }

    /** A failed connection: its poll (if any) is an error; the next poll reconnects. */
    private void fail(Agent a, SelectionKey key) {
        if (a.busy) {
            errors++;
            a.busy = false;
            inFlight--;
        }
        key.cancel();
        try {
            a.channel.close();
        } catch (IOException ignored) {
            // already broken
        }
    }

    /**
     * Reads what arrived; returns the response's status once it is whole (Content-Length
     * framing: the harness answers so), 0 while incomplete. Throws at end of stream.
     */
    private int read(Agent a) throws IOException {
        int n = a.channel.read(a.in);
        if (n < 0) {
            throw new IOException("closed by the server");
        }
        ByteBuffer b = a.in;
        int end = headerEnd(b);
        if (end < 0) {
            return 0;
        }
        String head = new String(b.array(), 0, end, StandardCharsets.ISO_8859_1);
        int length = 0;
        for (String line : head.split("\r\n")) {
            if (line.regionMatches(true, 0, "Content-Length:", 0, 15)) {
                length = Integer.parseInt(line.substring(15).trim());
            }
        }
        if (b.position() < end + 4 + length) {
            return 0;
        }
        int status = Integer.parseInt(head.substring(9, 12));
        String body = new String(b.array(), end + 4, length, StandardCharsets.UTF_8);
        if (status == 200 && !body.contains("\"tasks\":[]")) {
            nonEmpty++;
        } else if (status != 200 && errors < 3) {
            System.err.println("poll answered " + status + ": " + body.strip());
        }
        b.clear();
        return status;
    }

    private static int headerEnd(ByteBuffer b) {
        byte[] a = b.array();
        for (int i = 3; i < b.position(); i++) {
            if (a[i] == '\n' && a[i - 1] == '\r' && a[i - 2] == '\n' && a[i - 3] == '\r') {
                return i - 3;
            }
        }
        return -1;
    }
}
