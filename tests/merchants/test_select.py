"""The per-site selector language and the adapter registry."""

from __future__ import annotations

import pytest

from merchants.adapters import MerchantAdapter, adapter_for, adapters, register
from merchants.extraction.select import (
    SelectorError,
    decode_page,
    parse_html,
    select_all,
    select_first,
)

PAGE = """<html><body>
<h1 class="t">  Cohiba   Robustos </h1>
<img class="p" src="/a.jpg"><img class="p" src="/b.jpg"><img class="p">
<a data-x="a@b" href="/x">link</a>
<dl><dt>Cape</dt><dd>Cuba</dd></dl>
</body></html>"""


@pytest.fixture
def doc():
    return parse_html(PAGE, base_url="http://shop.test/")


def test_css_text_is_whitespace_normalised(doc):
    assert select_first(doc, "h1.t") == "Cohiba Robustos"


def test_attribute_suffix(doc):
    assert select_all(doc, "img.p@src") == ["/a.jpg", "/b.jpg"]
    # An @ inside brackets belongs to the CSS, not to the attribute suffix.
    assert select_first(doc, "a[data-x='a@b']") == "link"


def test_xpath_elements_and_strings(doc):
    assert select_first(doc, "xpath://dt[.='Cape']/following-sibling::dd[1]") == "Cuba"
    assert select_first(doc, "xpath:string(//dt)") == "Cape"
    assert select_first(doc, "h2") == ""


@pytest.mark.parametrize("spec", ["", "h1[[[", "xpath://h1[", "xpath:foo(//h1)"])
def test_broken_selectors_name_themselves(doc, spec):
    with pytest.raises(SelectorError):
        select_all(doc, spec)


def test_pages_decode_as_utf8_then_windows_1252():
    assert decode_page("Étui".encode()) == "Étui"
    assert decode_page("Étui".encode("cp1252")) == "Étui"
    assert parse_html(b"").tag == "html"


def test_adapter_registry():
    assert "schema_org" in adapters()
    assert adapter_for("schema_org").parser == "merchants.schema_org"
    with pytest.raises(KeyError, match="No merchant adapter 'nope'"):
        adapter_for("nope")

    class Clash(MerchantAdapter):
        name = "schema_org"

        def extract(self, content, *, url, currency, selectors):
            return None

    with pytest.raises(ValueError, match="Two merchant adapters"):
        register(Clash)
    with pytest.raises(TypeError):
        register(dict)
