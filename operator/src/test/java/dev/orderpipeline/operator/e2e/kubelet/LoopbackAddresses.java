package dev.orderpipeline.operator.e2e.kubelet;

import java.util.HashSet;
import java.util.Set;

/**
 * Gives each pod its own loopback address, 127.0.0.N (every 127.0.0.0/8 address reaches the loopback
 * interface on Linux), so that two pods can both listen on their container port. 127.0.0.1 is the
 * node's (hostIP) and never given to a pod; a released address is reused last.
 */
final class LoopbackAddresses {
    private static final int FIRST = 10;
    private static final int LAST = 250;
    private final Set<Integer> inUse = new HashSet<>();
    private int next = FIRST;

    synchronized String allocate() {
        for (int i = 0; i <= LAST - FIRST; i++) {
            int candidate = next;
            next = next == LAST ? FIRST : next + 1;
            if (inUse.add(candidate)) {
                return "127.0.0." + candidate;
            }
        }
        throw new IllegalStateException("no free loopback address for a pod (" + inUse.size() + " pods running)");
    }

    synchronized void release(String address) {
        inUse.remove(Integer.parseInt(address.substring(address.lastIndexOf('.') + 1)));
    }
}
