import pytest

from mailferry_runner_pst.folders import (
    DRAFTS,
    INBOX,
    JUNK,
    SENT,
    TRASH,
    FolderTarget,
    map_folder,
    special_use_of,
)

LOCALISED = [
    ("Inbox", INBOX), ("Posteingang", INBOX), ("Caixa de Entrada", INBOX),
    ("Boîte de réception", INBOX), ("受信トレイ", INBOX), ("Входящие", INBOX),
    ("Sent Items", SENT), ("Gesendete Elemente", SENT), ("Itens Enviados", SENT),
    ("Elementos enviados", SENT), ("送信済みアイテム", SENT), ("Отправленные", SENT),
    ("Sent Messages", SENT), ("Posta inviata", SENT),
    ("Deleted Items", TRASH), ("Gelöschte Elemente", TRASH), ("Itens Excluídos", TRASH),
    ("削除済みアイテム", TRASH), ("Elementy usunięte", TRASH),
    ("Junk E-mail", JUNK), ("Junk-E-Mail", JUNK), ("Junk E-Mail", JUNK), ("Lixo Eletrônico", JUNK),
    ("Drafts", DRAFTS), ("Entwürfe", DRAFTS), ("Rascunhos", DRAFTS), ("Bozze", DRAFTS),
    ("sent items", SENT), ("Sync Issues", None), ("Calendar", None), ("Projekte", None),
]  # fmt: skip


class TestSpecialUse:
    @pytest.mark.parametrize(("name", "role"), LOCALISED, ids=[n for n, _ in LOCALISED])
    def test_localised_special_folders(self, name, role):
        assert special_use_of(name) == role


class TestMapFolder:
    def test_the_store_root_is_the_inbox(self):
        assert map_folder(()) == FolderTarget((), ("INBOX",), INBOX)

    def test_a_special_folder_takes_its_role_and_canonical_name(self):
        assert map_folder(("Gesendete Elemente",)) == FolderTarget(
            ("Gesendete Elemente",), ("Sent",), SENT
        )

    def test_nested_folders_keep_their_names_under_the_mapped_parent(self):
        target = map_folder(("Posteingang", "Projekte", "2024"))
        assert (target.target, target.special_use) == (("INBOX", "Projekte", "2024"), None)

    def test_only_top_level_folders_are_special(self):
        target = map_folder(("Archiv 2019", "Sent Items"))
        assert (target.target, target.special_use) == (("Archiv 2019", "Sent Items"), None)

    def test_unicode_names_are_kept_intact(self):
        assert map_folder(("Überweisungen", "日本語")).target == ("Überweisungen", "日本語")

    def test_readpst_underscores_stay_as_readpst_wrote_them(self):
        assert map_folder(("Q1_Q2 reports",)).target == ("Q1_Q2 reports",)

    def test_trash_is_excluded_unless_deleted_items_are_requested(self):
        assert map_folder(("削除済みアイテム",)).excluded is not None
        included = map_folder(("削除済みアイテム",), include_deleted=True)
        assert (included.target, included.special_use, included.excluded) == (
            ("Trash",),
            TRASH,
            None,
        )

    def test_the_folder_map_wins_exactly_then_by_parent(self):
        folder_map = {"Inbox/sub1": "Archive/Old", "Sync Issues": "Sync"}
        assert map_folder(("Inbox", "sub1"), folder_map).target == ("Archive", "Old")
        assert map_folder(("Sync Issues", "Conflicts"), folder_map).target == ("Sync", "Conflicts")
        assert map_folder(("Inbox", "sub2"), folder_map).target == ("INBOX", "sub2")

    def test_a_folder_mapped_to_inbox_is_the_inbox(self):
        assert map_folder(("Posta in arrivo",), {"Posta in arrivo": "inbox"}) == FolderTarget(
            ("Posta in arrivo",), ("INBOX",), INBOX
        )
