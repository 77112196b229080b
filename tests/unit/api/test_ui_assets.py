import json
import re
from importlib import resources

import pytest

from mailferry_api.ui.endpoints import _asset

STATIC = resources.files("mailferry_api.ui").joinpath("static")
LANGUAGES = ["en", "pt-BR"]
_KEY = re.compile(r"\bt\(\"([a-z_]+\.[a-zA-Z_.]+)\"")
_INLINE = re.compile(r"<script>|\son[a-z]+=|style=\"|\beval\(|new Function", re.IGNORECASE)


def strings(lang: str) -> dict[str, str]:
    return dict(json.loads(STATIC.joinpath("i18n", f"{lang}.json").read_text()))


def sources() -> dict[str, str]:
    found = {}
    for folder in (STATIC.joinpath("js"), STATIC.joinpath("js", "views")):
        for node in folder.iterdir():
            if node.name.endswith(".js"):
                found[node.name] = node.read_text()
    found["index.html"] = STATIC.joinpath("index.html").read_text()
    return found


class TestTranslations:
    def test_every_language_has_every_key(self):
        assert set(strings("pt-BR")) == set(strings("en"))

    def test_every_literal_key_used_by_the_pages_exists(self):
        used = {key for text in sources().values() for key in _KEY.findall(text)}
        assert used
        assert used - set(strings("en")) == set()

    @pytest.mark.parametrize("lang", LANGUAGES)
    def test_placeholders_match_the_english_ones(self, lang):
        english, other = strings("en"), strings(lang)
        for key, text in english.items():
            assert set(re.findall(r"\{\w+\}", other[key])) == set(re.findall(r"\{\w+\}", text)), key


class TestAssets:
    def test_no_inline_script_handler_style_or_eval(self):
        offending = {name for name, text in sources().items() if _INLINE.search(text)}
        assert offending == set()

    @pytest.mark.parametrize(
        "name", ["../endpoints.py", "/etc/passwd", "js/../../__init__.py", "missing.js", "x.py"]
    )
    def test_only_shipped_static_files_are_served(self, name):
        assert _asset(name) is None

    def test_a_module_is_served_with_a_stable_digest(self):
        found = _asset("js/app.js")
        assert found is not None
        assert found == _asset("js/app.js")
