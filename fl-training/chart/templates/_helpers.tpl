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
A Secrets Manager secret's ARN (keys.source csi on AWS): required, and an ARN rather than a name, so the ASCP fetches
exactly the CDK's secret. Call with (dict "arn" ... "what" "keys.csi.aws.xArn" "output" "XArn"); renders nothing.
*/}}
{{- define "spot-on-fl.secretArn" -}}
{{- $arn := .arn | default "" | toString -}}
{{- if not $arn -}}
{{- fail (printf "%s is required with keys.source csi on AWS (the CDK output %s)" .what .output) -}}
{{- end -}}
{{- if not (regexMatch "^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:[0-9]{12}:secret:.+$" $arn) -}}
{{- fail (printf "%s must be the ARN of a Secrets Manager secret (the CDK output %s), got %q" .what .output $arn) -}}
{{- end -}}
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
{{- if and .Values.trainer.enabled .Values.trainer.onDemandFallback }}
{{- if ne .Values.fl.cloud "aws" }}
{{- fail "trainer.onDemandFallback is for EKS (Karpenter's on-demand-gpu NodePool); AKS trainers already tolerate the gpuondemand pool and the brain decides when it has nodes" }}
{{- end }}
{{- range $label := list "karpenter.sh/nodepool" "karpenter.sh/capacity-type" }}
{{- if hasKey ($.Values.trainer.nodeSelector | default dict) $label }}
{{- fail (printf "trainer.onDemandFallback needs a nodeSelector both NodePools match (values-eks.yaml: spot-on.io/role: trainer); trainer.nodeSelector %s pins one of them, so the fallback would never happen" $label) }}
{{- end }}
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
{{- $keys := .Values.keys }}
{{- if not (has $keys.source (list "existing" "csi")) }}
{{- fail (printf "keys.source must be existing or csi, got %q" (toString $keys.source)) }}
{{- end }}
{{- if and .Values.trainer.enabled (not $keys.trainerSecretName) }}
{{- fail "keys.trainerSecretName is required with trainers (the Secret holding the trainers' key rings: trainer, and on AWS flush)" }}
{{- end }}
{{- if and .Values.aggregator.enabled (not $keys.aggregatorSecretName) }}
{{- fail "keys.aggregatorSecretName is required with the aggregator (the Secret holding its key rings: signal, trainer)" }}
{{- end }}
{{- if and .Values.trainer.enabled .Values.aggregator.enabled (eq (toString $keys.trainerSecretName) (toString $keys.aggregatorSecretName)) }}
{{- fail (printf "keys.trainerSecretName and keys.aggregatorSecretName are both %q: each workload needs its own Secret, so that trainers never get the signal keys" (toString $keys.trainerSecretName)) }}
{{- end }}
{{- if eq $keys.source "csi" }}
{{- if eq .Values.fl.cloud "azure" }}
{{- if not $keys.csi.azure.keyVaultName }}
{{- fail "keys.csi.azure.keyVaultName is required with keys.source csi on Azure (terraform output key_vault_name)" }}
{{- end }}
{{- if not .Values.azure.tenantId }}
{{- fail "azure.tenantId is required with keys.source csi on Azure" }}
{{- end }}
{{- if and .Values.aggregator.enabled (not $keys.csi.azure.signalKeysSecretName) }}
{{- fail "keys.csi.azure.signalKeysSecretName is required with keys.source csi on Azure and the aggregator (terraform key_vault.signal_keys_secret_name)" }}
{{- end }}
{{- if not $keys.csi.azure.trainerKeysSecretName }}
{{- fail "keys.csi.azure.trainerKeysSecretName is required with keys.source csi on Azure (terraform key_vault.trainer_keys_secret_name)" }}
{{- end }}
{{- else }}
{{- if .Values.aggregator.enabled }}
{{- fail "keys.source csi on AWS syncs the trainers' key rings only; the aggregator runs on Azure (fl.cloud azure), or use keys.source existing" }}
{{- end }}
{{- if .Values.trainer.enabled }}
{{- include "spot-on-fl.secretArn" (dict "arn" $keys.csi.aws.flushKeysSecretArn "what" "keys.csi.aws.flushKeysSecretArn" "output" "FlushKeysSecretArn") }}
{{- include "spot-on-fl.secretArn" (dict "arn" $keys.csi.aws.trainerKeysSecretArn "what" "keys.csi.aws.trainerKeysSecretArn" "output" "TrainerKeysSecretArn") }}
{{- end }}
{{- if and (not $keys.csi.aws.usePodIdentity) (not (hasKey (.Values.trainer.serviceAccount.annotations | default dict) "eks.amazonaws.com/role-arn")) }}
{{- fail "keys.csi.aws.usePodIdentity false (IRSA) needs the eks.amazonaws.com/role-arn annotation in trainer.serviceAccount.annotations" }}
{{- end }}
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
{{- include "spot-on-fl.validateDataUrl" . }}
{{- include "spot-on-fl.validateTracing" . }}
{{- end }}

