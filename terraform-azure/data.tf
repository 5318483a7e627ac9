data "azurerm_client_config" "current" {}
