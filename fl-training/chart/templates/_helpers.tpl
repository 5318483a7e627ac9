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

{{/*
Seconds from a cloud's Spot notice to the end of the instance: AWS warns 2 minutes ahead; Azure's Scheduled Events
give at least 30 s before a Spot eviction. The trainer's shutdown budget must fit inside it.
*/}}
{{- define "spot-on-fl.spotNoticeSeconds" -}}
{{- get (dict "aws" 120 "azure" 30) (toString .Values.fl.cloud) -}}
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
{{- if .Values.trainer.enabled }}
{{- $notice := int (include "spot-on-fl.spotNoticeSeconds" .) }}
{{- $grace := int .Values.trainer.terminationGracePeriodSeconds }}
{{- $flush := int .Values.trainer.sigtermFlushSeconds }}
{{- $reserve := int .Values.trainer.blobFallbackReserveSeconds }}
{{- if gt $grace $notice }}
{{- fail (printf "trainer.terminationGracePeriodSeconds (%d) must be at most the %s Spot notice (%d s): the instance is gone then, flushed or not" $grace .Values.fl.cloud $notice) }}
{{- end }}
{{- if ge $flush $grace }}
{{- fail (printf "trainer.sigtermFlushSeconds (%d) must be less than trainer.terminationGracePeriodSeconds (%d)" $flush $grace) }}
{{- end }}
{{- if ge $reserve $flush }}
{{- fail (printf "trainer.sigtermFlushSeconds (%d) must be more than trainer.blobFallbackReserveSeconds (%d): the trainer starts its Blob fallback that long before the deadline" $flush $reserve) }}
{{- end }}
{{- end }}
{{- if and .Values.aggregator.enabled .Values.aggregator.backupTrigger.enabled (lt (int .Values.aggregator.minAwsTrainers) 1) }}
{{- fail "aggregator.minAwsTrainers must be at least 1 (the EKS release's trainer.replicas)" }}
{{- end }}
{{- if and .Values.aggregator.enabled (not .Values.aggregator.backupTrigger.enabled) .Values.aggregator.brainUrl }}
{{- fail "aggregator.brainUrl is set but aggregator.backupTrigger.enabled is false: unset one of them" }}
{{- end }}
{{- if and .Values.aggregator.enabled (eq .Values.aggregator.service.type "LoadBalancer") }}
{{- if ne .Values.fl.cloud "azure" }}
{{- fail "aggregator.service.type LoadBalancer is an Azure internal load balancer; it needs fl.cloud azure" }}
{{- end }}
{{- if not (regexMatch "^(25[0-5]|2[0-4][0-9]|1?[0-9]?[0-9])(\\.(25[0-5]|2[0-4][0-9]|1?[0-9]?[0-9])){3}$" (toString .Values.aggregator.service.privateIp)) }}
{{- fail (printf "aggregator.service.privateIp must be the internal load balancer's private IPv4 address (terraform output aggregator.private_ip), got %q" (toString .Values.aggregator.service.privateIp)) }}
{{- end }}
{{- end }}
{{- if not (has .Values.signingSecret.source (list "existing" "csi")) }}
{{- fail (printf "signingSecret.source must be existing or csi, got %q" (toString .Values.signingSecret.source)) }}
{{- end }}
{{- if not .Values.signingSecret.name }}
{{- fail "signingSecret.name is required (the Secret holding the HMAC signing key)" }}
{{- end }}
{{- if eq .Values.signingSecret.source "csi" }}
{{- if and (eq .Values.fl.cloud "azure") (not .Values.signingSecret.csi.azure.keyVaultName) }}
{{- fail "signingSecret.csi.azure.keyVaultName is required with signingSecret.source csi on Azure (terraform output key_vault_name)" }}
{{- end }}
{{- if and (eq .Values.fl.cloud "azure") (not .Values.azure.tenantId) }}
{{- fail "azure.tenantId is required with signingSecret.source csi on Azure" }}
{{- end }}
{{- if and (eq .Values.fl.cloud "aws") (not .Values.signingSecret.csi.aws.secretName) }}
{{- fail "signingSecret.csi.aws.secretName is required with signingSecret.source csi on AWS (the CDK output SigningSecretArn)" }}
{{- end }}
{{- if and (eq .Values.fl.cloud "aws") (not .Values.signingSecret.csi.aws.usePodIdentity) (not (hasKey (.Values.trainer.serviceAccount.annotations | default dict) "eks.amazonaws.com/role-arn")) }}
{{- fail "signingSecret.csi.aws.usePodIdentity false (IRSA) needs the eks.amazonaws.com/role-arn annotation in trainer.serviceAccount.annotations" }}
{{- end }}
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
{{- /* With source csi the driver creates this Secret when the pod's CSI volume mounts; the kubelet retries the
container until it exists. */}}
- name: SPOTON_HMAC_SECRET
  valueFrom:
    secretKeyRef:
      name: {{ .Values.signingSecret.name }}
      key: {{ .Values.signingSecret.key }}
{{- end }}

