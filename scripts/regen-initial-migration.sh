#!/usr/bin/env bash
# Until the first release, the initial migration is regenerated from the models.
set -euo pipefail
cd "$(dirname "$0")/.."
rm -f /tmp/kcheck-gen.db kcheck/migrations/versions/0001_initial_schema.py
.venv/bin/python -c "
from alembic import command
from kcheck.db import alembic_config
command.revision(alembic_config('sqlite:////tmp/kcheck-gen.db'), message='initial schema', autogenerate=True, rev_id='0001')
" >/dev/null
sed -i 's/kcheck\.models\.UTCDateTime()/sa.DateTime()/g; /# ### commands auto generated/d; /# ### end Alembic commands/d' kcheck/migrations/versions/0001_initial_schema.py
sed -i 's/^Create Date: .*/Create Date: 2026-11-25/' kcheck/migrations/versions/0001_initial_schema.py
rm -f /tmp/kcheck-gen.db
