"""HTTP APIs: partner (requesting systems), intake (mobile clients), errors and OpenAPI."""
