{{/* Chart name, at most 63 characters. */}}
{{- define "opl.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Full name of the release's objects, at most 63 characters. */}}
{{- define "opl.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "opl.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Labels selecting the operator pods; never change them after a release (Deployment selectors are immutable). */}}
{{- define "opl.selectorLabels" -}}
app.kubernetes.io/name: {{ include "opl.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "opl.labels" -}}
helm.sh/chart: {{ include "opl.chart" . }}
{{ include "opl.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/component: operator
app.kubernetes.io/part-of: order-pipeline
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{- define "opl.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "opl.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- required "serviceAccount.name is required when serviceAccount.create is false" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/* repository:tag, or repository@digest when a digest is given. Argument: dict "image" <values> "default" <tag>. */}}
{{- define "opl.imageRef" -}}
{{- if .image.digest }}
{{- printf "%s@%s" .image.repository .image.digest }}
{{- else }}
{{- printf "%s:%s" .image.repository (default .default .image.tag) }}
{{- end }}
{{- end }}

{{- define "opl.image" -}}
{{- include "opl.imageRef" (dict "image" .Values.image "default" .Chart.AppVersion) }}
{{- end }}

{{- define "opl.runtimeImage" -}}
{{- include "opl.imageRef" (dict "image" .Values.runtimeImage "default" .Chart.AppVersion) }}
{{- end }}

{{- define "opl.leaseName" -}}
{{- default (include "opl.fullname" .) .Values.leaderElection.leaseName }}
{{- end }}

{{- define "opl.datadogService" -}}
{{- default (include "opl.fullname" .) .Values.datadog.service }}
{{- end }}

{{- define "opl.datadogVersion" -}}
{{- default (default .Chart.AppVersion .Values.image.tag) .Values.datadog.version }}
{{- end }}

{{/* Datadog unified service tagging labels (only when datadog.enabled). */}}
{{- define "opl.datadogLabels" -}}
{{- if .Values.datadog.enabled }}
{{- with .Values.datadog.env }}
tags.datadoghq.com/env: {{ . | quote }}
{{- end }}
tags.datadoghq.com/service: {{ include "opl.datadogService" . | quote }}
tags.datadoghq.com/version: {{ include "opl.datadogVersion" . | quote }}
{{- end }}
{{- end }}

{{/*
The rules the operator needs in every namespace it watches, and nothing more. Each rule names the
code that needs it; keep this list and the code in step (HelmChartTest asserts it exactly). Children
are applied with server-side apply (a PATCH, plus create for the first apply) and deleted by the
garbage collector through their owner references, so no rule grants update or delete for them
unless a code path below does a PUT or a DELETE itself.
*/}}
{{- define "opl.watchedNamespaceRules" -}}
# Informers on the primary resources. The operator never writes their spec or metadata (no finalizer).
- apiGroups: ["orderpipeline.dev"]
  resources: ["orderpipelines", "cdcsyncs"]
  verbs: ["get", "list", "watch"]
# Status through the status subresource only: JOSDK patches it (server-side apply), never a PUT.
- apiGroups: ["orderpipeline.dev"]
  resources: ["orderpipelines/status", "cdcsyncs/status"]
  verbs: ["patch"]
# Loader and replicator settings. JOSDK leaves ConfigMaps out of server-side apply by default
# (ConfigurationService.defaultNonSSAResources), so it creates them and replaces them with a PUT.
- apiGroups: [""]
  resources: ["configmaps"]
  verbs: ["get", "list", "watch", "create", "update"]
# Loader and replicator Deployments: server-side apply.
- apiGroups: ["apps"]
  resources: ["deployments"]
  verbs: ["get", "list", "watch", "create", "patch"]
# Pausing a Stalled pipeline scales its loaders to zero through the scale subresource (the workflow
# does not run while the spec or a Secret is broken).
- apiGroups: ["apps"]
  resources: ["deployments/scale"]
  verbs: ["patch", "update"]
# PodDisruptionBudgets of the loaders and the replicator (one pod evicted at a time): server-side apply.
- apiGroups: ["policy"]
  resources: ["poddisruptionbudgets"]
  verbs: ["get", "list", "watch", "create", "patch"]
# dbt: the CronJob is applied, and deleted when spec.dbt.schedule is removed (a reconcile
# precondition); a Job is applied per runNonce, and superseded manual runs are deleted (DbtRuns).
- apiGroups: ["batch"]
  resources: ["cronjobs", "jobs"]
  verbs: ["get", "list", "watch", "create", "patch", "delete"]
# Loader pods: listed by label for their IPs, to read each pod's /status (no informer, no get).
- apiGroups: [""]
  resources: ["pods"]
  verbs: ["list"]
# Secret references are checked by name (exists, has the key); Secrets are never listed or watched.
# With watchNamespaces set this rule exists only in those namespaces' Roles.
- apiGroups: [""]
  resources: ["secrets"]
  verbs: ["get"]
# Events on transitions (Stalled, Recovered, Paused, Scaled...): created, never updated.
- apiGroups: [""]
  resources: ["events"]
  verbs: ["create"]
{{- end }}
