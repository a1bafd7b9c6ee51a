"""Forms of the funding pages, one module per area."""
