package dev.orderpipeline.operator.e2e.kubelet;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Probe;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;

/**
 * One declared probe of one container, run as the kubelet runs it: {@code httpGet} (HTTP, success is
 * 200–399) or {@code tcpSocket} against the pod's address, every {@code periodSeconds} after
 * {@code initialDelaySeconds}, {@code failureThreshold} failures in a row to fail, {@code successThreshold}
 * successes to pass. {@code exec} and {@code grpc} probes are not run (they fail, saying so).
 */
final class Probes {
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private final Probe probe;
    private final Container container;
    private final String podIP;
    private Instant due;
    private int failures;
    private int successes;
    private Boolean passing;
    private String lastFailure = "";

    Probes(Probe probe, Container container, String podIP, Instant started) {
        this.probe = probe;
        this.container = container;
        this.podIP = podIP;
        this.due = started.plusSeconds(orDefault(probe.getInitialDelaySeconds(), 0));
    }

    /** Runs the probe if it is due; returns whether the result changed (passing, failing, or still unknown). */
    boolean tick(Instant now) {
        if (now.isBefore(due)) {
            return false;
        }
        due = now.plusSeconds(orDefault(probe.getPeriodSeconds(), 10));
        boolean ok = once();
        Boolean before = passing;
        if (ok) {
            failures = 0;
            successes++;
            if (successes >= orDefault(probe.getSuccessThreshold(), 1)) {
                passing = true;
            }
        } else {
            successes = 0;
            failures++;
            if (failures >= orDefault(probe.getFailureThreshold(), 3)) {
                passing = false;
            }
        }
        return before != passing;
    }

    /** True once passed, false once failed past its threshold, null before either. */
    Boolean passing() {
        return passing;
    }

    String lastFailure() {
        return lastFailure;
    }

    private boolean once() {
        int timeout = orDefault(probe.getTimeoutSeconds(), 1);
        try {
            if (probe.getHttpGet() != null) {
                var get = probe.getHttpGet();
                if (get.getScheme() != null && !"HTTP".equalsIgnoreCase(get.getScheme())) {
                    lastFailure = "HTTPS probes are not run by the process kubelet";
                    return false;
                }
                String host = get.getHost() == null || get.getHost().isEmpty() ? podIP : get.getHost();
                String path = get.getPath() == null ? "/" : get.getPath();
                HttpResponse<Void> response = HTTP.send(HttpRequest.newBuilder(
                                URI.create("http://" + host + ":" + port(get.getPort()) + path))
                        .timeout(Duration.ofSeconds(timeout)).GET().build(), HttpResponse.BodyHandlers.discarding());
                boolean ok = response.statusCode() >= 200 && response.statusCode() < 400;
                lastFailure = ok ? "" : "HTTP probe failed with statuscode: " + response.statusCode();
                return ok;
            }
            if (probe.getTcpSocket() != null) {
                try (Socket socket = new Socket()) {
                    socket.connect(new InetSocketAddress(podIP, port(probe.getTcpSocket().getPort())), timeout * 1000);
                    lastFailure = "";
                    return true;
                }
            }
            lastFailure = "exec and grpc probes are not run by the process kubelet";
            return false;
        } catch (IOException e) {
            lastFailure = "Get \"http://" + podIP + "\": " + e.getClass().getSimpleName() + ": " + e.getMessage();
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private int port(IntOrString port) {
        if (port.getIntVal() != null) {
            return port.getIntVal();
        }
        for (ContainerPort p : container.getPorts()) {
            if (port.getStrVal().equals(p.getName())) {
                return p.getContainerPort();
            }
        }
        throw new IllegalStateException("probe port " + port.getStrVal() + " names no port of container " + container.getName());
    }

    private static int orDefault(Integer value, int fallback) {
        return value == null ? fallback : value;
    }
}
