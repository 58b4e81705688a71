"""A file's whole way through the checks (kcheck.quality.check_upload): what the worker, the CLI
and the accuracy bench all use."""

import io

from PIL import Image

from kcheck.quality import check_upload, sanitize_upload
from tests import images
from tests.fixtures.documents import make_document


def _shrunk(data: bytes, short_side: int) -> bytes:
    image = Image.open(io.BytesIO(data))
    factor = short_side / min(image.size)
    out = io.BytesIO()
    image.resize((round(image.width * factor), round(image.height * factor)),
                 Image.Resampling.LANCZOS).save(out, "JPEG", quality=90)
    return out.getvalue()


def test_a_photo_under_480_px_whose_print_is_legible_is_checked_and_passes():
    # Most good real scans in datasets/photos are this small; the intake used to refuse them.
    data = _shrunk(make_document("id_front", seed=0), 400)
    assert sanitize_upload(data, "image/jpeg").height == 400
    verdict = check_upload(data, "id_front")
    assert verdict.verdict == "pass", verdict.metrics
    assert "low_resolution" in dict(verdict.notes)  # the reviewer is told it is small


def test_a_file_nothing_can_be_read_from_is_refused_as_at_intake():
    verdict = check_upload(images.plain_jpeg(300, 180), "id_front")
    assert verdict.verdict != "pass" and verdict.reasons == ("low_resolution",)
    assert "300x180" in verdict.metrics["detail"]


def test_the_verdict_is_the_stored_copys():
    # A 12 MP phone photo is judged on the downscaled copy reviewers see, as the worker does.
    data = make_document("passport_page", seed=2, long_side=4000)
    assert check_upload(data, "passport_page").metrics["width"] < 4000
