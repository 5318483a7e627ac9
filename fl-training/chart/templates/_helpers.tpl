{{/*
Names are fixed, not release-prefixed: the interruption Lambda selects app.kubernetes.io/name=fl-trainer, the
failover functions scale the Deployment fl-trainer, and the workload identities trust the service accounts
fl-aggregator and fl-trainer by name.
*/}}
{{- define "spot-on-fl.trainer.name" -}}
fl-trainer
{{- end }}

{{- define "spot-on-fl.aggregator.name" -}}
fl-aggregator
{{- end }}

{{- define "spot-on-fl.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "spot-on-fl.commonLabels" -}}
helm.sh/chart: {{ include "spot-on-fl.chart" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: spot-on
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
{{- end }}

{{- define "spot-on-fl.trainer.selectorLabels" -}}
app.kubernetes.io/name: {{ include "spot-on-fl.trainer.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "spot-on-fl.trainer.labels" -}}
app.kubernetes.io/name: {{ include "spot-on-fl.trainer.name" . }}
app.kubernetes.io/component: trainer
{{ include "spot-on-fl.commonLabels" . }}
{{- end }}

{{/* Pod template labels leave out the chart version: a chart bump alone must not restart trainers mid-round. */}}
{{- define "spot-on-fl.trainer.podLabels" -}}
{{ include "spot-on-fl.trainer.selectorLabels" . }}
app.kubernetes.io/component: trainer
app.kubernetes.io/part-of: spot-on
{{- end }}

{{- define "spot-on-fl.aggregator.selectorLabels" -}}
app.kubernetes.io/name: {{ include "spot-on-fl.aggregator.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "spot-on-fl.aggregator.labels" -}}
app.kubernetes.io/name: {{ include "spot-on-fl.aggregator.name" . }}
app.kubernetes.io/component: aggregator
{{ include "spot-on-fl.commonLabels" . }}
{{- end }}

{{- define "spot-on-fl.aggregator.podLabels" -}}
{{ include "spot-on-fl.aggregator.selectorLabels" . }}
app.kubernetes.io/component: aggregator
app.kubernetes.io/part-of: spot-on
{{- end }}

{{/* repository@digest, or repository:tag (tag defaults to the chart's appVersion). Call with (dict "image" ... "root" $). */}}
{{- define "spot-on-fl.image" -}}
{{- if .image.digest -}}
{{- printf "%s@%s" .image.repository .image.digest -}}
{{- else -}}
{{- printf "%s:%s" .image.repository (.image.tag | default .root.Chart.AppVersion) -}}
{{- end -}}
{{- end }}

{{/* A workload identity's client id, which must be a GUID. Call with (dict "id" ... "what" "azure.xClientId"). */}}
{{- define "spot-on-fl.clientId" -}}
{{- $id := .id | default "" | toString -}}
{{- if not (regexMatch "^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$" $id) -}}
{{- fail (printf "%s must be the client id (a GUID) of the workload identity (terraform output workload_identity_client_ids), got %q" .what $id) -}}
{{- end -}}
{{- $id -}}
{{- end }}

{{/* Fails the render early, with the setting's name, on values that would only break at run time. */}}
{{- define "spot-on-fl.validate" -}}
{{- if not (has .Values.fl.cloud (list "aws" "azure")) }}
{{- fail (printf "fl.cloud must be aws or azure, got %q" (toString .Values.fl.cloud)) }}
{{- end }}
{{- if and .Values.aggregator.enabled (not .Values.fl.runId) }}
{{- fail "fl.runId is required with the aggregator (the FL run, e.g. fl-demo-001)" }}
{{- end }}
{{- if and .Values.trainer.enabled (not .Values.fl.aggregatorUrl) }}
{{- fail "fl.aggregatorUrl is required when trainer.enabled (where trainers reach the aggregator)" }}
{{- end }}
{{- if and .Values.trainer.enabled (not .Values.fl.shard) }}
{{- fail "fl.shard is required when trainer.enabled (the data shard the trainers train, e.g. shard-0)" }}
{{- end }}
{{- if and .Values.trainer.enabled (ge (int .Values.trainer.sigtermFlushSeconds) (int .Values.trainer.terminationGracePeriodSeconds)) }}
{{- fail "trainer.sigtermFlushSeconds must be less than trainer.terminationGracePeriodSeconds" }}
{{- end }}
{{- if not .Values.signing.existingSecret }}
{{- fail "signing.existingSecret is required (the Secret holding the HMAC signing key)" }}
{{- end }}
{{- if and .Values.storage.accountUrl .Values.storage.existingSecret }}
{{- fail "set storage.accountUrl (Entra ID) or storage.existingSecret (a connection string), not both" }}
{{- end }}
{{- if and .Values.aggregator.enabled (not .Values.storage.accountUrl) (not .Values.storage.existingSecret) }}
{{- fail "the aggregator needs a store: storage.accountUrl (Entra ID) or storage.existingSecret (a connection string)" }}
{{- end }}
{{- if and .Values.azure.workloadIdentity.enabled .Values.azure.federatedTokenProjection.enabled }}
{{- fail "azure.workloadIdentity (AKS webhook) and azure.federatedTokenProjection (outside AKS) exclude each other" }}
{{- end }}
{{- if and .Values.azure.federatedTokenProjection.enabled (not .Values.azure.tenantId) }}
{{- fail "azure.tenantId is required with azure.federatedTokenProjection" }}
{{- end }}
{{- end }}

{{/* Blob store and signing key, read by both entry points (fl-training/store/open-store.ts, settings). */}}
{{- define "spot-on-fl.storeEnv" -}}
- name: SPOTON_BLOB_CONTAINER
  value: {{ .Values.storage.container | quote }}
{{- with .Values.storage.accountUrl }}
- name: SPOTON_BLOB_ACCOUNT_URL
  value: {{ . | quote }}
{{- end }}
{{- with .Values.storage.existingSecret }}
- name: SPOTON_BLOB_CONNECTION_STRING
  valueFrom:
    secretKeyRef:
      name: {{ . }}
      key: {{ $.Values.storage.connectionStringKey }}
{{- end }}
- name: SPOTON_HMAC_SECRET
  valueFrom:
    secretKeyRef:
      name: {{ .Values.signing.existingSecret }}
      key: {{ .Values.signing.secretKey }}
{{- end }}

{{/* Entra token projected by the chart itself (outside AKS). Call with (dict "clientId" ... "what" ... "root" $). */}}
{{- define "spot-on-fl.federatedTokenEnv" -}}
- name: AZURE_CLIENT_ID
  value: {{ include "spot-on-fl.clientId" (dict "id" .clientId "what" .what) | quote }}
- name: AZURE_TENANT_ID
  value: {{ .root.Values.azure.tenantId | quote }}
- name: AZURE_AUTHORITY_HOST
  value: {{ .root.Values.azure.federatedTokenProjection.authorityHost | quote }}
- name: AZURE_FEDERATED_TOKEN_FILE
  value: /var/run/secrets/azure/tokens/azure-identity-token
{{- end }}

{{- define "spot-on-fl.federatedTokenVolume" -}}
- name: azure-identity-token
  projected:
    sources:
      - serviceAccountToken:
          path: azure-identity-token
          audience: {{ .Values.azure.federatedTokenProjection.audience | quote }}
          expirationSeconds: {{ .Values.azure.federatedTokenProjection.expirationSeconds }}
{{- end }}

{{/* Service account annotations: the user's plus the workload identity's client (and tenant) id on AKS. */}}
{{- define "spot-on-fl.serviceAccountAnnotations" -}}
{{- $annotations := deepCopy (.annotations | default dict) -}}
{{- if .root.Values.azure.workloadIdentity.enabled -}}
{{- $_ := set $annotations "azure.workload.identity/client-id" (include "spot-on-fl.clientId" (dict "id" .clientId "what" .what)) -}}
{{- with .root.Values.azure.tenantId -}}
{{- $_ := set $annotations "azure.workload.identity/tenant-id" . -}}
{{- end -}}
{{- end -}}
{{- with $annotations -}}
{{- toYaml . -}}
{{- end -}}
{{- end }}
