"""API of the calls: serializers.py parses and shows, views.py reads through funding.selectors and
writes through funding.services.calls."""
