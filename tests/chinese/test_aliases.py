"""The alias file: shipped groups, user extensions, folding and errors."""

from __future__ import annotations

import pytest

from newsmirror.errors import ConfigError
from newsmirror.chinese.aliases import SHIPPED_ALIASES, load_aliases, parse_aliases


def test_shipped_file_has_at_least_200_groups():
    aliases = load_aliases()
    assert len(aliases) >= 200
    lines = [line for line in SHIPPED_ALIASES.read_text("utf-8").splitlines() if line and not line.startswith("#")]
    assert len(lines) >= 200


@pytest.mark.parametrize(
    "term, spellings",
    [
        ("普京", {"普亭", "蒲亭", "putin"}),
        ("川普", {"特朗普", "trump"}),
        ("澤倫斯基", {"泽连斯基", "zelensky"}),
        ("金正恩", {"kim jong un"}),
        ("雪梨", {"悉尼", "sydney"}),
        ("紐西蘭", {"新西兰", "new zealand"}),
        ("義大利", {"意大利"}),
        ("北韓", {"朝鲜", "north korea"}),
        ("馬克宏", {"马克龙", "macron"}),
        ("Kim Jong-un", {"金正恩"}),
    ],
)
def test_expand_finds_every_spelling(term, spellings):
    assert spellings <= load_aliases().expand(term)


def test_expand_unknown_term_is_itself_folded():
    assert load_aliases().expand("臺北市長") == {"台北市长"}


def test_user_file_extends_shipped(tmp_path):
    (tmp_path / "aliases.tsv").write_text("# mine\n普京\t老普\n小明 = 明仔\n", encoding="utf-8")
    aliases = load_aliases(tmp_path)  # the home folder or the file itself
    assert {"老普", "普亭", "putin"} <= aliases.expand("普京")
    assert aliases.expand("明仔") == {"小明", "明仔"}
    assert load_aliases(tmp_path / "missing.tsv").expand("小明") == {"小明"}


def test_one_name_line_is_an_error():
    with pytest.raises(ConfigError, match="line 2.*one spelling"):
        parse_aliases("a = b\n只有一個\n", origin="x.tsv")
