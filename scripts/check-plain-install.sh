#!/usr/bin/env bash
# Install kcheck with plain pip into a throw-away venv, WITHOUT the hash lock, as a user
# following `pip install .` would, and check one generated photo with `kcheck check-image`
# and an MRZ photo with `kcheck read-mrz`. Guards against dependencies that only work with the lock's
# overrides (RapidOCR also pulls the GUI `opencv-python`, whose cv2 then shadows ours).
set -euo pipefail
cd "$(dirname "$0")/.."
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
python3 -m venv "$work/venv"
# A copy of the tree, so that setuptools' build/ never lands in the checkout.
git ls-files -z | tar --null -T - -cf - | tar -xf - -C "$work" --one-top-level=src
"$work/venv/bin/pip" install --quiet --disable-pip-version-check "$work/src"
# The photo comes from the project's own generator (in the locked venv, which has its tools).
.venv/bin/python -c "import sys; from tests.fixtures.documents import make_document; \
open(sys.argv[1], 'wb').write(make_document('id_back', None, seed=1))" "$work/back.jpg"
# The MRZ comes from the MRZ generator (OCR-B zone with its check digits); its number is kept.
.venv/bin/python -c "import sys; from tests.fixtures.mrz_documents import make_mrz_photo; \
data, spec = make_mrz_photo('TD1', 1); open(sys.argv[1], 'wb').write(data); \
open(sys.argv[2], 'w').write(spec.document_number)" "$work/card.jpg" "$work/number.txt"
cd "$work"  # run from elsewhere: the installed package, not the checkout, is imported
venv/bin/kcheck check-image --slot id_back back.jpg > check.json
venv/bin/kcheck read-mrz card.jpg > mrz.json
venv/bin/python - <<'PY'
import json

check = json.load(open("check.json"))
mrz = json.load(open("mrz.json"))
assert check["verdict"] == "pass" and check["reasons"] == [], check
assert isinstance(check["notes"], list) and "document_quad" not in check, check
assert mrz["valid"] is True, mrz
assert mrz["fields"]["document_number"] == open("number.txt").read(), mrz
print(f"plain pip install: check-image {check['verdict']} in {check['ms']} ms; "
      f"read-mrz found document {mrz['fields']['document_number']}")
PY
