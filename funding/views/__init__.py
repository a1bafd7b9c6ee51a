"""Funding pages, one module per area (ledger, calls, applications, expenses...)."""
