"""What a browser would post from a page's form, for tests that submit forms as users do; and what
a page says, its white space folded, for tests that read its sentences."""

import html
import re
from html.parser import HTMLParser
from typing import Any

from django.urls import reverse


class _FormReader(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        # Every value of each name, in page order (several for a list of checkboxes).
        self.forms: list[dict[str, list[str]]] = []
        self._form: dict[str, list[str]] | None = None
        self._select: str | None = None
        self._textarea: str | None = None

    def _add(self, name: str, value: str) -> None:
        assert self._form is not None
        self._form.setdefault(name, []).append(value)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {key: value or "" for key, value in attrs}
        if tag == "form" and a.get("method", "").lower() == "post":
            self._form = {}
        if self._form is None:
            return
        name = a.get("name")
        if tag == "input" and name:
            kind = a.get("type", "text")
            if kind in {"checkbox", "radio"}:
                if "checked" in a:
                    self._add(name, a.get("value", "on"))
            elif kind not in {"submit", "button", "file"}:
                self._add(name, a.get("value", ""))
        elif tag == "select" and name:
            self._select = name
            self._form.setdefault(name, [""])
        elif tag == "option" and self._select and "selected" in a:
            self._form[self._select] = [a.get("value", "")]
        elif tag == "textarea" and name:
            self._textarea = name
            self._form[name] = [""]

    def handle_data(self, data: str) -> None:
        if self._form is not None and self._textarea:
            self._form[self._textarea][-1] += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None
        elif tag == "form" and self._form is not None:
            self.forms.append(self._form)
            self._form = None


def posted_lists(html: str, *, having: str = "csrfmiddlewaretoken") -> dict[str, list[str]]:
    """Every value the first POST form holding a field named `having` would send, unchanged."""
    reader = _FormReader()
    reader.feed(html)
    return next(form for form in reader.forms if having in form)


def posted_data(html: str, *, having: str = "csrfmiddlewaretoken") -> dict[str, str]:
    """The fields the first POST form holding a field named `having` would send, unchanged (the
    last value of a name sent several times: see `posted_lists`)."""
    return {name: values[-1] for name, values in posted_lists(html, having=having).items()}


def submit_form(
    client: Any, url: str, typed: dict[str, str], *, having: str = "csrfmiddlewaretoken"
) -> Any:
    """Open `url` and send its first POST form holding `having`, with `typed` filled in, as a user
    does: the form's hidden fields (the version it showed) as the page drew them."""
    return client.post(url, posted_data(client.get(url).text, having=having) | typed)


def visible_text(page: str) -> str:
    """What a reader sees of the HTML `page`: its tags dropped (a date in a `text-nowrap` span
    reads as the date), entities read, white space folded to single spaces."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", "", page)).split())


def without_nowrap(page: str) -> str:
    """The HTML `page` with each `text-nowrap` span (a date kept on one line by the `unbroken`
    filter) replaced by its text: for tests that read a value in its place in the markup."""
    return re.sub(r'<span class="text-nowrap">([^<]*)</span>', r"\1", page)


def page_text(client: Any, url: str, **query: str) -> str:
    """The page at `url` (it must answer 200), its white space folded to single spaces."""
    response = client.get(url, query)
    assert response.status_code == 200
    return " ".join(response.text.split())


def letter_text(client: Any, patient: Any, kind: str, **query: str) -> str:
    """The patient's letter of `kind` ("doctor", "patient"; `copy="clinician"` for the clinician's
    copy) as its reader sees it (`visible_text`): its dates are kept whole in `text-nowrap` spans,
    so a sentence that quotes one is found only in the text, not in the markup."""
    return visible_text(
        page_text(client, reverse("monitoring:letter", args=[patient.pk, kind]), **query)
    )


def assert_letters_say(
    client: Any, patient: Any, sentences: dict[str, list[str]], *, never: str
) -> None:
    """Each letter named in `sentences` ("doctor", "patient") says every one of its sentences and
    nowhere `never`."""
    for kind, said in sentences.items():
        text = letter_text(client, patient, kind)
        for sentence in said:
            assert sentence in text, kind
        assert never not in text, kind
