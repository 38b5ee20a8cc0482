"""il.table: rows as an HTML table and as aligned text."""

import pytest

from il_helpers.core.tables import table


def test_dict_rows_format_numbers_per_column():
    t = table([{"method": "BC", "score": 0.91234, "n": 5}], fmt={"score": "{:.2f}"}, title="T")
    assert t.columns == ["method", "score", "n"] and t.cells == [["BC", "0.91", "5"]]
    text = repr(t)
    assert text.splitlines()[0] == "T" and "0.91" in text
    assert "<th" in t._repr_html_() and "<caption" in t._repr_html_()


def test_sequence_rows_need_columns():
    assert table([("a", 1.5)], ["x", "y"]).cells == [["a", "1.5"]]
    with pytest.raises(ValueError, match="columns"):
        table([("a", 1)])
    with pytest.raises(ValueError, match="2 values for 3 columns"):
        table([("a", 1)], ["x", "y", "z"])


def test_a_missing_key_is_named():
    with pytest.raises(ValueError, match="row 1 has no score"):
        table([{"m": "a", "score": 1}, {"m": "b"}])


def test_text_is_escaped_in_html():
    assert "&lt;script&gt;" in table([{"a": "<script>"}])._repr_html_()
