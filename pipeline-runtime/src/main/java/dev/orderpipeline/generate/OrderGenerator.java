package dev.orderpipeline.generate;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
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
    private final List<Long> liveOrders = new ArrayList<>();
    private long nextOrderId = 1;
    private final OrderEncoding encoding;

    public OrderGenerator(long seed, double updateFraction, double deleteFraction) {
        this(seed, updateFraction, deleteFraction, OrderEncoding.json());
    }

    /** Values written by {@code encoding} (JSON, or a Confluent wire format). */
    public OrderGenerator(long seed, double updateFraction, double deleteFraction, OrderEncoding encoding) {
        if (updateFraction < 0 || deleteFraction < 0 || updateFraction + deleteFraction >= 1) {
            throw new IllegalArgumentException("update and delete fractions must be >= 0 and add up to less than 1");
        }
        this.random = new Random(seed);
        this.updateFraction = updateFraction;
        this.deleteFraction = deleteFraction;
        this.encoding = encoding;
    }

    /** One change event: key is the order id (its text), value the encoded order or null for a deletion. */
    public record Event(byte[] key, byte[] value) {
        public boolean isDelete() {
            return value == null;
        }
    }

    public Event next() {
        double roll = random.nextDouble();
        if (!liveOrders.isEmpty() && roll < deleteFraction) {
            long id = removeRandomLiveOrder();
            return new Event(key(id), null);
        }
        if (!liveOrders.isEmpty() && roll < deleteFraction + updateFraction) {
            long id = liveOrders.get(random.nextInt(liveOrders.size()));
            return new Event(key(id), encoding.encode(order(id)));
        }
        long id = nextOrderId++;
        liveOrders.add(id);
        return new Event(key(id), encoding.encode(order(id)));
    }

    private long removeRandomLiveOrder() {
        int index = random.nextInt(liveOrders.size());
        long id = liveOrders.get(index);
        liveOrders.set(index, liveOrders.get(liveOrders.size() - 1));
        liveOrders.remove(liveOrders.size() - 1);
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
