# Alerts on the failover brain, from the function app's requests in Application Insights: a brain that fails (5xx,
# or a continuation that throws) or refuses signals (401/403: a key ring out of step with AWS, or forged requests)
# cannot fail over, and nothing else would say so before the next outage. Log alerts over the workspace-based
# Application Insights; the action group exists only when someone is named to receive them.

locals {
  brain_alerts = {
    failures = {
      description = "The failover brain answered 5xx or a continuation failed: failovers may stall."
      severity    = 1
      query       = <<-KQL
        requests
        | where toint(resultCode) >= 500 or (name == "continuation" and success == false)
      KQL
    }
    refused-signals = {
      description = "The failover brain refused signed signals (401/403): the signal key rings of AWS and Azure may be out of step."
      severity    = 2
      query       = <<-KQL
        requests
        | where name == "signals" and resultCode in ("401", "403")
      KQL
    }
  }
}

resource "azurerm_monitor_action_group" "brain" {
  count = length(var.monitoring.alert_emails) > 0 ? 1 : 0

  name                = "${var.name_prefix}-brain-alerts"
  resource_group_name = var.resource_group_name
  short_name          = "spoton"
  tags                = local.tags

  dynamic "email_receiver" {
    for_each = toset(var.monitoring.alert_emails)

    content {
      name                    = "email-${index(var.monitoring.alert_emails, email_receiver.value)}"
      email_address           = email_receiver.value
      use_common_alert_schema = true
    }
  }
}

resource "azurerm_monitor_scheduled_query_rules_alert_v2" "brain" {
  for_each = local.brain_alerts

  name                 = "${var.name_prefix}-brain-${each.key}"
  location             = var.location
  resource_group_name  = var.resource_group_name
  description          = each.value.description
  severity             = each.value.severity
  scopes               = [azurerm_application_insights.functions.id]
  evaluation_frequency = "PT5M"
  window_duration      = "PT5M"
  tags                 = local.tags

  criteria {
    query                   = each.value.query
    time_aggregation_method = "Count"
    operator                = "GreaterThan"
    threshold               = 0

    failing_periods {
      minimum_failing_periods_to_trigger_alert = 1
      number_of_evaluation_periods             = 1
    }
  }

  auto_mitigation_enabled = true

  dynamic "action" {
    for_each = azurerm_monitor_action_group.brain

    content {
      action_groups = [action.value.id]
    }
  }
}
