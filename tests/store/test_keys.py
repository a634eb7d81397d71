"""canonical_url: one key per page, whatever spelling the feed used."""

from __future__ import annotations

import pytest

from newsmirror.store import canonical_url as protocol_canonical_url
from newsmirror.store.keys import canonical_url


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        # case of scheme and host; path case is kept
        ("HTTPS://News.Example.COM/Path/A", "https://news.example.com/Path/A"),
        # fragments and an empty query
        ("https://a.example/x#comments", "https://a.example/x"),
        ("https://a.example/x?", "https://a.example/x"),
        ("https://a.example/x?#top", "https://a.example/x"),
        # default ports dropped, others kept
        ("http://a.example:80/x", "http://a.example/x"),
        ("https://a.example:443/x", "https://a.example/x"),
        ("https://a.example:8443/x", "https://a.example:8443/x"),
        ("http://a.example:443/x", "http://a.example:443/x"),
        # empty path
        ("https://a.example", "https://a.example/"),
        ("https://a.example?id=3", "https://a.example/?id=3"),
        # tracking parameters dropped, the rest kept in their order
        ("https://a.example/x?utm_source=rss&id=9&utm_medium=feed", "https://a.example/x?id=9"),
        ("https://a.example/x?b=2&a=1&fbclid=XYZ", "https://a.example/x?b=2&a=1"),
        ("https://a.example/x?gclid=1&mc_cid=2&mc_eid=3&spm=a.b.c&page=2", "https://a.example/x?page=2"),
        ("https://a.example/x?UTM_Campaign=z&p=1", "https://a.example/x?p=1"),
        ("https://a.example/x?from=timeline&isappinstalled=0", "https://a.example/x"),
        ("https://a.example/x?ref=rss&id=1", "https://a.example/x?id=1"),
        # from / ref with a content value are kept
        ("https://a.example/x?ref=12345", "https://a.example/x?ref=12345"),
        ("https://a.example/search?from=2024-01-01", "https://a.example/search?from=2024-01-01"),
        # empty pieces dropped, + kept
        ("https://a.example/x?&&q=a+b&&", "https://a.example/x?q=a+b"),
        # percent-encoding: unreserved decoded, escapes upper-cased, raw characters encoded
        ("https://a.example/%7euser/%41%2f", "https://a.example/~user/A%2F"),
        ("https://a.example/新聞/1", "https://a.example/%E6%96%B0%E8%81%9E/1"),
        ("https://a.example/%e6%96%b0%e8%81%9e/1", "https://a.example/%E6%96%B0%E8%81%9E/1"),
        ("https://a.example/a b?q=中", "https://a.example/a%20b?q=%E4%B8%AD"),
        ("https://a.example/100%", "https://a.example/100%25"),
        # dot segments; the trailing slash is kept
        ("https://a.example/a/./b/../c", "https://a.example/a/c"),
        ("https://a.example/a/", "https://a.example/a/"),
        # host details
        ("https://a.example./x", "https://a.example/x"),
        ("http://[::1]:80/x", "http://[::1]/x"),
        ("https://user@a.example/x", "https://user@a.example/x"),
        # surrounding whitespace
        ("  https://a.example/x \n", "https://a.example/x"),
        # not http(s) URLs are left as they are (scheme lower-cased)
        ("tag:news.example,2024:123", "tag:news.example,2024:123"),
        ("FTP://Files.Example/X", "ftp://Files.Example/X"),
        ("/relative/path", "/relative/path"),
    ],
)
def test_canonical_url(url, expected):
    assert canonical_url(url) == expected


def test_idn_hosts_map_to_one_key():
    unicode_form = canonical_url("https://新聞.台灣/a")
    assert unicode_form == canonical_url("https://XN--EFVV70D.xn--kpry57d/a")
    assert unicode_form.startswith("https://xn--")


def test_canonical_url_is_idempotent():
    urls = [
        "HTTPS://News.Example.COM:443/新聞/./a?utm_source=x&id=1&from=timeline#c",
        "https://a.example/%7e%2f?q=%e4%b8%ad",
        "https://a.example",
    ]
    for url in urls:
        once = canonical_url(url)
        assert canonical_url(once) == once


def test_tracking_parameter_spelled_with_escapes_is_dropped():
    assert canonical_url("https://a.example/x?utm%5Fsource=x&id=1") == "https://a.example/x?id=1"


def test_protocol_module_delegates_to_keys():
    assert protocol_canonical_url("HTTP://A.example:80") == "http://a.example/"
