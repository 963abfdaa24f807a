"""The reference of the browse benchmark: a bare Django view answering stored bytes from memory.

It runs in the same gunicorn, behind the same middleware, as the API; it does no query, no cache call and
no serialization. `bench/browse.py` saves the API's own answers to BENCH_BARE_DIR as `<name>.json` before
it starts measuring, so the bare view sends the very same bytes.
"""

import os
from pathlib import Path

from django.http import Http404, HttpResponse

NAMES = frozenset({"list", "detail"})
_answers: dict[str, bytes] = {}


def bare_answer(request, name):
    if name not in NAMES:
        raise Http404
    body = _answers.get(name)
    if body is None:
        body = _answers[name] = (Path(os.environ["BENCH_BARE_DIR"]) / f"{name}.json").read_bytes()
    return HttpResponse(body, content_type="application/json")
