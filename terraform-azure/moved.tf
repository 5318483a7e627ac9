# Addresses that changed when repeated blocks became one `for_each` resource. These blocks let an existing deployment
# plan without destroying anything; keep them until every state has been applied once with this version.

moved {
  from = azurerm_private_endpoint.storage["blob"]
  to   = azurerm_private_endpoint.this["storage_blob"]
}

moved {
  from = azurerm_private_endpoint.storage["queue"]
  to   = azurerm_private_endpoint.this["storage_queue"]
}

moved {
  from = azurerm_private_endpoint.key_vault
  to   = azurerm_private_endpoint.this["key_vault"]
}

moved {
  from = azurerm_private_endpoint.container_registry
  to   = azurerm_private_endpoint.this["container_registry"]
}

moved {
  from = azurerm_private_endpoint.function_app
  to   = azurerm_private_endpoint.this["function_app"]
}

moved {
  from = azurerm_network_interface.bastion
  to   = azurerm_network_interface.vm["bastion"]
}

moved {
  from = azurerm_network_interface.monitoring
  to   = azurerm_network_interface.vm["monitoring"]
}

moved {
  from = azurerm_linux_virtual_machine.bastion
  to   = azurerm_linux_virtual_machine.this["bastion"]
}

moved {
  from = azurerm_linux_virtual_machine.monitoring
  to   = azurerm_linux_virtual_machine.this["monitoring"]
}

# The single signing secret became one key ring per purpose (azapi_resource.key_ring, main.keyvault.tf) under new
# secret names. A `moved` to key_ring["signal"] would plan a replacement (the name changed), and ARM refuses to delete
# a vault secret ("The operation 'delete' on resource type 'vaults/secrets' is disallowed"), so the apply would fail.
# Terraform forgets the old secret instead; it stays in the vault, readable by nobody any more (every grant is now on
# the new secrets, main.rbac.tf): delete it by hand (README, "Key rotation"). The role assignments whose scope narrowed
# from the vault to single secrets are replaced, as a changed scope always is, so no `moved` applies to them either.
removed {
  from = azapi_resource.signing_secret

  lifecycle {
    destroy = false
  }
}
