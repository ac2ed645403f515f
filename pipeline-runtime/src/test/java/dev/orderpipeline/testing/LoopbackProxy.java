package dev.orderpipeline.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A loopback TCP proxy in front of a local server: each connection it accepts gets its own
 * connection upstream and two pumps, one per direction, which subclasses define. When either pump
 * ends, both sockets close, as a broken connection would.
 */
abstract class LoopbackProxy implements AutoCloseable {
    private final ServerSocket server;
    private final int targetPort;
    private final String name;
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    private final Thread acceptor;
    private volatile boolean closed;

    LoopbackProxy(int targetPort, String name) throws IOException {
        this.targetPort = targetPort;
        this.name = name;
        this.server = new ServerSocket();
        server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        acceptor = new Thread(this::acceptLoop, name + "-accept");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    public int port() {
        return server.getLocalPort();
    }

    /** Carries what the client sends to the server, until the client's stream ends. */
    abstract void clientToServer(InputStream client, OutputStream server) throws IOException, InterruptedException;

    /** Carries what the server answers to the client, until the server's stream ends. */
    abstract void serverToClient(InputStream server, OutputStream client) throws IOException, InterruptedException;

    boolean closed() {
        return closed;
    }

    private void acceptLoop() {
        while (!closed) {
            try {
                Socket client = server.accept();
                Socket upstream = new Socket(InetAddress.getLoopbackAddress(), targetPort);
                sockets.add(client);
                sockets.add(upstream);
                pump(client, upstream, this::clientToServer);
                pump(upstream, client, this::serverToClient);
            } catch (IOException e) {
                if (closed) {
                    return;
                }
            }
        }
    }

    private interface Direction {
        void carry(InputStream in, OutputStream out) throws IOException, InterruptedException;
    }

    private void pump(Socket from, Socket to, Direction direction) {
        Thread t = new Thread(() -> {
            try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                direction.carry(in, out);
            } catch (IOException | InterruptedException e) {
                // one side closed: close the other
            } finally {
                closeQuietly(from);
                closeQuietly(to);
            }
        }, name + "-pump");
        t.setDaemon(true);
        t.start();
    }

    /** Copies bytes as they come. */
    static void copy(InputStream in, OutputStream out) throws IOException {
        byte[] buffer = new byte[16 << 10];
        int n;
        while ((n = in.read(buffer)) >= 0) {
            out.write(buffer, 0, n);
            out.flush();
        }
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
        sockets.forEach(LoopbackProxy::closeQuietly);
        try {
            acceptor.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
