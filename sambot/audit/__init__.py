"""The audit trail: who changed what, when, and from where (issue 13)."""
