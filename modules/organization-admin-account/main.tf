# Runs in the organization's management account, once per region: GuardDuty's delegated
# administrator is designated region by region (for more regions, call the module once per
# aliased provider, as examples/multi-region does with the account module).
resource "aws_guardduty_organization_admin_account" "this" {
  count = var.create ? 1 : 0

  admin_account_id = var.admin_account_id
}
