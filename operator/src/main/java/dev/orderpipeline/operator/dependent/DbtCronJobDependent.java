package dev.orderpipeline.operator.dependent;

import dev.orderpipeline.operator.api.DbtSpec;
import dev.orderpipeline.operator.api.OrderPipeline;
import io.fabric8.kubernetes.api.model.batch.v1.CronJob;
import io.fabric8.kubernetes.api.model.batch.v1.CronJobBuilder;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.CRUDKubernetesDependentResource;
import io.javaoperatorsdk.operator.processing.dependent.workflow.Condition;
import io.javaoperatorsdk.operator.processing.event.ResourceID;

/**
 * The scheduled dbt runs: a CronJob owned by the OrderPipeline, present while {@code dbt.image} and
 * {@code dbt.schedule} are set (removed when either goes). Forbid: a run still going when the next is due
 * makes that one skip, so two dbt builds never write the same models at once.
 */
public class DbtCronJobDependent extends CRUDKubernetesDependentResource<CronJob, OrderPipeline> {
    /** Reconcile precondition: the CronJob exists only while a schedule is set. */
    public static final Condition<CronJob, OrderPipeline> SCHEDULED = (dependent, pipeline, context) ->
            DbtResources.active(pipeline).map(DbtSpec::schedule).filter(s -> !s.isBlank()).isPresent();

    public DbtCronJobDependent() {
        super(CronJob.class);
        configureWith(DependentInformers.managedOnly(CronJob.class));
    }

    @Override
    protected CronJob desired(OrderPipeline pipeline, Context<OrderPipeline> context) {
        DbtSpec dbt = DbtResources.active(pipeline).orElseThrow(() -> new IllegalStateException(
                "the CronJob is only rendered while dbt.image is set"));
        return new CronJobBuilder()
                .withNewMetadata()
                .withName(DbtResources.cronJobName(pipeline))
                .withNamespace(pipeline.getMetadata().getNamespace())
                .withLabels(DbtResources.labels(pipeline, DbtResources.TRIGGER_SCHEDULE))
                .endMetadata()
                .withNewSpec()
                .withSchedule(dbt.schedule())
                .withConcurrencyPolicy("Forbid")
                // A paused pipeline loads nothing, so its scheduled transformations wait too.
                .withSuspend(pipeline.getSpec().paused())
                .withSuccessfulJobsHistoryLimit(DbtResources.SUCCESSFUL_JOBS_HISTORY)
                .withFailedJobsHistoryLimit(DbtResources.FAILED_JOBS_HISTORY)
                // A run missed by more than this (operator or controller down) is skipped, not started late.
                .withStartingDeadlineSeconds(600L)
                .withNewJobTemplate()
                .withNewMetadata().withLabels(DbtResources.labels(pipeline, DbtResources.TRIGGER_SCHEDULE)).endMetadata()
                .withSpec(DbtResources.jobSpec(pipeline, dbt, DbtResources.TRIGGER_SCHEDULE))
                .endJobTemplate()
                .endSpec()
                .build();
    }

    /** By name, so that removing the schedule deletes the CronJob without rendering it. */
    @Override
    protected ResourceID targetSecondaryResourceID(OrderPipeline pipeline, Context<OrderPipeline> context) {
        return new ResourceID(DbtResources.cronJobName(pipeline), pipeline.getMetadata().getNamespace());
    }
}
