# Observability: one Log Analytics workspace for AKS (Container Insights), the function app and the diagnostic
# settings, plus the seed's two B-series VMs in the hub: a jump host (bastion VM) and a monitoring VM.

resource "azurerm_log_analytics_workspace" "this" {
  name                = local.names.log_analytics
  location            = var.location
  resource_group_name = var.resource_group_name
  sku                 = "PerGB2018"
  retention_in_days   = var.monitoring.log_retention_days
  daily_quota_gb      = var.monitoring.daily_quota_gb
  tags                = local.tags
}

resource "azurerm_public_ip" "bastion" {
  count = var.monitoring.bastion_public_ip_enabled ? 1 : 0

  name                = "${local.names.bastion_vm}-pip"
  location            = var.location
  resource_group_name = var.resource_group_name
  allocation_method   = "Static"
  sku                 = "Standard"
  tags                = local.tags
}

locals {
  # The seed's two B-series VMs differ only in name, size, subnet and the jump host's optional public IP; everything
  # else (SSH keys only, Ubuntu 24.04, a system-assigned identity) is one definition.
  vms = {
    bastion = {
      name         = local.names.bastion_vm
      size         = var.monitoring.bastion_vm_size
      subnet_id    = azurerm_subnet.bastion.id
      public_ip_id = var.monitoring.bastion_public_ip_enabled ? azurerm_public_ip.bastion[0].id : null
    }
    monitoring = {
      name         = local.names.monitoring_vm
      size         = var.monitoring.monitoring_vm_size
      subnet_id    = azurerm_subnet.monitoring.id
      public_ip_id = null
    }
  }
}

resource "azurerm_network_interface" "vm" {
  for_each = local.vms

  # checkov:skip=CKV_AZURE_119: only the jump host may get a public IP (monitoring.bastion_public_ip_enabled); its NSG admits SSH from admin_source_cidrs only
  name                = "${each.value.name}-nic"
  location            = var.location
  resource_group_name = var.resource_group_name
  tags                = local.tags

  ip_configuration {
    name                          = "ipconfig1"
    subnet_id                     = each.value.subnet_id
    private_ip_address_allocation = "Dynamic"
    public_ip_address_id          = each.value.public_ip_id
  }
}

resource "azurerm_linux_virtual_machine" "this" {
  for_each = local.vms

  # checkov:skip=CKV_AZURE_50: extensions stay allowed: monitoring agents (the monitoring VM's purpose) and run-command arrive as VM extensions
  name                            = each.value.name
  location                        = var.location
  resource_group_name             = var.resource_group_name
  size                            = each.value.size
  admin_username                  = var.monitoring.admin_username
  disable_password_authentication = true
  network_interface_ids           = [azurerm_network_interface.vm[each.key].id]
  tags                            = local.tags

  admin_ssh_key {
    username   = var.monitoring.admin_username
    public_key = var.monitoring.ssh_public_key
  }

  os_disk {
    caching              = "ReadWrite"
    storage_account_type = "StandardSSD_LRS"
  }

  source_image_reference {
    publisher = "Canonical"
    offer     = "ubuntu-24_04-lts"
    sku       = "server"
    version   = "latest"
  }

  identity {
    type = "SystemAssigned"
  }
}

locals {
  # Resources whose resource logs go to the workspace (category group allLogs). Blob and queue logs are emitted by the
  # storage services, not by the account itself.
  diagnostic_targets = {
    key_vault          = azurerm_key_vault.this.id
    storage_blob       = "${azurerm_storage_account.this.id}/blobServices/default"
    storage_queue      = "${azurerm_storage_account.this.id}/queueServices/default"
    container_registry = azurerm_container_registry.this.id
    function_app       = azurerm_function_app_flex_consumption.this.id
    vpn_gateway        = azurerm_virtual_network_gateway.this.id
  }
}

resource "azurerm_monitor_diagnostic_setting" "this" {
  for_each = local.diagnostic_targets

  name                       = "to-${local.names.log_analytics}"
  target_resource_id         = each.value
  log_analytics_workspace_id = azurerm_log_analytics_workspace.this.id

  enabled_log {
    category_group = "allLogs"
  }
}

resource "azurerm_monitor_diagnostic_setting" "aks" {
  name                           = "to-${local.names.log_analytics}"
  target_resource_id             = azurerm_kubernetes_cluster.this.id
  log_analytics_workspace_id     = azurerm_log_analytics_workspace.this.id
  log_analytics_destination_type = "Dedicated"

  dynamic "enabled_log" {
    for_each = toset(var.monitoring.aks_log_categories)

    content {
      category = enabled_log.value
    }
  }
}
