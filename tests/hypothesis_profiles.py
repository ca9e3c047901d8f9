"""Hypothesis profiles, chosen by HYPOTHESIS_PROFILE (else "ci" when CI is set, else "dev").

- dev: random examples, and the example database under .hypothesis/ (not committed) kept
  between runs, so a failure found once is replayed first on the next run until fixed.
- ci: derandomized: every CI run tries the same examples, so a green run means the same
  thing each time and a red one can be rerun locally with HYPOTHESIS_PROFILE=ci.
- mutation: derandomized, no database: `make mutation` must judge every mutant by the
  same examples, and must not fill .hypothesis/ with failures of code that never shipped.

The known edge cases are not left to chance in any profile: each property test carries
them as @example, so they run first, everywhere.
"""

from __future__ import annotations

import os

from hypothesis import settings
from hypothesis.database import DirectoryBasedExampleDatabase

settings.register_profile(
    "dev", database=DirectoryBasedExampleDatabase(".hypothesis/examples"), print_blob=True
)
settings.register_profile("ci", derandomize=True, database=None, print_blob=True)
settings.register_profile("mutation", derandomize=True, database=None)
settings.load_profile(
    os.environ.get("HYPOTHESIS_PROFILE") or ("ci" if os.environ.get("CI") else "dev")
)
