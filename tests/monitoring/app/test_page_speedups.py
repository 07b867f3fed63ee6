"""The patient page's faster template helpers write what Django's own would, to the byte."""

from django.template import engines
from django.urls import reverse

from monitoring.templatetags.row_urls import row_url


def test_row_url_gives_the_url_tags_url() -> None:
    for name, args in [
        ("monitoring:lab_update", [12, 345]),
        ("monitoring:entry_mark_in_error", [12, "lab", 345]),
        ("monitoring:dose_mark_in_error", [1, 22, 333]),
        ("monitoring:scan_sign_off", [9_000_000, 7]),
        ("monitoring:patient", [1]),
    ]:
        assert row_url(name, *args) == reverse(name, args=args)
        assert row_url(name, *args) == reverse(name, args=args)  # from the cached format


def test_row_url_in_a_template_escapes_as_the_url_tag_does() -> None:
    source = "{% load row_urls %}{% row_url 'monitoring:entry_mark_in_error' 3 kind 4 %}|"
    source += "{% url 'monitoring:entry_mark_in_error' 3 kind 4 %}"
    rendered = engines["django"].from_string(source).render({"kind": "a&b"})
    ours, django = rendered.split("|")
    assert ours == django
