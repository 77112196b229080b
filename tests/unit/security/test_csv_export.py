import csv
import io
from datetime import UTC, datetime

import pytest

from mailferry_api.audit.csv_export import COLUMNS, csv_lines, csv_safe


class TestCsvSafe:
    @pytest.mark.parametrize("cell", ["=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx", "\nx"])
    def test_formula_starts_get_an_apostrophe(self, cell):
        assert csv_safe(cell) == "'" + cell

    @pytest.mark.parametrize("cell", ["alice", "1", "a=b", " =1"])
    def test_other_cells_are_unchanged(self, cell):
        assert csv_safe(cell) == cell

    def test_none_and_times(self):
        assert csv_safe(None) == ""
        assert csv_safe(datetime(2026, 1, 2, tzinfo=UTC)) == "2026-01-02T00:00:00+00:00"


def test_lines_quote_what_needs_quoting():
    row = {"seq": 7, "actor_user": 'a,"b"', "summary": "=cmd|' /C calc'!A0"}
    text = "".join(csv_lines([row]))
    parsed = list(csv.DictReader(io.StringIO(text)))
    assert list(parsed[0]) == list(COLUMNS)
    assert parsed[0]["actor_user"] == 'a,"b"'
    assert parsed[0]["summary"] == "'=cmd|' /C calc'!A0"
