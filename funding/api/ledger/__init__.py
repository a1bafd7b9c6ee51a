"""API of the programme and its budget ledger: serializers.py parses and shows, views.py calls
funding.selectors to read and funding.services.ledger to write."""
