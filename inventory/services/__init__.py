"""Writes of the inventory: device models, devices and their lifecycle, sites and deployments."""
