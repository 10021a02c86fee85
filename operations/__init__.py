"""Project-wide operations: backup/restore and demo data for every app (see ``apps.py``)."""
