"""API of the allocations: serializers.py parses and shows, views.py reads through funding.selectors
and writes through funding.services.allocation."""
