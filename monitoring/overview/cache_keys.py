"""How the overview's cached parts and `{% cache %}` fragments are keyed: one digest of what they
show, in order."""

import hashlib
import json
from collections.abc import Iterable


def shown_key(parts: Iterable[object]) -> str:
    """A digest of `parts` (each as text, in order), JSON-encoded so no part can run into the
    next: a site's or a patient's name with a line break in it keys nothing else."""
    return hashlib.sha256(json.dumps([str(part) for part in parts]).encode()).hexdigest()
