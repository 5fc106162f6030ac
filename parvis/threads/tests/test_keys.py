from __future__ import annotations

import pytest

from parvis.core.exceptions import Code, ProblemError
from parvis.threads.keys import canonical_url, thread_key


@pytest.mark.parametrize(
    ("given", "canonical"),
    [
        ("https://News.Example/a/b", "https://news.example/a/b"),
        ("https://news.example:443/a?utm_source=x&id=2#frag", "https://news.example/a?id=2"),
        ("http://news.example:8080/a?fbclid=1", "http://news.example:8080/a"),
        ("https://news.example", "https://news.example/"),
        ("https://bücher.example/à", "https://xn--bcher-kva.example/à"),
    ],
)
def test_one_article_is_one_thread_whatever_the_link(given, canonical):
    assert canonical_url(given) == canonical


@pytest.mark.parametrize("given", ["javascript:alert(1)", "ftp://x/y", "/relative", "https://", "https://[::1"])
def test_non_web_urls_have_no_canonical_form(given):
    assert canonical_url(given) is None


def test_an_explicit_id_wins_over_the_url():
    assert thread_key("article-42", "https://news.example/x") == "article-42"


def test_a_key_is_required():
    with pytest.raises(ProblemError) as error:
        thread_key(None, None)
    assert error.value.code == Code.VALIDATION_FAILED
