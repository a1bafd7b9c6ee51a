"""Pages of the inventory: the device list and page, the map, the funded-vs-deployed dashboard."""
