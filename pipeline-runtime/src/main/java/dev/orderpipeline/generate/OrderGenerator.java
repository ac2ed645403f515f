package dev.orderpipeline.generate;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Random;

/**
 * Produces the stream of change events for orders: new orders, updates to earlier orders (same
 * key, new units and address) and deletions (tombstones), in configurable proportions. Seeded, so
 * a run can be repeated exactly.
 */
public final class OrderGenerator {
    private final Random random;
    private final double updateFraction;
    private final double deleteFraction;
    /** The live order ids (a primitive array: millions of existing keys cost 8 bytes each). */
    private long[] liveOrders = new long[1024];
    private int live;
    private long nextOrderId = 1;
    private final OrderEncoding encoding;

    public OrderGenerator(long seed, double updateFraction, double deleteFraction) {
        this(seed, updateFraction, deleteFraction, OrderEncoding.json(), 0, 0);
    }

    /** Values written by {@code encoding} (JSON, or a Confluent wire format). */
    public OrderGenerator(long seed, double updateFraction, double deleteFraction, OrderEncoding encoding) {
        this(seed, updateFraction, deleteFraction, encoding, 0, 0);
    }

    /**
     * A generator whose updates and deletions also reach {@code existingKeys} orders that exist before
     * its first event, ids {@code firstExistingKey} and up (a table that already holds history). They
     * must not overlap the ids of new orders, which count from 1.
     */
    public OrderGenerator(long seed, double updateFraction, double deleteFraction, long firstExistingKey, int existingKeys) {
        this(seed, updateFraction, deleteFraction, OrderEncoding.json(), firstExistingKey, existingKeys);
    }

    private OrderGenerator(long seed, double updateFraction, double deleteFraction, OrderEncoding encoding,
                           long firstExistingKey, int existingKeys) {
        if (existingKeys < 0 || (existingKeys > 0 && firstExistingKey < 1)) {
            throw new IllegalArgumentException("existing keys must be a positive id range");
        }
        if (updateFraction < 0 || deleteFraction < 0 || updateFraction + deleteFraction >= 1) {
            throw new IllegalArgumentException("update and delete fractions must be >= 0 and add up to less than 1");
        }
        this.random = new Random(seed);
        this.updateFraction = updateFraction;
        this.deleteFraction = deleteFraction;
        this.encoding = encoding;
        for (int i = 0; i < existingKeys; i++) {
            add(firstExistingKey + i);
        }
    }

    /** One change event: key is the order id (its text), value the encoded order or null for a deletion. */
    public record Event(byte[] key, byte[] value) {
        public boolean isDelete() {
            return value == null;
        }
    }

    public Event next() {
        double roll = random.nextDouble();
        if (live > 0 && roll < deleteFraction) {
            long id = removeRandomLiveOrder();
            return new Event(key(id), null);
        }
        if (live > 0 && roll < deleteFraction + updateFraction) {
            long id = liveOrders[random.nextInt(live)];
            return new Event(key(id), encoding.encode(order(id)));
        }
        long id = nextOrderId++;
        add(id);
        return new Event(key(id), encoding.encode(order(id)));
    }

    /** How many orders the events so far left live: created, and not deleted since. */
    public int liveCount() {
        return live;
    }

    private void add(long id) {
        if (live == liveOrders.length) {
            liveOrders = Arrays.copyOf(liveOrders, live * 2);
        }
        liveOrders[live++] = id;
    }

    private long removeRandomLiveOrder() {
        int index = random.nextInt(live);
        long id = liveOrders[index];
        liveOrders[index] = liveOrders[--live];
        return id;
    }

    private Order order(long id) {
        int state = 1 + random.nextInt(50);
        return new Order(System.currentTimeMillis(), id, "Item_" + random.nextInt(1000),
                1 + random.nextInt(10) + random.nextInt(100) / 100.0,
                new Order.Address("City_" + random.nextInt(100), "State_" + state, 10000 + random.nextInt(90000)));
    }

    private static byte[] key(long id) {
        return Long.toString(id).getBytes(StandardCharsets.UTF_8);
    }
}
