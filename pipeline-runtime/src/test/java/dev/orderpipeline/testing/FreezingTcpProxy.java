package dev.orderpipeline.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * A loopback TCP proxy that can freeze: while frozen it accepts and keeps every connection open but
 * forwards nothing, as a half-open socket or a server that stopped answering would. Thawed, it
 * forwards what it held and carries on.
 */
public final class FreezingTcpProxy extends LoopbackProxy {
    private volatile boolean frozen;

    public FreezingTcpProxy(int targetPort) throws IOException {
        super(targetPort, "freezing-proxy");
    }

    public void freeze() {
        frozen = true;
    }

    public void thaw() {
        frozen = false;
    }

    @Override
    void clientToServer(InputStream client, OutputStream server) throws IOException, InterruptedException {
        forwardUnlessFrozen(client, server);
    }

    @Override
    void serverToClient(InputStream server, OutputStream client) throws IOException, InterruptedException {
        forwardUnlessFrozen(server, client);
    }

    private void forwardUnlessFrozen(InputStream in, OutputStream out) throws IOException, InterruptedException {
        byte[] buffer = new byte[16 << 10];
        int n;
        while (!closed() && (n = in.read(buffer)) >= 0) {
            while (frozen && !closed()) {
                Thread.sleep(20); // hold what was read: the other side hears nothing
            }
            out.write(buffer, 0, n);
            out.flush();
        }
    }
}
