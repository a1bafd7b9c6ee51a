"""The production smoke (`manage.py smoke`, run by .ci/run against gunicorn) and what it shares with
the tests: walking the pages of a role (walk), an HTTP client that logs in with TOTP (http), running
every report in every format and checking the files (reports)."""
