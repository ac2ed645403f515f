package dev.orderpipeline.operator.dependent;

import dev.orderpipeline.operator.api.DbtSpec;
import dev.orderpipeline.operator.api.OrderPipeline;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import io.javaoperatorsdk.operator.api.config.informer.InformerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.processing.dependent.Creator;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependentResource;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependentResourceConfigBuilder;
import io.javaoperatorsdk.operator.processing.dependent.workflow.Condition;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.SecondaryToPrimaryMapper;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The one-shot dbt run requested by {@code dbt.runNonce}: one Job named after the nonce, owned by the
 * OrderPipeline. It is only ever created, never updated (a Job's template is immutable, and a run is a
 * run of the spec as it was when it was requested), and not created again once the status reports it,
 * so a finished Job that is deleted does not run dbt a second time. Older manual Jobs are removed by
 * {@code DbtRuns}, which keeps only the latest.
 *
 * <p>Its informer watches every dbt Job of the operator, including those the CronJob starts (owned by
 * the CronJob, not by the pipeline): they are mapped to their pipeline by label, so the reconciler sees
 * every run finish.
 */
public class DbtJobDependent extends KubernetesDependentResource<Job, OrderPipeline>
        implements Creator<Job, OrderPipeline>, SecondaryToPrimaryMapper<Job> {

    /** Reconcile precondition: a nonce is set whose run the status does not report yet. */
    public static final Condition<Job, OrderPipeline> REQUESTED = (dependent, pipeline, context) ->
            requestedJobName(pipeline).isPresent();

    public DbtJobDependent() {
        super(Job.class);
        configureWith(new KubernetesDependentResourceConfigBuilder<Job>()
                .withKubernetesDependentInformerConfig(InformerConfiguration.builder(Job.class)
                        .withLabelSelector(DbtResources.JOB_SELECTOR)
                        .withNamespacesInheritedFromController()
                        .build())
                .build());
    }

    /** The Job name of the run {@code dbt.runNonce} asks for, unless that run is already reported. */
    public static Optional<String> requestedJobName(OrderPipeline pipeline) {
        Optional<DbtSpec> dbt = DbtResources.active(pipeline);
        if (dbt.isEmpty() || dbt.get().runNonce() == null || dbt.get().runNonce().isEmpty()) {
            return Optional.empty();
        }
        String name = DbtResources.jobName(pipeline, dbt.get().runNonce());
        boolean reported = pipeline.getStatus() != null && pipeline.getStatus().dbt() != null
                && pipeline.getStatus().dbt().lastRun() != null
                && name.equals(pipeline.getStatus().dbt().lastRun().job());
        return reported ? Optional.empty() : Optional.of(name);
    }

    @Override
    protected Job desired(OrderPipeline pipeline, Context<OrderPipeline> context) {
        DbtSpec dbt = DbtResources.active(pipeline).orElseThrow(() -> new IllegalStateException(
                "the Job is only rendered while dbt.image is set"));
        return new JobBuilder()
                .withNewMetadata()
                .withName(DbtResources.jobName(pipeline, dbt.runNonce()))
                .withNamespace(pipeline.getMetadata().getNamespace())
                .withLabels(DbtResources.labels(pipeline, DbtResources.TRIGGER_MANUAL))
                .withAnnotations(Map.of(DbtResources.RUN_NONCE_ANNOTATION, dbt.runNonce()))
                .endMetadata()
                .withSpec(DbtResources.jobSpec(pipeline, dbt, DbtResources.TRIGGER_MANUAL))
                .build();
    }

    /** Owned by the pipeline, so deleted with it, although this dependent never deletes by itself. */
    @Override
    protected boolean addOwnerReference() {
        return true;
    }

    @Override
    protected ResourceID targetSecondaryResourceID(OrderPipeline pipeline, Context<OrderPipeline> context) {
        String nonce = DbtResources.active(pipeline).map(DbtSpec::runNonce).orElse("");
        return new ResourceID(DbtResources.jobName(pipeline, nonce), pipeline.getMetadata().getNamespace());
    }

    /** Manual and scheduled dbt Jobs alike, to the pipeline their labels name. */
    @Override
    public Set<ResourceID> toPrimaryResourceIDs(Job job) {
        return DbtResources.pipelineOf(job.getMetadata().getLabels())
                .map(name -> Set.of(new ResourceID(name, job.getMetadata().getNamespace())))
                .orElse(Set.of());
    }
}
