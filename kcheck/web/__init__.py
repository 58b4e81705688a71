"""The person's mobile web flow at /verify: the reference client of the intake API."""
