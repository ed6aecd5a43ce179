"""Back-office pages; each view declares `required_permission` (see oms.web.access)."""
