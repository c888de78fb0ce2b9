"""Running sambot in production: health and readiness, metrics, structured logs."""
