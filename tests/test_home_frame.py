"""The frame's pure helpers: which address names no page of the site."""

from __future__ import annotations

import pytest

from pages._ui.site import SITE, unknown_page


@pytest.mark.parametrize("page", SITE)
def test_every_page_of_the_site_is_known(page):
    assert unknown_page(f"http://host:8501/{page.url_path}") is None
    assert unknown_page(f"http://host/class/{page.url_path}/", "/class") is None


def test_an_address_naming_no_page_is_said_by_its_path():
    assert unknown_page("http://host:8501/nonexistent") == "/nonexistent"
    assert unknown_page("http://host/class/descnet", "class/") == "/descnet"
    assert unknown_page("http://host/a/b") == "/a/b"


def test_without_an_address_nothing_is_said():
    assert unknown_page(None) is None and unknown_page("") is None