{{/* Name of a workload's SecretProviderClass. Call with the workload name (fl-trainer, fl-aggregator). */}}
{{- define "spot-on-fl.signingProviderClassName" -}}
{{- printf "%s-signing" . -}}
{{- end }}

{{/* The signing key's CSI volume and its mount (signingSecret.source csi). Call the volume with (dict "workload" ...). */}}
{{- define "spot-on-fl.signingVolume" -}}
- name: signing-secret
  csi:
    driver: secrets-store.csi.k8s.io
    readOnly: true
    volumeAttributes:
      secretProviderClass: {{ include "spot-on-fl.signingProviderClassName" .workload }}
{{- end }}

{{- define "spot-on-fl.signingVolumeMount" -}}
- name: signing-secret
  mountPath: {{ .Values.signingSecret.csi.mountPath }}
  readOnly: true
{{- end }}

{{/*
One workload's SecretProviderClass (signingSecret.source csi). Call with (dict "workload" ... "clientId" ... "what" ...
"root" $). The provider fetches the key with the mounting pod's identity: on Azure the workload identity whose client
id is named here (federated with that pod's service account, so one class per workload) unless
signingSecret.csi.azure.addonIdentityClientId names the CSI add-on's node identity; on AWS the fl-trainer service
account's Pod Identity or IRSA role. Both classes sync into the same Secret: the driver creates it on the first mount,
leaves an existing one alone, and owner-references it to every mounting pod, so it lives while any of them does.
*/}}
{{- define "spot-on-fl.signingSecretProviderClass" -}}
{{- $signing := .root.Values.signingSecret -}}
apiVersion: secrets-store.csi.x-k8s.io/v1
kind: SecretProviderClass
metadata:
  name: {{ include "spot-on-fl.signingProviderClassName" .workload }}
  namespace: {{ .root.Release.Namespace }}
  labels:
    app.kubernetes.io/name: {{ .workload }}
    {{- include "spot-on-fl.commonLabels" .root | nindent 4 }}
spec:
  {{- if eq .root.Values.fl.cloud "azure" }}
  provider: azure
  parameters:
    {{- with $signing.csi.azure.addonIdentityClientId }}
    useVMManagedIdentity: "true"
    userAssignedIdentityID: {{ include "spot-on-fl.clientId" (dict "id" . "what" "signingSecret.csi.azure.addonIdentityClientId") | quote }}
    {{- else }}
    usePodIdentity: "false"
    clientID: {{ include "spot-on-fl.clientId" (dict "id" .clientId "what" .what) | quote }}
    {{- end }}
    keyvaultName: {{ $signing.csi.azure.keyVaultName | quote }}
    tenantId: {{ .root.Values.azure.tenantId | quote }}
    objects: |
      array:
        - |
          objectName: {{ $signing.csi.azure.secretName }}
          objectType: secret
          objectAlias: {{ $signing.key }}
  {{- else }}
  provider: aws
  parameters:
    {{- with $signing.csi.aws.region }}
    region: {{ . | quote }}
    {{- end }}
    usePodIdentity: {{ ternary "true" "false" (eq (toString $signing.csi.aws.usePodIdentity) "true") | quote }}
    objects: |
      - objectName: {{ $signing.csi.aws.secretName | quote }}
        objectType: secretsmanager
        objectAlias: {{ $signing.key | quote }}
  {{- end }}
  secretObjects:
    - secretName: {{ $signing.name }}
      type: Opaque
      data:
        - objectName: {{ $signing.key }}
          key: {{ $signing.key }}
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
