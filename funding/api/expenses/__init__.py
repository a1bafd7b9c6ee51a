"""API of the expense reports and grants: serializers.py parses and shows, views.py reads through
funding.selectors and writes through funding.services.expenses."""
