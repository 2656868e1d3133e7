"""Template hygiene: Django's {# … #} comments end on their own line, or the rest shows on the page."""

from pathlib import Path

import kundennetz

ROOT = Path(kundennetz.__file__).parent


def test_no_template_comment_spans_lines():
    offenders = [f"{path.relative_to(ROOT)}:{number}"
                 for path in ROOT.rglob("*.html")
                 for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
                 if "{#" in line and "#}" not in line[line.index("{#"):]]
    assert offenders == []
