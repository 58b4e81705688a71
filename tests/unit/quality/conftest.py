"""Shared fixtures for the photo-quality tests: the labelled set and its verdicts."""

import pytest

from kcheck.quality import check_photo
from tests.fixtures.documents import labelled_set


@pytest.fixture(scope="session")
def labelled_verdicts():
    """[(name, slot, expected_verdict, expected_reason, QualityVerdict)] for ~220 photos."""
    return [
        (name, slot, expected, reason, check_photo(data, slot))
        for name, slot, data, expected, reason in labelled_set()
    ]
