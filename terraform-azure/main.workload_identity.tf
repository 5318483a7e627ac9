# Workload identities of the FL pods: one user-assigned identity per workload, trusted for exactly one Kubernetes
# service account on AKS and, for the trainers, for the same service account on EKS. Their roles are in main.rbac.tf.

resource "azurerm_user_assigned_identity" "workload" {
  for_each = var.fl_workloads

  name                = "${var.name_prefix}-${each.key}-id"
  location            = var.location
  resource_group_name = var.resource_group_name
  tags                = local.tags
}

resource "azurerm_federated_identity_credential" "workload" {
  for_each = var.fl_workloads

  name                      = "${each.key}-k8s"
  user_assigned_identity_id = azurerm_user_assigned_identity.workload[each.key].id
  audience                  = ["api://AzureADTokenExchange"]
  issuer                    = azurerm_kubernetes_cluster.this.oidc_issuer_url
  subject                   = "system:serviceaccount:${each.value.namespace}:${each.value.service_account}"
}

locals {
  # EKS trainers write fallback updates to Blob with an Entra token exchanged for their EKS service-account token;
  # Entra accepts it only from an issuer and subject it trusts, so each such workload needs a second credential.
  eks_federated_workloads = var.eks_federation.oidc_issuer_url == null ? {} : {
    for name in var.eks_federation.workloads : name => var.fl_workloads[name]
  }
}

resource "azurerm_federated_identity_credential" "workload_eks" {
  for_each = local.eks_federated_workloads

  name                      = "${each.key}-eks"
  user_assigned_identity_id = azurerm_user_assigned_identity.workload[each.key].id
  audience                  = ["api://AzureADTokenExchange"]
  issuer                    = var.eks_federation.oidc_issuer_url
  # The chart installs the same namespace and service account on both clouds.
  subject = "system:serviceaccount:${each.value.namespace}:${each.value.service_account}"
}
