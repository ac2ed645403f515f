package dev.orderpipeline.operator.api;

import com.fasterxml.jackson.annotation.JsonProperty;

/** Whether the workloads of a resource run; paused keeps the resource and its offsets, with no pods. */
public enum PipelineState {
    @JsonProperty("running") RUNNING,
    @JsonProperty("paused") PAUSED
}
