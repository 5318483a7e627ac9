variable "function_app" {
  type = object({
    name                   = optional(string)
    runtime_version        = optional(string, "22")
    maximum_instance_count = optional(number, 40)
    instance_memory_in_mb  = optional(number, 2048)
    run_id                 = string
    min_aws_trainers       = optional(number, 1)
    trainer_deployment     = optional(string, "fl-trainer")
    aks_role               = optional(string, "custom")
    extra_app_settings     = optional(map(string), {})
  })
  description = <<-EOT
    The failover brain: a Node.js Azure Functions app on the Flex Consumption plan, VNet-integrated into the spoke and
    reachable only through its private endpoint (the AWS Lambdas call it over the VPN).
    - `name`: globally unique app name; defaults to `<prefix>-func`.
    - `runtime_version`: Node.js major version (22).
    - `maximum_instance_count` / `instance_memory_in_mb`: Flex Consumption scale limits (memory 512, 2048 or 4096).
    - `run_id`: the FL run this deployment serves (SPOTON_RUN_ID).
    - `min_aws_trainers`: the fewest AWS trainers the brain accepts before it treats AWS capacity as lost
      (SPOTON_MIN_AWS_TRAINERS).
    - `trainer_deployment`: the Azure trainer Deployment the brain scales in `aks.trainer_namespace`
      (SPOTON_TRAINER_DEPLOYMENT; the chart's `fl-trainer`).
    - `aks_role`: `custom` grants only agent-pool read/write on the cluster (default); `builtin` grants "Azure Kubernetes
      Service Contributor Role", which can also rewrite the whole cluster. Either way the brain reaches the Kubernetes API
      with "Azure Kubernetes Service RBAC Writer" on the trainer namespace only.
    - `extra_app_settings`: more settings; storage keys and connection strings are rejected.
  EOT

  validation {
    condition     = var.function_app.name == null || can(regex("^[a-z0-9][a-z0-9-]{0,30}[a-z0-9]$", coalesce(var.function_app.name, "x")))
    error_message = "function_app.name must be 2-32 lowercase letters, digits and hyphens (Flex Consumption host-ID limit)."
  }
  validation {
    condition     = contains(["20", "22"], var.function_app.runtime_version)
    error_message = "function_app.runtime_version must be a Node.js major version that Flex Consumption runs: 20 or 22."
  }
  validation {
    condition     = var.function_app.maximum_instance_count >= 1 && var.function_app.maximum_instance_count <= 1000
    error_message = "function_app.maximum_instance_count must be between 1 and 1000."
  }
  validation {
    condition     = contains([512, 2048, 4096], var.function_app.instance_memory_in_mb)
    error_message = "function_app.instance_memory_in_mb must be 512, 2048 or 4096."
  }
  validation {
    condition     = can(regex("^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$", var.function_app.run_id))
    error_message = "function_app.run_id must be 1-63 letters, digits, periods, underscores or hyphens, starting with a letter or digit (it is a blob path segment, as protocol/blob-layout.ts checks)."
  }
  validation {
    condition     = var.function_app.min_aws_trainers >= 0 && var.function_app.min_aws_trainers <= 1000 && floor(var.function_app.min_aws_trainers) == var.function_app.min_aws_trainers
    error_message = "function_app.min_aws_trainers must be a whole number between 0 and 1000."
  }
  validation {
    condition     = can(regex("^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$", var.function_app.trainer_deployment))
    error_message = "function_app.trainer_deployment must be a Kubernetes object name (lowercase letters, digits, hyphens and periods)."
  }
  validation {
    condition     = contains(["custom", "builtin"], var.function_app.aks_role)
    error_message = "function_app.aks_role must be custom or builtin."
  }
  validation {
    condition = alltrue([
      for key, value in var.function_app.extra_app_settings :
      !can(regex("(?i)^(AzureWebJobsStorage|DEPLOYMENT_STORAGE_CONNECTION_STRING)$", key)) &&
      !can(regex("(?i)AccountKey=|SharedAccessSignature=", value))
    ])
    error_message = "function_app.extra_app_settings must not carry storage keys, SAS tokens or key-based connection strings; storage access is by managed identity."
  }
}

variable "otlp_endpoint" {
  type        = string
  default     = null
  description = <<-EOT
    OpenTelemetry: the OTLP/HTTP base URL the brain sends its spans to (app setting OTEL_EXPORTER_OTLP_ENDPOINT; the
    functions append /v1/traces, protocol/tracer.ts), e.g. `http://10.101.7.253:4318`: an OpenTelemetry Collector with
    the `azuremonitor` exporter that the app reaches through its VNet integration (a private address in the spoke, such
    as an internal load balancer in front of the collector on AKS; in-cluster `svc.cluster.local` names do not resolve
    there). null (the default): the setting is not written and the brain sends no spans.
  EOT

  validation {
    condition     = var.otlp_endpoint == null || can(regex("^https?://[^/\\s]+(/\\S*)?$", coalesce(var.otlp_endpoint, "x")))
    error_message = "otlp_endpoint must be null or the http(s) URL of an OTLP/HTTP collector, e.g. http://10.101.7.253:4318."
  }
  validation {
    condition     = var.otlp_endpoint == null || !can(regex("/v1/traces/?$", coalesce(var.otlp_endpoint, "x")))
    error_message = "otlp_endpoint is the collector's base URL (OTEL_EXPORTER_OTLP_ENDPOINT): the functions append /v1/traces themselves, so leave it off."
  }
  validation {
    condition     = var.otlp_endpoint == null || !contains(keys(var.function_app.extra_app_settings), "OTEL_EXPORTER_OTLP_ENDPOINT")
    error_message = "otlp_endpoint and function_app.extra_app_settings.OTEL_EXPORTER_OTLP_ENDPOINT are both set: unset one of them."
  }
}
