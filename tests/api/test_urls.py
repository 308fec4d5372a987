import pytest
from hypothesis import given
from hypothesis import strategies as st

from evalkit.api.urls import has_credentials, has_query_or_fragment, redact_url

KEY = "eg_live_s3cr3t"


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("https://app.eigenpal.com", "https://app.eigenpal.com"),
        (f"http://user:{KEY}@host:8080/x?y=1", "http://***@host:8080/x?***"),
        (f"https://{KEY}@host", "https://***@host"),
        (f"http://a:{KEY}@b@host/p", "http://***@host/p"),  # '@' inside the password
        (f"http://user:{KEY}@host:notaport", "http://***@host:notaport"),  # malformed
        (f"http://user:{KEY}@[::1", "http://***@[::1"),  # unbalanced IPv6 bracket
        ("http://host/path@with-at", "http://host/path@with-at"),  # '@' in the path only
    ],
)
def test_credentials_are_replaced_and_nothing_else_but_a_query(url: str, shown: str) -> None:
    assert redact_url(url) == shown
    assert KEY not in redact_url(url)


def test_a_url_without_credentials_is_recognised() -> None:
    assert not has_credentials("http://127.0.0.1:8000/api?next=a@b")
    assert has_credentials(f"http://{KEY}@127.0.0.1:8000")


@given(
    secret=st.text(alphabet="abcdefghijKLMNOP0123456789_-:.%!$", min_size=8),
    host=st.sampled_from(["h", "h:1", "[::1]:2"]),
)
def test_no_secret_survives_redaction(secret: str, host: str) -> None:
    assert secret not in redact_url(f"https://{secret}@{host}/path")


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        (f"http://host:8801/?token={KEY}", "http://host:8801/?***"),
        (f"http://host#{KEY}", "http://host#***"),
        (f"http://host/p?a=1#{KEY}", "http://host/p?***"),
        (f"http://u:{KEY}@host?{KEY}", "http://***@host?***"),
        ("http://host?", "http://host?***"),
    ],
)
def test_a_query_or_fragment_is_hidden_whole(url: str, shown: str) -> None:
    """A token in the query or fragment is as secret as one in the userinfo."""
    assert redact_url(url) == shown
    assert has_query_or_fragment(url)


def test_a_url_without_query_or_fragment_is_recognised() -> None:
    assert not has_query_or_fragment("http://user@host:8000/a/b")