{{/*
tracing.otlpEndpoint (OTEL_EXPORTER_OTLP_ENDPOINT): empty, or the http(s) base URL of an OTLP/HTTP collector. The
processes append /v1/traces themselves (protocol/tracer.ts tracesEndpoint), so a URL that already ends in it would
post to .../v1/traces/v1/traces and lose every span quietly. Set in extraEnv as well, the container would get the
variable twice.
*/}}
{{- define "spot-on-fl.validateTracing" -}}
{{- with .Values.tracing.otlpEndpoint }}
{{- $url := toString . }}
{{- if not (regexMatch "^https?://[^/\\s]+(/\\S*)?$" $url) }}
{{- fail (printf "tracing.otlpEndpoint must be the http(s) URL of an OTLP/HTTP collector, e.g. http://otel-collector.observability.svc.cluster.local:4318, got %q" $url) }}
{{- end }}
{{- if regexMatch "/v1/traces/?$" $url }}
{{- fail (printf "tracing.otlpEndpoint is the collector's base URL (OTEL_EXPORTER_OTLP_ENDPOINT): the processes append /v1/traces themselves, so drop it from %q" $url) }}
{{- end }}
{{- range $workload := list "aggregator" "trainer" }}
{{- $values := get $.Values $workload }}
{{- if and $values.enabled (hasKey ($values.extraEnv | default dict) "OTEL_EXPORTER_OTLP_ENDPOINT") }}
{{- fail (printf "%s.extraEnv.OTEL_EXPORTER_OTLP_ENDPOINT and tracing.otlpEndpoint are both set: unset one of them" $workload) }}
{{- end }}
{{- end }}
{{- end }}
{{- end }}

{{/*
data.url (SPOTON_DATA_URL): required with either workload, and in the store of the cloud the workload runs in. The
processes refuse another cloud's URL too (fl-training/data/data-store.ts requireOwnCloud), but only once a pod starts;
failing the render keeps such a release from being applied at all. Trainers follow fl.cloud; the aggregator always
reads its test set from Blob. The full syntax (bucket and container names, prefix) is left to the processes.
*/}}
{{- define "spot-on-fl.validateDataUrl" -}}
{{- $url := toString (.Values.data.url | default "") }}
{{- $storeOf := dict "aws" "s3" "azure" "blob" }}
{{- if or .Values.trainer.enabled .Values.aggregator.enabled }}
{{- if not $url }}
{{- fail "data.url is required with trainers or the aggregator: where this cloud's training data is staged (SPOTON_DATA_URL), s3://<bucket>/<prefix> on AWS (CDK output TrainingDataBucketName) or blob://<container>/<prefix> on Azure (terraform output training_data_container)" }}
{{- end }}
{{- if not (regexMatch "^(s3|blob)://[^/\\s]+(/\\S*)?$" $url) }}
{{- fail (printf "data.url must be s3://<bucket>/<prefix> or blob://<container>/<prefix>, got %q" $url) }}
{{- end }}
{{- $scheme := regexReplaceAll "://.*$" $url "" }}
{{- if and .Values.trainer.enabled (ne $scheme (get $storeOf (toString .Values.fl.cloud))) }}
{{- fail (printf "data.url %q is not in the trainers' cloud: trainers on fl.cloud %s read their data from %s:// only" $url (toString .Values.fl.cloud) (get $storeOf (toString .Values.fl.cloud))) }}
{{- end }}
{{- if and .Values.aggregator.enabled (ne $scheme "blob") }}
{{- fail (printf "data.url %q is not in Azure: the aggregator reads its test set from blob://<container>/<prefix> only" $url) }}
{{- end }}
{{- end }}
{{- end }}

{{/* The Blob store, read by both entry points (fl-training/store/open-store.ts). */}}
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
{{- end }}

{{/*
A secretKeyRef env entry for one purpose's key ring (protocol/keys.ts KEY_RING_SETTINGS). Call with (dict "env" ...
"secret" ... "purpose" ...). With keys.source csi the driver creates the Secret when the pod's CSI volume mounts; the
kubelet retries the container until it exists.
*/}}
{{- define "spot-on-fl.keyRingEnv" -}}
- name: {{ .env }}
  valueFrom:
    secretKeyRef:
      name: {{ .secret }}
      key: {{ .purpose }}
{{- end }}

{{/* The trainer's key rings: trainer (both clouds: signs its requests), flush (AWS only: verifies POST /checkpoint). */}}
{{- define "spot-on-fl.trainerKeysEnv" -}}
{{ include "spot-on-fl.keyRingEnv" (dict "env" "SPOTON_TRAINER_KEYS" "secret" .Values.keys.trainerSecretName "purpose" "trainer") }}
{{- if eq .Values.fl.cloud "aws" }}
{{ include "spot-on-fl.keyRingEnv" (dict "env" "SPOTON_FLUSH_KEYS" "secret" .Values.keys.trainerSecretName "purpose" "flush") }}
{{- end }}
{{- end }}

