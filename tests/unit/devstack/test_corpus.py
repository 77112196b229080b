from collections import Counter
from itertools import pairwise

from mailferry_devstack.corpus import FOLDERS, SMALL, CorpusSpec, generate, generate_new
from mailferry_devstack.corpus_io import all_folders, server_name


class TestCorpus:
    def test_the_same_seed_gives_the_same_bytes_flags_and_dates(self):
        first = [(m.folder, m.raw, m.flags, m.internal_date) for m in generate(SMALL)]
        again = [(m.folder, m.raw, m.flags, m.internal_date) for m in generate(SMALL)]
        assert first == again

    def test_small_is_300_messages_of_about_17_mb_in_16_folders(self):
        messages = list(generate(SMALL))
        assert len(messages) == 300
        assert 15_000_000 < sum(len(m.raw) for m in messages) < 19_000_000
        assert {m.folder for m in messages} == {name for name, _ in FOLDERS}
        assert len(FOLDERS) == 16

    def test_it_holds_the_hard_cases(self):
        kinds = Counter(m.kind for m in generate(SMALL))
        assert kinds["nomsgid"] == 4
        assert kinds["dup"] >= 4
        for kind in ("no-colon-header", "no-header-body-separator", "raw-8bit-headers", "bare-lf"):
            assert kinds[f"malformed-{kind}"] == 2

    def test_duplicates_are_identical_neighbours_in_one_folder(self):
        messages = list(generate(SMALL))
        pairs = [(a, b) for a, b in pairwise(messages) if a is b]
        assert pairs
        assert all(a.folder == b.folder and a.kind == "dup" for a, b in pairs)

    def test_flags_and_keywords_are_present(self):
        flags = Counter(f for m in generate(SMALL) for f in m.flags)
        for flag in ("\\Seen", "\\Flagged", "\\Answered", "\\Draft", "$Forwarded", "Project-X"):
            assert flags[flag] > 0

    def test_internal_dates_span_years_and_archive_years_match(self):
        messages = list(generate(SMALL))
        assert len({m.internal_date.year for m in messages}) >= 8
        assert {m.internal_date.year for m in messages if m.folder == "Archive/2024"} == {2024}

    def test_a_huge_message_is_added_on_request(self):
        spec = CorpusSpec(messages=30, total_bytes=300_000, huge_bytes=2_000_000)
        huge = [m for m in generate(spec) if m.kind == "huge"]
        assert len(huge) == 1
        assert 1_900_000 < len(huge[0].raw) < 2_200_000

    def test_new_messages_for_a_delta_differ_per_batch(self):
        first, second = generate_new(50, batch=1), generate_new(50, batch=2)
        assert len(first) == len(second) == 50
        assert {m.raw for m in first}.isdisjoint({m.raw for m in second})
        assert Counter(m.kind for m in first)["dup"] == 2


class TestFolderNames:
    def test_parents_are_folders_too(self):
        assert {"Entrées", "Lists", "Projects/Alpha"} <= set(all_folders())

    def test_names_on_a_courier_server(self):
        assert server_name("Lists/debian.devel", "INBOX.", ".") == "INBOX.Lists.debian_devel"
        assert server_name("INBOX", "INBOX.", ".") == "INBOX"
