"""API of the applications and their documents: serializers.py parses and shows, views.py reads
through funding.selectors and writes through funding.services.applications and .documents."""
