package dev.orderpipeline.testing;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A loopback proxy in front of PostgreSQL that reads the client's side of the wire protocol message
 * by message and, once {@link #cancelNextBegin() armed}, makes the next {@code BEGIN} fail with
 * SQLSTATE 57014, as a cancel request the network held back would when it reaches the server just as
 * the session's next transaction begins (a hung statement's query timeout, delivered when the network
 * heals). pgjdbc sends {@code BEGIN} together with the transaction's first statement without waiting
 * for its answer, so that statement then runs, and commits, on its own.
 */
public final class LateCancelProxy extends LoopbackProxy {
    private static final int SSL_REQUEST = 80877103;
    private static final int GSSENC_REQUEST = 80877104;
    private static final byte[] CANCELLED_BEGIN = ("DO $$BEGIN RAISE EXCEPTION 'canceling statement due to user request' "
            + "USING ERRCODE = 'query_canceled'; END$$\0").getBytes(StandardCharsets.US_ASCII);

    private final AtomicBoolean armed = new AtomicBoolean();

    public LateCancelProxy(int targetPort) throws IOException {
        super(targetPort, "late-cancel-proxy");
    }

    /** The next {@code BEGIN} any session sends fails as cancelled; the ones after it run again. */
    public void cancelNextBegin() {
        armed.set(true);
    }

    /** Whether the armed cancel has hit a {@code BEGIN} yet. */
    public boolean cancelDelivered() {
        return !armed.get();
    }

    /** Untyped messages first (SSL and GSS requests, then the startup message), typed ones after. */
    @Override
    void clientToServer(InputStream client, OutputStream server) throws IOException {
        DataInputStream in = new DataInputStream(new BufferedInputStream(client));
        DataOutputStream out = new DataOutputStream(new BufferedOutputStream(server));
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

    @Override
    void serverToClient(InputStream server, OutputStream client) throws IOException {
        copy(server, client);
    }

    private static boolean isBegin(byte[] body) {
        String query = new String(body, StandardCharsets.UTF_8).replace("\0", "").trim().toUpperCase(Locale.ROOT);
        return query.equals("BEGIN") || query.startsWith("BEGIN ");
    }
}
