package dev.orderpipeline.testing;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A loopback proxy in front of PostgreSQL that reads the client's side of the wire protocol message
 * by message and, once {@link #cancelNextBegin() armed}, makes the next {@code BEGIN} fail with
 * SQLSTATE 57014, as a cancel request the network held back would when it reaches the server just as
 * the session's next transaction begins (a hung statement's query timeout, delivered when the network
 * heals). pgjdbc sends {@code BEGIN} together with the transaction's first statement without waiting
 * for its answer, so that statement then runs, and commits, on its own.
 */
public final class LateCancelProxy implements AutoCloseable {
    private static final int SSL_REQUEST = 80877103;
    private static final int GSSENC_REQUEST = 80877104;
    private static final byte[] CANCELLED_BEGIN = ("DO $$BEGIN RAISE EXCEPTION 'canceling statement due to user request' "
            + "USING ERRCODE = 'query_canceled'; END$$\0").getBytes(StandardCharsets.US_ASCII);

    private final ServerSocket server;
    private final int targetPort;
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    private final AtomicBoolean armed = new AtomicBoolean();
    private volatile boolean closed;

    public LateCancelProxy(int targetPort) throws IOException {
        this.targetPort = targetPort;
        this.server = new ServerSocket();
        server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        Thread acceptor = new Thread(this::acceptLoop, "late-cancel-proxy-accept");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    public int port() {
        return server.getLocalPort();
    }

    /** The next {@code BEGIN} any session sends fails as cancelled; the ones after it run again. */
    public void cancelNextBegin() {
        armed.set(true);
    }

    /** Whether the armed cancel has hit a {@code BEGIN} yet. */
    public boolean cancelDelivered() {
        return !armed.get();
    }

    private void acceptLoop() {
        while (!closed) {
            try {
                Socket client = server.accept();
                Socket upstream = new Socket(InetAddress.getLoopbackAddress(), targetPort);
                sockets.add(client);
                sockets.add(upstream);
                start(() -> clientToServer(client, upstream), client, upstream);
                start(() -> copy(upstream, client), upstream, client);
            } catch (IOException e) {
                if (closed) {
                    return;
                }
            }
        }
    }

    private interface Pump {
        void run() throws IOException;
    }

    private static void start(Pump pump, Socket from, Socket to) {
        Thread t = new Thread(() -> {
            try {
                pump.run();
            } catch (IOException e) {
                // one side closed: close the other
            } finally {
                closeQuietly(from);
                closeQuietly(to);
            }
        }, "late-cancel-proxy-pump");
        t.setDaemon(true);
        t.start();
    }

    private static void copy(Socket from, Socket to) throws IOException {
        InputStream in = from.getInputStream();
        OutputStream out = to.getOutputStream();
        byte[] buffer = new byte[16 << 10];
        int n;
        while ((n = in.read(buffer)) >= 0) {
            out.write(buffer, 0, n);
            out.flush();
        }
    }

    /** Untyped messages first (SSL and GSS requests, then the startup message), typed ones after. */
    private void clientToServer(Socket client, Socket upstream) throws IOException {
        DataInputStream in = new DataInputStream(new BufferedInputStream(client.getInputStream()));
        DataOutputStream out = new DataOutputStream(new BufferedOutputStream(upstream.getOutputStream()));
        int code;
        do {
            int length = in.readInt();
            code = in.readInt();
            byte[] rest = in.readNBytes(length - 8);
            out.writeInt(length);
            out.writeInt(code);
            out.write(rest);
            out.flush(); // the server answers an SSL or GSS request before the client goes on
        } while (code == SSL_REQUEST || code == GSSENC_REQUEST);
        while (true) {
            int type = in.read();
            if (type < 0) {
                return;
            }
            int length = in.readInt();
            byte[] body = in.readNBytes(length - 4);
            if (body.length < length - 4) {
                throw new EOFException();
            }
            if (type == 'Q' && isBegin(body) && armed.compareAndSet(true, false)) {
                body = CANCELLED_BEGIN;
            }
            out.write(type);
            out.writeInt(body.length + 4);
            out.write(body);
            if (in.available() == 0) {
                out.flush(); // the client waits for an answer to what it sent
            }
        }
    }

    private static boolean isBegin(byte[] body) {
        String query = new String(body, StandardCharsets.UTF_8).replace("\0", "").trim().toUpperCase(Locale.ROOT);
        return query.equals("BEGIN") || query.startsWith("BEGIN ");
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException ignored) {
            // already closed
        }
    }

    @Override
    public void close() {
        closed = true;
        try {
            server.close();
        } catch (IOException ignored) {
            // closing anyway
        }
        sockets.forEach(LateCancelProxy::closeQuietly);
    }
}
