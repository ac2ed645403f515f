package dev.orderpipeline.operator.scaling;

import io.javaoperatorsdk.operator.processing.event.ResourceID;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.apache.kafka.clients.admin.Admin;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Kafka Admin clients shared by the pipelines that reach one cluster the same way ({@link ConnectionKey}).
 * Each client has its own network thread and connections, so one per pipeline does not scale: 200 pipelines
 * on one cluster hold one client here, not 200.
 *
 * <p>Counted by holder: a pipeline holds at most one client; taking another (its bootstrap servers, security
 * or credentials changed, e.g. a rotated Secret) lets go of the previous one, and {@link #release} lets go
 * when it is deleted. A client nobody holds any more is closed at once.
 */
public final class KafkaAdminPool implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(KafkaAdminPool.class);
    /** The prefix of the clients' ids, hence of their threads' names ({@code kafka-admin-client-thread | …}). */
    public static final String CLIENT_ID_PREFIX = "orderpipeline-operator-";

    private final Duration timeout;
    private final Object lock = new Object();
    private final Map<ConnectionKey, SharedAdmin> clients = new HashMap<>();
    private final Map<ResourceID, ConnectionKey> held = new HashMap<>();
    private final AtomicLong created = new AtomicLong();

    /** @param timeout the budget of one Admin call (the clients' request and API timeouts) */
    public KafkaAdminPool(Duration timeout) {
        this.timeout = timeout;
    }

    /** One shared client, and what its holders learned about reaching the cluster. */
    public static final class SharedAdmin {
        private final Admin admin;
        private final String clientId;
        private final Set<ResourceID> holders = new HashSet<>();
        private volatile Instant unreachableUntil = Instant.MIN;

        private SharedAdmin(Admin admin, String clientId) {
            this.admin = admin;
            this.clientId = clientId;
        }

        public Admin admin() {
            return admin;
        }

        public String clientId() {
            return clientId;
        }

        /** Whether a recent call found the cluster unreachable: others then need not wait out the timeout again. */
        boolean knownUnreachable(Instant now) {
            return now.isBefore(unreachableUntil);
        }

        void unreachableUntil(Instant until) {
            unreachableUntil = until;
        }

        void reachable() {
            unreachableUntil = Instant.MIN;
        }
    }

    /**
     * The client for {@code key}, held by {@code holder} from now on (and the holder's previous client let go).
     *
     * @param connection reads the credentials; called only when no client for {@code key} is open. Empty when
     *                   they cannot be read: the holder then holds no client.
     */
    public Optional<SharedAdmin> acquire(ResourceID holder, ConnectionKey key,
                                         Supplier<Optional<KafkaConnection>> connection) {
        List<SharedAdmin> unused = new ArrayList<>();
        try {
            synchronized (lock) {
                SharedAdmin shared = clients.get(key);
                if (shared != null) {
                    hold(holder, key, shared, unused);
                    return Optional.of(shared);
                }
            }
            // Outside the lock: this reads Secrets from the API server.
            Optional<KafkaConnection> settings = connection.get();
            synchronized (lock) {
                if (settings.isEmpty()) {
                    letGo(holder, unused);
                    return Optional.empty();
                }
                SharedAdmin shared = clients.get(key);
                if (shared == null) {
                    String clientId = CLIENT_ID_PREFIX + created.incrementAndGet();
                    shared = new SharedAdmin(Admin.create(settings.get().adminProperties(clientId, timeout)), clientId);
                    clients.put(key, shared);
                    LOG.info("event=kafka_client_opened client_id={} bootstrap={} protocol={} clients_open={}", clientId,
                            key.bootstrapServers(), key.protocol(), clients.size());
                }
                hold(holder, key, shared, unused);
                return Optional.of(shared);
            }
        } finally {
            unused.forEach(KafkaAdminPool::closeClient);
        }
    }

    /** The holder (a deleted pipeline) lets go of its client; the client closes if nobody else holds it. */
    public void release(ResourceID holder) {
        List<SharedAdmin> unused = new ArrayList<>();
        synchronized (lock) {
            letGo(holder, unused);
        }
        unused.forEach(KafkaAdminPool::closeClient);
    }

    private void hold(ResourceID holder, ConnectionKey key, SharedAdmin shared, List<SharedAdmin> unused) {
        ConnectionKey previous = held.put(holder, key);
        if (previous != null && !previous.equals(key)) {
            letGoOf(holder, previous, unused);
        }
        shared.holders.add(holder);
    }

    private void letGo(ResourceID holder, List<SharedAdmin> unused) {
        ConnectionKey previous = held.remove(holder);
        if (previous != null) {
            letGoOf(holder, previous, unused);
        }
    }

    private void letGoOf(ResourceID holder, ConnectionKey key, List<SharedAdmin> unused) {
        SharedAdmin shared = clients.get(key);
        if (shared != null && shared.holders.remove(holder) && shared.holders.isEmpty()) {
            clients.remove(key);
            unused.add(shared);
        }
    }

    private static void closeClient(SharedAdmin shared) {
        LOG.info("event=kafka_client_closed client_id={}", shared.clientId);
        shared.admin.close(Duration.ofSeconds(1));
    }

    /** Clients open now. */
    public int openClients() {
        synchronized (lock) {
            return clients.size();
        }
    }

    /** Clients opened since start, for tests: a rotated credential opens a new one. */
    public long clientsOpened() {
        return created.get();
    }

    @Override
    public void close() {
        List<SharedAdmin> all;
        synchronized (lock) {
            all = new ArrayList<>(clients.values());
            clients.clear();
            held.clear();
        }
        all.forEach(KafkaAdminPool::closeClient);
    }
}
