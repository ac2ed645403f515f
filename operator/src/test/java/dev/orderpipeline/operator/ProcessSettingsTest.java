package dev.orderpipeline.operator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ProcessSettingsTest {

    @Test
    void withoutLeaseSettingsTheLeaseHasKubernetesControllerManagerTiming() {
        ProcessSettings settings = ProcessSettings.fromEnvironment(Map.of("POD_NAME", "operator-0"));
        assertEquals(new LeaseTiming(Duration.ofSeconds(15), Duration.ofSeconds(10), Duration.ofSeconds(2)),
                settings.leaseTiming());
        assertEquals("operator-0", settings.identity());
    }

    @Test
    void theLeaseTimingComesFromTheEnvironmentTheChartSets() {
        ProcessSettings settings = ProcessSettings.fromEnvironment(Map.of(
                ProcessSettings.LEASE_DURATION_ENV, "1m",
                ProcessSettings.RENEW_DEADLINE_ENV, "40s",
                ProcessSettings.RETRY_PERIOD_ENV, "5000ms"));
        assertEquals(new LeaseTiming(Duration.ofMinutes(1), Duration.ofSeconds(40), Duration.ofSeconds(5)),
                settings.leaseTiming());
    }

    @Test
    void aRenewDeadlineNotShorterThanTheLeaseIsRefusedNamingBothSettings() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ProcessSettings.fromEnvironment(Map.of(
                ProcessSettings.LEASE_DURATION_ENV, "30s", ProcessSettings.RENEW_DEADLINE_ENV, "30s")));
        assertTrue(e.getMessage().contains(ProcessSettings.RENEW_DEADLINE_ENV)
                && e.getMessage().contains(ProcessSettings.LEASE_DURATION_ENV), e.getMessage());
    }

    @Test
    void aRetryPeriodThatLeavesNoSecondRenewalBeforeTheDeadlineIsRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ProcessSettings.fromEnvironment(Map.of(
                ProcessSettings.RENEW_DEADLINE_ENV, "10s", ProcessSettings.RETRY_PERIOD_ENV, "9s")));
        assertTrue(e.getMessage().contains(ProcessSettings.RETRY_PERIOD_ENV), e.getMessage());
    }

    @Test
    void aLeaseDurationThatIsNotADurationIsRefusedNamingTheSettingAndTheSyntax() {
        for (String text : new String[] {"fifteen", "0s", "-5s"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> ProcessSettings.fromEnvironment(Map.of(ProcessSettings.LEASE_DURATION_ENV, text)));
            assertTrue(e.getMessage().contains(ProcessSettings.LEASE_DURATION_ENV) && e.getMessage().contains("15s"),
                    e.getMessage());
        }
    }
}
