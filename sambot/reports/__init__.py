"""Monthly strategic-action reports: computed in batches (`monthly`), rendered for Slack
(`render`)."""