{{/* The aggregator's key rings: signal (signs signals to the brain), trainer (verifies the trainers' requests). */}}
{{- define "spot-on-fl.aggregatorKeysEnv" -}}
{{ include "spot-on-fl.keyRingEnv" (dict "env" "SPOTON_SIGNAL_KEYS" "secret" .Values.keys.aggregatorSecretName "purpose" "signal") }}
{{ include "spot-on-fl.keyRingEnv" (dict "env" "SPOTON_TRAINER_KEYS" "secret" .Values.keys.aggregatorSecretName "purpose" "trainer") }}
{{- end }}

{{/* Name of a workload's SecretProviderClass. Call with the workload name (fl-trainer, fl-aggregator). */}}
{{- define "spot-on-fl.keysProviderClassName" -}}
{{- printf "%s-keys" . -}}
{{- end }}

{{/* A workload's key-ring CSI volume and its mount (keys.source csi). Call the volume with (dict "workload" ...). */}}
{{- define "spot-on-fl.keysVolume" -}}
- name: keys
  csi:
    driver: secrets-store.csi.k8s.io
    readOnly: true
    volumeAttributes:
      secretProviderClass: {{ include "spot-on-fl.keysProviderClassName" .workload }}
{{- end }}

{{- define "spot-on-fl.keysVolumeMount" -}}
- name: keys
  mountPath: {{ .Values.keys.csi.mountPath }}
  readOnly: true
{{- end }}

{{/*
One workload's SecretProviderClass (keys.source csi). Call with (dict "workload" ... "secretName" ... "purposes" (list
...) "clientId" ... "what" ... "root" $). It fetches only the named purposes' key rings, and syncs them into only
that workload's Secret, each under its purpose's name:
- Azure: the Key Vault secrets keys.csi.azure.<purpose>KeysSecretName, with the mounting pod's identity: the
  workload identity whose client id is named here (federated with that pod's service account, so one class per
  workload) unless keys.csi.azure.addonIdentityClientId names the CSI add-on's node identity;
- AWS: the Secrets Manager secrets keys.csi.aws.<purpose>KeysSecretArn, with the fl-trainer service account's Pod
  Identity or IRSA role.
The driver creates the Secret on the first mount, leaves an existing one alone, and owner-references it to every
mounting pod, so it lives while any of them does.
*/}}
{{- define "spot-on-fl.keysSecretProviderClass" -}}
{{- $keys := .root.Values.keys -}}
apiVersion: secrets-store.csi.x-k8s.io/v1
kind: SecretProviderClass
metadata:
  name: {{ include "spot-on-fl.keysProviderClassName" .workload }}
  namespace: {{ .root.Release.Namespace }}
  labels:
    app.kubernetes.io/name: {{ .workload }}
    {{- include "spot-on-fl.commonLabels" .root | nindent 4 }}
spec:
  {{- if eq .root.Values.fl.cloud "azure" }}
  provider: azure
  parameters:
    {{- with $keys.csi.azure.addonIdentityClientId }}
    useVMManagedIdentity: "true"
    userAssignedIdentityID: {{ include "spot-on-fl.clientId" (dict "id" . "what" "keys.csi.azure.addonIdentityClientId") | quote }}
    {{- else }}
    usePodIdentity: "false"
    clientID: {{ include "spot-on-fl.clientId" (dict "id" .clientId "what" .what) | quote }}
    {{- end }}
    keyvaultName: {{ $keys.csi.azure.keyVaultName | quote }}
    tenantId: {{ .root.Values.azure.tenantId | quote }}
    objects: |
      array:
        {{- range .purposes }}
        - |
          objectName: {{ get $keys.csi.azure (printf "%sKeysSecretName" .) }}
          objectType: secret
          objectAlias: {{ . }}
        {{- end }}
  {{- else }}
  provider: aws
  parameters:
    {{- with $keys.csi.aws.region }}
    region: {{ . | quote }}
    {{- end }}
    usePodIdentity: {{ ternary "true" "false" (eq (toString $keys.csi.aws.usePodIdentity) "true") | quote }}
    objects: |
      {{- range .purposes }}
      - objectName: {{ get $keys.csi.aws (printf "%sKeysSecretArn" .) | quote }}
        objectType: secretsmanager
        objectAlias: {{ . | quote }}
      {{- end }}
  {{- end }}
  secretObjects:
    - secretName: {{ .secretName }}
      type: Opaque
      data:
        {{- range .purposes }}
        - objectName: {{ . }}
          key: {{ . }}
        {{- end }}
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

{{/*
Pod template annotations: prometheus.io/scrape, port and path (metrics.podAnnotations) under the user's, which win.
Call with (dict "annotations" .Values.<workload>.podAnnotations "port" .Values.<workload>.port "root" $).
*/}}
{{- define "spot-on-fl.podAnnotations" -}}
{{- $annotations := deepCopy (.annotations | default dict) -}}
{{- if .root.Values.metrics.podAnnotations.enabled -}}
{{- $annotations = merge $annotations (dict "prometheus.io/scrape" "true" "prometheus.io/port" (toString .port) "prometheus.io/path" "/metrics") -}}
{{- end -}}
{{- with $annotations -}}
annotations:
  {{- toYaml . | nindent 2 }}
{{- end -}}
{{- end }}
