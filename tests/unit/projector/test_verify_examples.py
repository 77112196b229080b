from mailferry_projector.verify import _examples


def test_a_changed_row_shows_only_the_columns_that_differ():
    live = [{"id": "j1", "notes": "edited", "phase": "verified"}]
    rebuilt = [{"id": "j1", "notes": "", "phase": "verified"}]
    assert _examples(live, rebuilt) == ["id=j1: notes: live 'edited' / rebuilt ''"]


def test_rows_on_one_side_only_are_named_by_their_key():
    assert _examples([{"id": "a"}], [{"id": "b"}]) == ["only live: id=a", "only rebuilt: id=b"]
