"""The programme's portfolio: accounts imported from a file, their snapshots over time, and
the Pareto analysis that selects the strategic ones. Nothing here knows of Slack."""
